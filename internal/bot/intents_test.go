package bot

import (
	"strings"
	"testing"

	"xabot/dialogs"
	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/locales"
)

// loadedDialogs is dialogs/ as the router loads it.
func loadedDialogs(t *testing.T) *dialog.Engine {
	t.Helper()
	texts, err := i18n.Load(locales.FS, "vi")
	if err != nil {
		t.Fatal(err)
	}
	acts, err := bind((&Router{}).features())
	if err != nil {
		t.Fatal(err)
	}
	e, err := dialog.New(dialogs.FS, texts.Has, acts.bound)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// longestArg is the longest choice kind accepts among those the services
// and forged presses use; "" for the kinds without one.
func longestArg(t *testing.T, k domain.IntentKind) string {
	t.Helper()
	if !k.TakesArg() {
		return ""
	}
	best := ""
	for _, a := range append(domain.FeedbackActions(), "1", "5", "30", domain.Helpful, domain.NotHelpful) {
		if (domain.Intent{Kind: k, Ref: "x", Arg: a}).Valid() && len(a) > len(best) {
			best = a
		}
	}
	if best == "" {
		t.Fatalf("intent %s accepts none of the sample choices", k)
	}
	return best
}

// TestEveryIntentHasAButton: each kind a service may put under a notice
// has a step in dialogs/ that takes its press, and its button, with the
// longest Ref, fits Telegram's 64 bytes and reads back as the same intent.
func TestEveryIntentHasAButton(t *testing.T) {
	e := loadedDialogs(t)
	if err := checkIntents(e, intentSteps()); err != nil {
		t.Fatal(err)
	}
	for _, k := range domain.IntentKinds() {
		in := domain.Intent{Kind: k, Ref: strings.Repeat("H", domain.MaxRef), Arg: longestArg(t, k)}
		if k.RefLimit() < domain.MaxRef { // a kind about no record: its one Ref
			in.Ref = domain.AllAnnouncements
		}
		data, err := intentData(in)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if len(data) > maxData {
			t.Errorf("%s: %q is %d bytes", k, data, len(data))
		}
		flow, step, value, err := dialog.ParseData(data)
		if err != nil {
			t.Fatal(err)
		}
		f, ok := e.Flow(flow)
		if !ok {
			t.Fatalf("%s: %q: no flow %s", k, data, flow)
		}
		if s, ok := f.Step(step); !ok || !s.Dynamic || !s.Reenter {
			t.Errorf("%s: %q: step %s/%s does not take an earlier message's press", k, data, flow, step)
		}
		if back, ok := intentOf(k, value); !ok || back != in {
			t.Errorf("%s: %q reads back as %+v, %t", k, data, back, ok)
		}
	}
	// One byte more than MaxRef is refused, not sent to fail at Telegram.
	if _, err := intentData(domain.Intent{Kind: domain.IntentUnsubscribe, Ref: strings.Repeat("H", domain.MaxRef+1)}); err == nil {
		t.Error("a ref longer than domain.MaxRef made a button")
	}
	if _, err := intentData(domain.Intent{Kind: "delete", Ref: "x"}); err == nil {
		t.Error("an unknown kind made a button")
	}
}

// TestIntentDataOnTheWire: the data is what the services spelt before
// intents, byte for byte, so the buttons in people's chats still work.
func TestIntentDataOnTheWire(t *testing.T) {
	const code, ticket = "H55.20-261118-0003", "PA-2611-0042"
	for _, c := range []struct {
		in   domain.Intent
		want string
	}{
		{domain.Intent{Kind: domain.IntentUnsubscribe, Ref: code}, "unsub/confirm/" + code},
		{domain.Intent{Kind: domain.IntentExtend, Ref: code, Arg: "5"}, "apology/pick/" + code + ":5"},
		{domain.Intent{Kind: domain.IntentRate, Ref: code}, "rate/offer/" + code},
		{domain.Intent{Kind: domain.IntentRateLevel, Ref: code, Arg: "4"}, "rate/level/" + code + ":4"},
		{domain.Intent{Kind: domain.IntentAct, Ref: ticket, Arg: domain.ActForward}, "fb/act/" + ticket + ":forward"},
		{domain.Intent{Kind: domain.IntentJudge, Ref: ticket, Arg: domain.NotHelpful}, "fb/rate/" + ticket + ":no"},
		{domain.Intent{Kind: domain.IntentSupplement, Ref: ticket}, "fb/supp/" + ticket},
	} {
		if got, err := intentData(c.in); err != nil || got != c.want {
			t.Errorf("intentData(%+v) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// TestCheckIntentsCatchesBadTable: a table entry pointing at a missing
// step or flow, at a step that cannot take an earlier message's press, or
// with names too long for the data, a kind left out and a kind unknown
// are each a start error.
func TestCheckIntentsCatchesBadTable(t *testing.T) {
	e := loadedDialogs(t)
	for _, c := range []struct {
		name string
		kind domain.IntentKind
		to   intentStep // zero: the kind left out of the table
		want []string
	}{
		{"missing step", domain.IntentAct, intentStep{"fb", "take"}, []string{"intent act: flow fb has no step \"take\""}},
		{"missing flow", domain.IntentUnsubscribe, intentStep{"unfollow", "confirm"},
			[]string{"intent unsubscribe: flow \"unfollow\" does not exist"}},
		{"step without reenter", domain.IntentAct, intentStep{"fb", "pick_colleague"},
			[]string{"intent act: step fb/pick_colleague must be dynamic, reenter", "intent act: data of the longest ref would be 67 bytes"}},
		{"step for typed text", domain.IntentRate, intentStep{"rate", "ask_code"}, []string{"intent rate: step rate/ask_code must be dynamic"}},
		{"too long", domain.IntentAct, intentStep{"fb", strings.Repeat("s", 20)},
			[]string{"intent act: flow fb has no step", "intent act: data of the longest ref would be 73 bytes"}},
		{"kind left out", domain.IntentJudge, intentStep{}, []string{"intent judge: no step does it"}},
		{"unknown kind", "delete", intentStep{"fb", "act"}, []string{"intent delete: not a domain.IntentKinds kind"}},
	} {
		table := intentSteps()
		table[c.kind] = c.to
		if c.to == (intentStep{}) {
			delete(table, c.kind)
		}
		err := checkIntents(e, table)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v\nwant %q", c.name, err, w)
			}
		}
		if n := strings.Count(err.Error(), "\n") + 1; n != len(c.want) {
			t.Errorf("%s: %d problems, want %d: %v", c.name, n, len(c.want), err)
		}
	}
}

// TestIntentOfRefusesForgedPresses: a press is read back only into an
// intent its kind accepts; the services then check who presses.
func TestIntentOfRefusesForgedPresses(t *testing.T) {
	for _, c := range []struct {
		kind  domain.IntentKind
		value string
	}{
		{domain.IntentAct, "PA-2611-0042:delete"},
		{domain.IntentAct, "PA-2611-0042"},
		{domain.IntentAct, ":take"},
		{domain.IntentAct, "PA-2611-0042:take:x"},
		{domain.IntentJudge, "PA-2611-0042:maybe"},
		{domain.IntentRateLevel, "H55.20-261118-0003:6"},
		{domain.IntentRateLevel, "H55.20-261118-0003:0"},
		{domain.IntentRateLevel, "H55.20-261118-0003"},
		{domain.IntentExtend, "H55.20-261118-0003:31"},
		{domain.IntentExtend, "H55.20-261118-0003:-3"},
		{domain.IntentUnsubscribe, ""},
		{domain.IntentSupplement, ""},
		{"delete", "x"},
	} {
		if in, ok := intentOf(c.kind, c.value); ok {
			t.Errorf("intentOf(%s, %q) = %+v, accepted", c.kind, c.value, in)
		}
	}
	// A code with a colon in it (an odd import) keeps it: the choice is
	// after the last one.
	if in, ok := intentOf(domain.IntentRateLevel, "AB:12-250501-1:3"); !ok || in.Ref != "AB:12-250501-1" || in.Arg != "3" {
		t.Errorf("code with a colon: %+v, %t", in, ok)
	}
}
