package bot

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"xabot/internal/dialog"
	"xabot/internal/domain"
)

// Intents are what services offer a person to do next (domain.Intent); the
// bot alone knows which dialog step does each. A button's data is
// dialog.Data(flow, step, value), the value being the intent's Ref, or
// "Ref:Arg" for the kinds that take a choice. That is the data the
// services spelt by hand before intents (unsub/confirm/CODE,
// fb/act/TICKET:take…), so buttons already in people's chats keep working.

// maxData is Telegram's limit on a button's callback data, in bytes.
const maxData = 64

// intentStep is the dialog step that does an intent.
type intentStep struct{ flow, step string }

// intentSteps is the one table of intent kind → step. New checks it
// against dialogs/ (checkIntents).
func intentSteps() map[domain.IntentKind]intentStep {
	return map[domain.IntentKind]intentStep{
		domain.IntentUnsubscribe:       {"unsub", "confirm"},
		domain.IntentExtend:            {"apology", "pick"},
		domain.IntentRate:              {"rate", "offer"},
		domain.IntentRateLevel:         {"rate", "level"},
		domain.IntentAct:               {"fb", "act"},
		domain.IntentJudge:             {"fb", "rate"},
		domain.IntentSupplement:        {"fb", "supp"},
		domain.IntentStopAnnouncements: {"announce_stop", "tap"},
	}
}

// intentValue is the part of the data that names the record and the
// choice: the value its step's action reads.
func intentValue(in domain.Intent) string {
	if in.Kind.TakesArg() {
		return in.Ref + ":" + in.Arg
	}
	return in.Ref
}

// IntentData is the callback data of a button that does in: what the
// notifier puts under a service's notice.
func IntentData(in domain.Intent) (string, error) { return intentData(in) }

// intentData is the callback data of a button that does in.
func intentData(in domain.Intent) (string, error) {
	s, ok := intentSteps()[in.Kind]
	if !ok {
		return "", fmt.Errorf("bot: intent %q has no step", in.Kind)
	}
	if !in.Fits() {
		return "", fmt.Errorf("bot: intent %q does not fit a button (ref %d bytes)", in.Kind, len(in.Ref))
	}
	return dialog.Data(s.flow, s.step, intentValue(in)), nil
}

// intentOf reads the value of a press on kind's step back into an intent;
// false for anything its kind does not accept (a forged or mangled press).
// The record is split from the choice at the last colon, so an odd
// imported code with a colon in it still reads.
func intentOf(kind domain.IntentKind, value string) (domain.Intent, bool) {
	in := domain.Intent{Kind: kind, Ref: value}
	if kind.TakesArg() {
		i := strings.LastIndexByte(value, ':')
		if i < 0 {
			return domain.Intent{}, false
		}
		in.Ref, in.Arg = value[:i], value[i+1:]
	}
	return in, in.Valid()
}

// checkIntents proves table against the loaded dialogs: every kind has a
// step; the step exists and takes the press of a button sent earlier —
// any value (dynamic), outside the flow (reenter) — into a slot; and the
// data of the longest Ref and Arg stays within maxData. It reports every
// problem at once.
func checkIntents(e *dialog.Engine, table map[domain.IntentKind]intentStep) error {
	var errs []error
	bad := func(k domain.IntentKind, format string, a ...any) {
		errs = append(errs, fmt.Errorf("intent %s: "+format, append([]any{k}, a...)...))
	}
	kinds := domain.IntentKinds()
	for k := range table {
		if !slices.Contains(kinds, k) {
			bad(k, "not a domain.IntentKinds kind")
		}
	}
	for _, k := range kinds {
		s, ok := table[k]
		if !ok {
			bad(k, "no step does it")
			continue
		}
		f, ok := e.Flow(s.flow)
		if !ok {
			bad(k, "flow %q does not exist", s.flow)
			continue
		}
		st, ok := f.Step(s.step)
		switch {
		case !ok:
			bad(k, "flow %s has no step %q", s.flow, s.step)
		case !st.Dynamic || !st.Reenter || st.Save == "":
			bad(k, "step %s/%s must be dynamic, reenter and save the value, to take a press from an earlier message", s.flow, s.step)
		}
		longest := strings.Repeat("x", k.RefLimit())
		if k.TakesArg() {
			longest += ":" + strings.Repeat("x", domain.MaxArg)
		}
		if n := len(dialog.Data(s.flow, s.step, longest)); n > maxData {
			bad(k, "data of the longest ref would be %d bytes (at most %d)", n, maxData)
		}
	}
	return errors.Join(errs...)
}
