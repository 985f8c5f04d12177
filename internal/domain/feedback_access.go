package domain

import "xabot/internal/fold"

// Who hears about a citizen's message and who may read and act on it. One
// rule, MayFeedback, answers for every use: the officials' buttons, the
// /phananh lists, the cards and photos sent to officials, the forward
// targets and the feedback-sla job's warnings.
//
// A message is routed by its category through the commune's routing table
// (FeedbackRouting, from the commune profile). Sensitive messages —
// complaints, denunciations and feedback about staff attitude — are not
// routed by the table: they go only to the heads of the one-stop shop and
// the chairmen, never to the officials of the field they name, and never to
// the official named as handler of the dossier the text cites
// (Feedback.DossierHandler, recorded at submission): a denunciation must not
// reach the person it accuses.
//
// An official sees a message when it is routed to one of their fields or
// given to them (they own it); heads and chairmen supervise and see every
// message that is not sensitive, and the sensitive ones they are not
// excluded from. The admin role gives no access by itself: an admin sees
// what their fields or the head flag give them, like anyone else. Acting
// (take, answer, ask for more, refuse, forward) needs the message to be seen
// and nobody else to own it, unless the actor supervises.

// Access actions besides the buttons' (FeedbackActions): listing a message
// in /phananh and receiving its card (with its photos).
const (
	ActList = "list"
	ActSee  = "see"
)

// FeedbackRoute says who first receives the feedback of one category.
type FeedbackRoute struct {
	Fields   []string // the officials of any of these fields (lĩnh vực, matched without case or accents)
	Head     bool     // the heads of the one-stop shop
	Chairman bool     // the chairmen
}

// Empty reports whether the route names nobody.
func (r FeedbackRoute) Empty() bool { return len(r.Fields) == 0 && !r.Head && !r.Chairman }

// FeedbackRouting is a commune's routing table: the route of each category
// (the commune profile's, internal/commune/routing.yaml by default). A
// category without a route goes to the heads of the one-stop shop.
// Sensitive messages ignore it (Feedback.Sensitive).
type FeedbackRouting map[Category]FeedbackRoute

// Routable reports whether a profile may route category c: every valid
// category except the sensitive staff_attitude.
func (c Category) Routable() bool { return c.Valid() && c != CatStaffAttitude }

// route is c's route, the heads of the one-stop shop when the table has none.
func (rt FeedbackRouting) route(c Category) FeedbackRoute {
	if r, ok := rt[c]; ok && !r.Empty() {
		return r
	}
	return FeedbackRoute{Head: true}
}

// routes reports whether f's route names o (without the fallbacks).
func (rt FeedbackRouting) routes(o Official, f Feedback) bool {
	r := rt.route(f.Category)
	if (r.Head && o.Head) || (r.Chairman && o.Role == RoleChairman) {
		return true
	}
	for _, field := range r.Fields {
		if o.Handles(field) {
			return true
		}
	}
	return false
}

// Sensitive reports whether f goes only to the heads of the one-stop shop
// and the chairmen: complaints, denunciations, and feedback about staff.
func (f Feedback) Sensitive() bool { return f.Kind.Legal() || f.Category == CatStaffAttitude }

// Excludes reports whether o is kept away from f: f is sensitive and o's
// name is the handler of the dossier f's text cites (matched as the alerts
// match handlers: without case or accents).
func (f Feedback) Excludes(o Official) bool {
	h := fold.String(f.DossierHandler)
	return f.Sensitive() && h != "" && fold.String(o.Name) == h
}

// Supervises reports whether o oversees the commune's feedback: a head of
// the one-stop shop or a chairman.
func (o Official) Supervises() bool { return o.Head || o.Role == RoleChairman }

// MayFeedback is the access rule: whether official o may do action (one of
// FeedbackActions, ActList or ActSee) on f under routing rt. It does not
// look at f's status (Feedback.Can does). f.Owner must be "" when its owner
// is no longer active: a message whose owner left is nobody's.
func MayFeedback(o Official, f Feedback, action string, rt FeedbackRouting) bool {
	if !o.Active() || f.Excludes(o) {
		return false
	}
	sup := o.Supervises()
	mine := f.Owner != "" && f.Owner == o.ChatKey
	switch {
	case f.Sensitive() && !sup:
		return false
	case !sup && !mine && !rt.routes(o, f):
		return false
	}
	switch action {
	case ActList, ActSee:
		return true
	case ActTake, ActAnswer, ActMore, ActRefuse:
		return sup || mine || f.Owner == ""
	case ActForward:
		// Handing a message on is for whoever answers for it: its owner, or
		// a head or chairman. A field official takes it first.
		return sup || mine
	}
	return false
}

// CheckForward says whether by may give f to to, once by may forward it
// (MayFeedback ActForward): never to oneself (feedback.forward_self), nor
// to its owner (feedback.forward_same); a sensitive message only to a head
// or chairman it does not exclude, another one to anyone who handles
// feedback — an official or chairman, or an admin with fields or the head
// flag (feedback.forward_not_eligible {name}).
func CheckForward(by, to Official, f Feedback) error {
	switch {
	case to.ChatKey != "" && to.ChatKey == by.ChatKey:
		return Invalid("feedback.forward_self", "ticket", f.Ticket)
	case to.ChatKey != "" && to.ChatKey == f.Owner:
		return Invalid("feedback.forward_same", "ticket", f.Ticket)
	}
	ok := to.Active() && !f.Excludes(to)
	if f.Sensitive() {
		ok = ok && to.Supervises()
	} else {
		ok = ok && (to.Role != RoleAdmin || to.Head || len(to.Fields) > 0)
	}
	if !ok {
		return Invalid("feedback.forward_not_eligible", "ticket", f.Ticket, "name", to.Name)
	}
	return nil
}

// FeedbackRecipients is who is told about a new message f among staff, in
// staff's order, each once: for a sensitive one the heads of the one-stop
// shop and the chairmen it does not exclude; for another, those its route
// names, else the heads, else the chairmen, so that nothing goes unheard.
func FeedbackRecipients(f Feedback, staff []Official, rt FeedbackRouting) []Official {
	if f.Sensitive() {
		return seeing(f, staff, rt, Official.Supervises)
	}
	if to := seeing(f, staff, rt, func(o Official) bool { return rt.routes(o, f) }); len(to) > 0 {
		return to
	}
	return FeedbackSupervisors(f, staff, rt)
}

// FeedbackSupervisors is who oversees f among staff: the heads of the
// one-stop shop who may see it, else the chairmen who may — where reopened
// messages and overdue clocks go.
func FeedbackSupervisors(f Feedback, staff []Official, rt FeedbackRouting) []Official {
	if hs := seeing(f, staff, rt, func(o Official) bool { return o.Head }); len(hs) > 0 {
		return hs
	}
	return seeing(f, staff, rt, func(o Official) bool { return o.Role == RoleChairman })
}

// seeing returns the officials of staff that match and may see f, each once.
func seeing(f Feedback, staff []Official, rt FeedbackRouting, match func(Official) bool) []Official {
	var out []Official
	seen := map[string]bool{}
	for _, o := range staff {
		if seen[o.ChatKey] || !match(o) || !MayFeedback(o, f, ActSee, rt) {
			continue
		}
		seen[o.ChatKey] = true
		out = append(out, o)
	}
	return out
}
