package dialog

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// A dynamic step with typed: SLOT takes words that pick none of its
// choices into SLOT (a search) instead of refusing them; a choice picked
// by number, label or button empties SLOT; a pressed value it did not
// offer, or words over the step's max, are still refused.
func TestTypedWords(t *testing.T) {
	const flow = `
id: find
commands: [find]
start: list
steps:
  - id: list
    action: list
    next: pick
  - id: pick
    dynamic: true
    save: pick
    typed: query
    max: 20
    action: picked
    next: pick
`
	var calls []string
	actions := Actions{
		"list": func(context.Context, Call) (Result, error) {
			return Result{Choices: []Button{{Text: "Hộ tịch", Data: "f:0"}, {Text: "Đất đai", Data: "f:1"}}}, nil
		},
		"picked": func(_ context.Context, c Call) (Result, error) {
			calls = append(calls, c.Slots["pick"]+"|"+c.Slots["query"])
			return Result{Choices: []Button{{Text: "Hộ tịch", Data: "f:0"}, {Text: "Đất đai", Data: "f:1"}}}, nil
		},
	}
	e0, err := New(fstest.MapFS{"find.yaml": {Data: []byte(flow)}}, hasKey, actions.Bound)
	if err != nil {
		t.Fatal(err)
	}
	e := testEngine{e0, actions}
	out, err := e.Start(t.Context(), "u", "find", nil)
	if err != nil {
		t.Fatal(err)
	}
	st := out.State
	for _, in := range []Input{{Text: "khai sinh"}, {Text: "2"}, {Text: "hộ tịch"}, {Choice: "f:1"}, {Text: "  kết hôn "}} {
		out, err := e.Answer(t.Context(), "u", st, in)
		if err != nil {
			t.Fatalf("%+v: %v", in, err)
		}
		st = out.State
	}
	if want := "|khai sinh,f:1|,f:0|,f:1|,|kết hôn"; strings.Join(calls, ",") != want {
		t.Errorf("calls %q, want %q", strings.Join(calls, ","), want)
	}
	var bad *BadAnswer
	if _, err := e.Answer(t.Context(), "u", st, Input{Choice: "f:9"}); !errors.As(err, &bad) || bad.Key != "errors.button_expired" {
		t.Errorf("a value not offered: %v", err)
	}
	if _, err := e.Answer(t.Context(), "u", st, Input{Text: strings.Repeat("a", 21)}); !errors.As(err, &bad) || bad.Key != "input.too_long" {
		t.Errorf("too long: %v", err)
	}
	// typed needs a dynamic step and a slot of its own.
	for _, step := range []string{"    typed: query\n    save: x\n", "    dynamic: true\n    save: q\n    typed: q\n    action: list\n"} {
		bad := "id: b\ncommands: [b]\nstart: s\nsteps:\n  - id: s\n" + step
		if _, err := New(fstest.MapFS{"b.yaml": {Data: []byte(bad)}}, hasKey, actions.Bound); err == nil || !strings.Contains(err.Error(), "typed") {
			t.Errorf("flow %q loaded: %v", step, err)
		}
	}
}
