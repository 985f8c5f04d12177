package bot

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"xabot/internal/chat"
	"xabot/internal/dialog"
	"xabot/internal/domain"
)

// An action is what a dialog step names (`action: dossier.find`): it reads
// the Call — the dialog's slots and what it may know of this update — calls
// services, and returns a Result: what to say, where the flow goes, and the
// Effects the turn takes on. An action never reaches the turn itself: the
// router applies every effect in one place (turn.take), right after the
// action returns, so the next action of the same turn reads the changed
// person (a role just registered, a phone just proved).

// Call is what an action receives: the dialog's call (user, flow, step,
// slots) and what it may read of this update, as the actions before it in
// the same turn left it.
type Call struct {
	dialog.Call
	Citizen domain.Citizen // the person, loaded for this update
	Lang    string         // the language the turn speaks
	Feat    chat.Features  // what the person's app shows
	Now     time.Time      // the turn's time (the injected clock)
	Log     *slog.Logger   // the update's logger; never personal data
	// Code is the dossier code the router read from this update's text, in
	// its canonical form ("" when none): a slot holding exactly it need not
	// be read again.
	Code string
	read map[string]domain.Dossier
}

// Dossier is the dossier of canonical code already read in this turn, so
// that a later step does not read it again.
func (c Call) Dossier(code string) (domain.Dossier, bool) {
	d, ok := c.read[code]
	return d, ok
}

// with is c with other slots: an action that runs another one with its
// own arguments (a rating that proves the dossier as a lookup does).
func (c Call) with(slots map[string]string) Call {
	c.Call = dialog.Call{User: c.User, Flow: c.Flow, Step: c.Step, Slots: slots}
	return c
}

// Action is a dialog action as a feature writes it.
type Action func(ctx context.Context, c Call) (Result, error)

// Actions are a feature's actions by the names its flows use.
type Actions map[string]Action

// Result is what an action returns: dialog.Result's fields (the branch,
// slots to merge, what to say, the buttons of the next dynamic step) and
// the effects on the turn.
type Result struct {
	Branch  string
	Slots   map[string]string
	Say     []dialog.Prompt
	Choices []dialog.Button
	Effects
}

func (r Result) dialog() dialog.Result {
	return dialog.Result{Branch: r.Branch, Slots: r.Slots, Say: r.Say, Choices: r.Choices}
}

// Effects are what an action changes of the turn, beyond the dialog.
type Effects struct {
	Menu      bool        // show the main-menu keyboard again, even if the person has it
	Consented bool        // the person agreed to the privacy notice just now
	Lang      string      // the person chose this language (stored): the turn speaks it
	SayIn     string      // this turn's replies in this language, not the person's (a report asked in English)
	Phone     string      // a phone proved and linked to the chat just now
	Role      domain.Role // the chat's role just changed (an official registered)
	Forget    bool        // the person's data erased: the chat is new, its session dropped
	NoPending bool        // the flow waiting for the consent is not resumed (cancelled)
	// Then is a flow to enter, with ThenSlots, once the person agrees to
	// the privacy notice (a slip's link opened before consenting).
	Then      string
	ThenSlots map[string]string
	// Read is a dossier this action read: later actions of the turn take
	// it from Call.Dossier instead of reading it again.
	Read *domain.Dossier
}

// leaveIdle marks err as ending the flow: the person is left idle, not on
// the step (an admin's action refused to someone no longer admin).
func leaveIdle(err error) error { return &idleError{err} }

type idleError struct{ error }

func (e *idleError) Unwrap() error { return e.error }

// Act runs the action name for the turn: the one place an action's
// effects reach the turn. It makes the turn a dialog.Actor.
func (t *turn) Act(ctx context.Context, name string, dc dialog.Call) (dialog.Result, error) {
	res, err := t.r.actions[name](ctx, t.call(dc))
	if err != nil {
		return dialog.Result{}, err
	}
	t.take(res.Effects)
	return res.dialog(), nil
}

// call is what an action may read of the turn.
func (t *turn) call(dc dialog.Call) Call {
	return Call{Call: dc, Citizen: t.cit, Lang: t.lang, Feat: t.feat, Now: t.r.cfg.Now(), Log: t.log, Code: t.code, read: t.read}
}

// take applies an action's effects to the turn.
func (t *turn) take(e Effects) {
	if e.Consented {
		t.cit.ConsentAt = t.r.cfg.Now()
	}
	if e.Lang != "" {
		t.lang, t.cit.Lang = e.Lang, e.Lang
	}
	if e.SayIn != "" {
		t.lang = e.SayIn
	}
	if e.Phone != "" {
		t.cit.Phone = e.Phone
	}
	if e.Role != "" {
		t.cit.Role = e.Role
	}
	if e.Forget {
		t.cit.ConsentAt, t.cit.Phone = time.Time{}, ""
		t.forget = true
	}
	if e.NoPending {
		t.sess.Then, t.sess.ThenSlots = "", nil
	}
	if e.Then != "" {
		t.sess.Then, t.sess.ThenSlots = e.Then, e.ThenSlots
	}
	if e.Read != nil {
		if t.read == nil {
			t.read = map[string]domain.Dossier{}
		}
		t.read[domain.CanonicalCode(e.Read.Code)] = *e.Read
	}
	t.force = t.force || e.Menu
}

// bind gathers the features' actions; a name bound twice is an error, not
// a silent override.
func bind(features []Actions) (Actions, error) {
	all := Actions{}
	var dup []string
	for _, f := range features {
		for name, a := range f {
			if _, ok := all[name]; ok {
				dup = append(dup, name)
			}
			all[name] = a
		}
	}
	if len(dup) > 0 {
		slices.Sort(dup)
		return nil, fmt.Errorf("bot: actions bound twice: %v", dup)
	}
	return all, nil
}

// bound says whether name is an action (dialog.New's check).
func (a Actions) bound(name string) bool { _, ok := a[name]; return ok }
