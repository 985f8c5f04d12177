package dialog

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

var keys = map[string]bool{"ask.code": true, "ask.phone": true, "done": true, "yes": true, "no": true,
	"label.a": true, "hello": true, "bye": true}

func hasKey(k string) bool { return keys[k] }

const lookupYAML = `
id: lookup
label: label.a
commands: [tracuu]
triggers: [code]
start: ask_code
steps:
  - id: ask_code
    say: ask.code
    save: code
    prefill: true
    max: 20
    action: find
    branches: {known: show}
    next: ask_phone
  - id: ask_phone
    say: ask.phone
    save: phone
    contact: true
    action: verify
    next: show
  - id: show
    say: done
`

const confirmYAML = `
id: confirm
commands: [ok]
start: ask
steps:
  - id: ask
    say: hello
    choices:
      - {label: yes, value: "y", next: good}
      - {label: no, value: "n", next: "@lookup"}
  - id: good
    say: bye
`

func engine(t *testing.T, calls *[]string) testEngine {
	t.Helper()
	actions := Actions{
		"find": func(_ context.Context, c Call) (Result, error) {
			*calls = append(*calls, "find:"+c.Slots["code"])
			if c.Slots["code"] == "bad" {
				return Result{}, errors.New("bad code")
			}
			if c.Slots["code"] == "mine" {
				return Result{Branch: "known"}, nil
			}
			return Result{Slots: map[string]string{"code": strings.ToUpper(c.Slots["code"])}}, nil
		},
		"verify": func(_ context.Context, c Call) (Result, error) {
			*calls = append(*calls, "verify:"+c.Slots["code"]+":"+c.Slots["phone"]+":"+c.Slots["phone_own"])
			return Result{Say: []Prompt{{Key: "yes"}}}, nil
		},
	}
	e, err := New(fstest.MapFS{
		"lookup.yaml":  {Data: []byte(lookupYAML)},
		"confirm.yaml": {Data: []byte(confirmYAML)},
	}, hasKey, actions.Bound)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return testEngine{e, actions}
}

// testEngine runs an Engine with the test's actions, as the bot runs one
// with its turn.
type testEngine struct {
	*Engine
	acts Actions
}

func (e testEngine) Start(ctx context.Context, user, id string, slots map[string]string) (Out, error) {
	return e.Engine.Start(ctx, e.acts, user, id, slots)
}

func (e testEngine) Answer(ctx context.Context, user string, st State, in Input) (Out, error) {
	return e.Engine.Answer(ctx, e.acts, user, st, in)
}

func keysOf(ps []Prompt) string {
	var ks []string
	for _, p := range ps {
		ks = append(ks, p.Key)
	}
	return strings.Join(ks, ",")
}

func TestLookupFlow(t *testing.T) {
	var calls []string
	e := engine(t, &calls)
	ctx := context.Background()
	out, err := e.Start(ctx, "u", "lookup", nil)
	if err != nil || out.State.Step != "ask_code" || keysOf(out.Say) != "ask.code" {
		t.Fatalf("Start = %+v, %v", out, err)
	}
	out, err = e.Answer(ctx, "u", out.State, Input{Text: " h55-1 "})
	if err != nil || out.State.Step != "ask_phone" || out.State.Slots["code"] != "H55-1" {
		t.Fatalf("Answer code = %+v, %v", out, err)
	}
	if !out.Say[0].Contact {
		t.Errorf("ask_phone prompt does not offer the contact key")
	}
	out, err = e.Answer(ctx, "u", out.State, Input{Contact: "0905", ContactOwn: true})
	if err != nil || !out.State.Idle() || keysOf(out.Say) != "yes,done" {
		t.Fatalf("Answer contact = %+v, %v", out, err)
	}
	if want := "verify:H55-1:0905:true"; calls[len(calls)-1] != want {
		t.Errorf("verify call = %q, want %q", calls[len(calls)-1], want)
	}
}

func TestPrefillAndBranch(t *testing.T) {
	var calls []string
	e := engine(t, &calls)
	out, err := e.Start(context.Background(), "u", "lookup", map[string]string{"code": "mine"})
	if err != nil || !out.State.Idle() || keysOf(out.Say) != "done" {
		t.Fatalf("Start prefilled = %+v, %v; want the known branch straight to show", out, err)
	}
}

func TestErrorsKeepTheState(t *testing.T) {
	var calls []string
	e := engine(t, &calls)
	ctx := context.Background()
	st := State{Flow: "lookup", Step: "ask_code", Slots: map[string]string{"x": "1"}}
	tests := []struct {
		name string
		in   Input
		key  string
	}{
		{"empty", Input{Text: "   "}, "input.empty"},
		{"too long", Input{Text: strings.Repeat("a", 21)}, "input.too_long"},
		{"button on a text step", Input{Choice: "y"}, "input.need_text"},
		{"contact where none is asked", Input{Contact: "0905"}, "input.no_contact"},
	}
	for _, tt := range tests {
		_, err := e.Answer(ctx, "u", st, tt.in)
		var bad *BadAnswer
		if !errors.As(err, &bad) || bad.Key != tt.key {
			t.Errorf("%s: err = %v, want BadAnswer %s", tt.name, err, tt.key)
		}
	}
	if _, err := e.Answer(ctx, "u", st, Input{Text: "bad"}); err == nil || err.Error() != "bad code" {
		t.Errorf("action error = %v, want it passed through", err)
	}
	if st.Slots["code"] != "" {
		t.Errorf("a failed answer leaked into the caller's slots: %v", st.Slots)
	}
}

func TestChoices(t *testing.T) {
	var calls []string
	e := engine(t, &calls)
	ctx := context.Background()
	out, err := e.Start(ctx, "u", "confirm", nil)
	if err != nil || len(out.Say) != 1 || len(out.Say[0].Choices) != 2 {
		t.Fatalf("Start confirm = %+v, %v", out, err)
	}
	if d := out.Say[0].Choices[0].Data; d != "confirm/ask/y" {
		t.Errorf("button data = %q", d)
	}
	if _, err := e.Answer(ctx, "u", out.State, Input{Choice: "forged"}); err == nil {
		t.Error("a forged choice was accepted")
	}
	got, err := e.Answer(ctx, "u", out.State, Input{Text: "1"})
	if err != nil || keysOf(got.Say) != "bye" {
		t.Errorf("typed 1 = %+v, %v; want the first choice", got, err)
	}
	got, err = e.Answer(ctx, "u", out.State, Input{Choice: "n"})
	if err != nil || got.State.Flow != "lookup" || got.State.Step != "ask_code" {
		t.Errorf("choice n = %+v, %v; want a jump to flow lookup", got, err)
	}
}

func TestValidationReportsEverything(t *testing.T) {
	broken := `
id: broken
commands: [Bad-Command]
start: nowhere
steps:
  - id: one
    say: missing.key
    action: unbound
    next: two
`
	_, err := New(fstest.MapFS{"b.yaml": {Data: []byte(broken)}}, hasKey, Actions{}.Bound)
	if err == nil {
		t.Fatal("a broken dialog loaded")
	}
	for _, want := range []string{"start step", "unknown locale key \"missing.key\"", "action \"unbound\" is not bound",
		"unknown step \"two\"", "Telegram takes only"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	if _, err := New(fstest.MapFS{"b.yaml": {Data: []byte("id: x\nstrat: a\n")}}, hasKey, nil); err == nil ||
		!strings.Contains(err.Error(), "strat") {
		t.Errorf("a misspelt field was not reported: %v", err)
	}
}

func TestParseData(t *testing.T) {
	f, s, v, err := ParseData("lookup/ask/H55.20-250501-0001")
	if err != nil || f != "lookup" || s != "ask" || v != "H55.20-250501-0001" {
		t.Errorf("ParseData = %q %q %q %v", f, s, v, err)
	}
	for _, bad := range []string{"", "x", "x/y", "/a/b", "\xff"} {
		if _, _, _, err := ParseData(bad); err == nil {
			t.Errorf("ParseData(%q) accepted", bad)
		}
	}
}
