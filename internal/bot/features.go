package bot

// Registering a feature. The router core (router.go, handle.go, turn.go,
// action.go, render.go, talk.go, presses.go, variant.go) orders, dedupes,
// loads the session, checks roles, routes and renders; what the bot can
// do is in the features, one file (or a few) each: citizen.go, lookup.go,
// mine_typed.go, officials.go, staff*.go, apology.go, rating.go,
// feedback*.go, inbox.go, stats.go, procedures.go, slip.go,
// reception*.go, announce*.go. A feature is
//
//   - its flows in dialogs/FEATURE.yaml (commands, menu label, phrases,
//     talk, roles, consent: the flow declares how it is started) and its
//     texts in locales/;
//   - its actions: func (r *Router) FEATUREActions() Actions, the names its
//     flows' steps use, each an Action (action.go) that reads its Call and
//     returns a Result with the Effects it has on the turn;
//   - its line in features, below.
//
// The buttons a feature offers are its flows' choices, or an action's
// Result.Choices for a dynamic step (dialog.Data makes their callback
// data). Services are reached through the interfaces of needs.go: a new
// one is an interface there and a field of Config, wired in internal/app.

// features are the parts of the bot, each a set of the actions its flows
// (dialogs/*.yaml) name. Slots are parsed into typed requests in the
// actions; services never see the map. A new feature writes its actions
// in a file of its own (FEATURE.go: func (r *Router) FEATUREActions()
// Actions) and adds its line here; New refuses a name bound twice.
func (r *Router) features() []Actions {
	return []Actions{
		r.citizenActions(),
		r.lookupActions(),
		r.officialActions(),
		r.apologyActions(),
		r.ratingActions(),
		r.feedbackActions(),
		r.statsActions(),
		r.procedureActions(),
		r.mineTypedActions(),
		r.feedbackSenderActions(),
		r.staffScreenActions(),
		r.slipActions(),
		r.receptionActions(),
		r.announceActions(),
	}
}
