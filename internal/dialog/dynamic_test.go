package dialog

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// A dynamic step accepts only a choice it offered: a forged value, or one
// of another step's list, is refused and its action never runs.
const pickYAML = `
id: pick
commands: [pick]
start: list
steps:
  - id: list
    action: list
    next: choose
  - id: choose
    dynamic: true
    save: item
    action: chosen
    next: second
  - id: second
    dynamic: true
    save: again
    action: again
  - id: old
    dynamic: true
    reenter: true
    save: old
    action: old
`

func pickEngine(t *testing.T, calls *[]string, opts ...Option) testEngine {
	t.Helper()
	record := func(name, slot string) Action {
		return func(_ context.Context, c Call) (Result, error) {
			*calls = append(*calls, name+":"+c.Slots[slot])
			return Result{}, nil
		}
	}
	actions := Actions{
		"list": func(_ context.Context, c Call) (Result, error) {
			return Result{Choices: []Button{{Text: "Đất đai", Data: "0"}, {Text: "Hộ Tịch", Data: "1"}, {Key: "yes", Data: "H55:2"}}}, nil
		},
		// chosen offers nothing for the next step: an empty list.
		"chosen": record("chosen", "item"),
		"again":  record("again", "again"),
		"old":    record("old", "old"),
	}
	e, err := New(fstest.MapFS{"pick.yaml": {Data: []byte(pickYAML)}}, hasKey, actions.Bound, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return testEngine{e, actions}
}

func TestDynamicAcceptsOnlyWhatWasOffered(t *testing.T) {
	ctx := context.Background()
	accent := func(s string) string {
		return strings.NewReplacer("đ", "d", "ấ", "a", "ộ", "o", "ị", "i").Replace(strings.ToLower(strings.TrimSpace(s)))
	}
	tests := []struct {
		name  string
		in    Input
		want  string // the value the action got; "" = refused with key
		key   string
		folds bool
	}{
		{"pressed, offered", Input{Choice: "1"}, "1", "", false},
		{"pressed, offered, with a colon", Input{Choice: "H55:2"}, "H55:2", "", false},
		{"pressed, forged", Input{Choice: "7"}, "", "errors.button_expired", false},
		{"pressed, a value of another step", Input{Choice: "x"}, "", "errors.button_expired", false},
		{"typed number", Input{Text: " 2 "}, "1", "", false},
		{"typed number out of range", Input{Text: "4"}, "", "input.pick_one", false},
		{"typed value", Input{Text: "H55:2"}, "H55:2", "", false},
		{"typed label, case aside", Input{Text: "hộ  tịch"}, "1", "", false},
		{"typed label without accents, default", Input{Text: "dat dai"}, "", "input.pick_one", false},
		{"typed label without accents, folded", Input{Text: "Dat dai"}, "0", "", true},
		{"typed anything else", Input{Text: "rubbish"}, "", "input.pick_one", false},
		{"typed nothing", Input{Text: "  "}, "", "input.pick_one", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []string
			var opts []Option
			if tt.folds {
				opts = append(opts, WithFold(accent))
			}
			e := pickEngine(t, &calls, opts...)
			out, err := e.Start(ctx, "u", "pick", nil)
			if err != nil || out.State.Step != "choose" || len(out.Say) != 1 || len(out.Say[0].Choices) != 3 ||
				out.Say[0].Choices[2].Data != "pick/choose/H55:2" {
				t.Fatalf("Start = %+v, %v", out, err)
			}
			got, err := e.Answer(ctx, "u", out.State, tt.in)
			if tt.want == "" {
				var bad *BadAnswer
				if !errors.As(err, &bad) || bad.Key != tt.key {
					t.Fatalf("Answer(%+v) = %+v, %v; want BadAnswer %s", tt.in, got, err, tt.key)
				}
				if len(calls) != 0 {
					t.Errorf("the action ran: %v", calls)
				}
				return
			}
			if err != nil || len(calls) != 1 || calls[0] != "chosen:"+tt.want || got.State.Step != "second" {
				t.Fatalf("Answer(%+v) = %+v, %v, calls %v; want chosen:%s", tt.in, got, err, calls, tt.want)
			}
		})
	}
}

// The list kept is the last step's: a value offered by the step before no
// longer counts, and a list saved for another step does not either.
func TestDynamicStaleList(t *testing.T) {
	ctx := context.Background()
	var calls []string
	e := pickEngine(t, &calls)
	out, err := e.Start(ctx, "u", "pick", nil)
	if err != nil {
		t.Fatal(err)
	}
	atChoose := out.State
	out, err = e.Answer(ctx, "u", atChoose, Input{Choice: "0"})
	if err != nil || out.State.Step != "second" {
		t.Fatalf("Answer = %+v, %v", out, err)
	}
	var bad *BadAnswer
	if _, err := e.Answer(ctx, "u", out.State, Input{Choice: "1"}); !errors.As(err, &bad) || bad.Key != "errors.button_expired" {
		t.Errorf("a value of the previous step's list: %v", err)
	}
	if _, err := e.Answer(ctx, "u", out.State, Input{Text: "1"}); !errors.As(err, &bad) || bad.Key != "input.pick_one" {
		t.Errorf("a number of the previous step's list: %v", err)
	}
	// choose's list moved by hand onto step second is not second's.
	forged := State{Flow: "pick", Step: "second", Slots: map[string]string{choicesSlot: atChoose.Slots[choicesSlot]}}
	if _, err := e.Answer(ctx, "u", forged, Input{Choice: "1"}); !errors.As(err, &bad) || bad.Key != "errors.button_expired" {
		t.Errorf("another step's list: %v", err)
	}
	if want := []string{"chosen:0"}; strings.Join(calls, ",") != strings.Join(want, ",") {
		t.Errorf("calls %v, want %v", calls, want)
	}
}

// A step marked reenter takes a pressed value it did not offer (an older
// message's button, the bot's state not at that step): its action checks it.
func TestDynamicReenter(t *testing.T) {
	ctx := context.Background()
	var calls []string
	e := pickEngine(t, &calls)
	if _, err := e.Answer(ctx, "u", State{Flow: "pick", Step: "old"}, Input{Choice: "CODE:5"}); err != nil {
		t.Fatal(err)
	}
	var bad *BadAnswer
	if _, err := e.Answer(ctx, "u", State{Flow: "pick", Step: "old"}, Input{Text: "CODE:5 typed"}); !errors.As(err, &bad) || bad.Key != "input.pick_one" {
		t.Errorf("typed at a reenter step with nothing offered: %v", err)
	}
	if strings.Join(calls, ",") != "old:CODE:5" {
		t.Errorf("calls %v", calls)
	}
}
