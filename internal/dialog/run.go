package dialog

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxHops bounds how many steps one update may pass through, so a loop in a
// dialog (list → ask → list …) cannot spin forever.
const maxHops = 32

// choicesSlot keeps the dynamic choices last offered, and for which step:
// "flow/step" on the first line, then "value<TAB>label" per button. A
// dynamic step accepts only what its own list holds, so a forged value, or
// one of another step's list, is refused.
const choicesSlot = "_choices"

// Out is the engine's answer to one update: the new state and what to say.
type Out struct {
	State State
	Say   []Prompt
}

type run struct {
	e       *Engine
	actor   Actor
	call    Call
	out     Out
	pending []Button // dynamic choices from the last action
	hops    int
}

// Start enters flow id at its start step with the given slots.
// act runs the actions the flow names on the way.
func (e *Engine) Start(ctx context.Context, act Actor, user, id string, slots map[string]string) (Out, error) {
	f, ok := e.flows[id]
	if !ok {
		return Out{}, fmt.Errorf("dialog: unknown flow %q", id)
	}
	r := &run{e: e, actor: act, call: Call{User: user, Flow: id, Slots: maps.Clone(slots)}}
	if r.call.Slots == nil {
		r.call.Slots = map[string]string{}
	}
	if err := r.enter(ctx, f, f.Start); err != nil {
		return Out{}, err
	}
	return r.out, nil
}

// Answer gives in to the step st is waiting on. On an error (a *BadAnswer or
// an action's error) the state does not move: the caller keeps st. act
// runs the actions the flow names on the way.
func (e *Engine) Answer(ctx context.Context, act Actor, user string, st State, in Input) (Out, error) {
	f, ok := e.flows[st.Flow]
	if !ok {
		return Out{}, fmt.Errorf("dialog: unknown flow %q", st.Flow)
	}
	s, ok := f.steps[st.Step]
	if !ok || !s.waits() {
		return Out{}, fmt.Errorf("dialog: flow %s has no waiting step %q", st.Flow, st.Step)
	}
	r := &run{e: e, actor: act, call: Call{User: user, Flow: f.ID, Step: s.ID, Slots: maps.Clone(st.Slots)}}
	if r.call.Slots == nil {
		r.call.Slots = map[string]string{}
	}
	if err := r.answer(ctx, f, s, in); err != nil {
		return Out{}, err
	}
	return r.out, nil
}

// Current says again what the step st is waiting on asks (after a bad
// answer, or when the user comes back). Dynamic choices are not repeated.
func (e *Engine) Current(st State) []Prompt {
	f, ok := e.flows[st.Flow]
	if !ok {
		return nil
	}
	s, ok := f.steps[st.Step]
	if !ok {
		return nil
	}
	r := &run{e: e, call: Call{Flow: f.ID, Step: s.ID, Slots: st.Slots}}
	r.say(f, s)
	return r.out.Say
}

// Waiting returns the step st waits on, if any.
func (e *Engine) Waiting(st State) (*Step, bool) {
	f, ok := e.flows[st.Flow]
	if !ok {
		return nil, false
	}
	s, ok := f.steps[st.Step]
	if !ok || !s.waits() {
		return nil, false
	}
	return s, true
}

func (r *run) enter(ctx context.Context, f *Flow, to string) error {
	for {
		if r.hops++; r.hops > maxHops {
			return fmt.Errorf("dialog: flow %s: more than %d steps in one turn", f.ID, maxHops)
		}
		switch {
		case to == "" || to == End:
			r.out.State = State{}
			return nil
		case strings.HasPrefix(to, "@"):
			f = r.e.flows[to[1:]]
			to = f.Start
			r.call.Flow = f.ID
			continue
		}
		s := f.steps[to]
		r.call.Step = s.ID
		if s.waits() {
			if s.Dynamic && r.pending == nil {
				// Nothing offered: nothing of an older list counts here.
				r.call.Slots[choicesSlot] = Data(f.ID, s.ID, "")
			}
			if s.Prefill && r.call.Slots[s.Save] != "" {
				in := Input{Text: r.call.Slots[s.Save]}
				if len(s.Choices) > 0 || s.Dynamic {
					in = Input{Choice: r.call.Slots[s.Save]}
				}
				return r.answer(ctx, f, s, in)
			}
			r.say(f, s)
			r.out.State = State{Flow: f.ID, Step: s.ID, Slots: r.call.Slots}
			return nil
		}
		next, err := r.act(ctx, s, "")
		if err != nil {
			return err
		}
		r.say(f, s)
		to = next
	}
}

// answer validates in against s, saves it, runs the action and moves on.
func (r *run) answer(ctx context.Context, f *Flow, s *Step, in Input) error {
	if in.Photo != "" || in.Place != "" {
		if !s.Media {
			return &BadAnswer{Key: "input.no_media"}
		}
		// Photos accumulate ("id:size" per line); a location replaces the last.
		if in.Photo != "" {
			item := in.Photo + ":" + strconv.Itoa(in.PhotoSize)
			if old := r.call.Slots["photos"]; old != "" {
				item = old + "\n" + item
			}
			r.call.Slots["photos"] = item
		} else {
			r.call.Slots["place"] = in.Place
		}
		to, err := r.act(ctx, s, "")
		if err != nil {
			return err
		}
		return r.enter(ctx, f, to)
	}
	value, next, err := r.accept(s, in, r.offered(f, s))
	if err != nil {
		return err
	}
	if s.Save != "" {
		r.call.Slots[s.Save] = value
		if in.Contact != "" {
			r.call.Slots[s.Save+"_own"] = strconv.FormatBool(in.ContactOwn)
		}
	}
	to, err := r.act(ctx, s, next)
	if err != nil {
		return err
	}
	return r.enter(ctx, f, to)
}

// act runs the step's action (if any) and returns where to go next.
func (r *run) act(ctx context.Context, s *Step, choiceNext string) (string, error) {
	to := s.Next
	if choiceNext != "" {
		to = choiceNext
	}
	if s.Action == "" {
		return to, nil
	}
	res, err := r.actor.Act(ctx, s.Action, r.call)
	if err != nil {
		return "", err
	}
	for k, v := range res.Slots {
		r.call.Slots[k] = v
	}
	r.out.Say = append(r.out.Say, res.Say...)
	r.pending = res.Choices
	if res.Branch != "" {
		b, ok := s.Branches[res.Branch]
		if !ok {
			return "", fmt.Errorf("dialog: action %s returned branch %q that step %s does not declare", s.Action, res.Branch, s.ID)
		}
		to = b
	}
	return to, nil
}

// say appends the step's texts, with its buttons under the last one.
func (r *run) say(f *Flow, s *Step) {
	for _, k := range s.Say {
		r.out.Say = append(r.out.Say, Prompt{Key: k, Args: maps.Clone(r.call.Slots)})
	}
	var buttons []Button
	for _, c := range s.Choices {
		buttons = append(buttons, Button{Key: c.Label, Data: Data(f.ID, s.ID, c.Value)})
	}
	if s.Dynamic && r.pending != nil {
		// Kept so that the answer can be checked against what was offered,
		// and a typed "2" (or label) picks the second one where there are
		// no buttons.
		lines := []string{Data(f.ID, s.ID, "")}
		for _, b := range r.pending {
			key := b.Key
			if len(b.Args) > 0 { // its text needs the args: the value is typed instead
				key = ""
			}
			lines = append(lines, oneLine(b.Data)+"\t"+oneLine(b.Text)+"\t"+key+"\t"+b.Words)
			b.Data = Data(f.ID, s.ID, b.Data)
			buttons = append(buttons, b)
		}
		r.call.Slots[choicesSlot] = strings.Join(lines, "\n")
		r.pending = nil
	}
	contact := s.Contact || s.Only == "contact"
	if len(buttons) == 0 && !contact {
		return
	}
	if len(r.out.Say) == 0 { // buttons need a text to hang under
		r.out.Say = append(r.out.Say, Prompt{})
	}
	last := &r.out.Say[len(r.out.Say)-1]
	last.Choices = append(last.Choices, buttons...)
	last.Contact = last.Contact || contact
}

// offer is one dynamic choice as offered: its value and what typing
// chooses it (its label and words, folded).
type offer struct {
	value string
	typed []string
}

// offered returns the dynamic choices last offered for step s of flow f;
// none when the list kept is another step's.
func (r *run) offered(f *Flow, s *Step) []offer {
	lines := strings.Split(r.call.Slots[choicesSlot], "\n")
	if lines[0] != Data(f.ID, s.ID, "") {
		return nil
	}
	out := make([]offer, 0, len(lines)-1)
	for _, l := range lines[1:] {
		// value, ready label, label key, words key (older sessions: the first two)
		cols := append(strings.Split(l, "\t"), "", "", "")
		o := offer{value: cols[0], typed: r.e.typed(cols[2], cols[3])}
		if label := r.e.fold(cols[1]); label != "" {
			o.typed = append(o.typed, label)
		}
		out = append(out, o)
	}
	return out
}

// typedPick reads a typed answer to a choice step: the number of a choice,
// or what chooses exactly one of them (a label or a word, folded); "" when
// it is none or more than one.
func (r *run) typedPick(text string, values []string, typed [][]string) string {
	t := strings.TrimSpace(text)
	if n, err := strconv.Atoi(t); err == nil {
		if n >= 1 && n <= len(values) {
			return values[n-1]
		}
		return ""
	}
	f := r.e.fold(t)
	if f == "" {
		return ""
	}
	pick := ""
	for i, words := range typed {
		if slices.Contains(words, f) && values[i] != pick {
			if pick != "" {
				return "" // «có» where two choices mean yes: ask again
			}
			pick = values[i]
		}
	}
	return pick
}

// oneLine keeps a value or label on one line of choicesSlot.
func oneLine(s string) string { return strings.NewReplacer("\n", " ", "\t", " ").Replace(s) }

// pickDynamic checks an answer to a dynamic step against the choices it
// offered. A pressed value must be one of them — except on a step marked
// reenter, whose older messages' buttons (of another dossier, another
// ticket) stay valid: its action checks the value itself. A typed answer
// is the number of a choice, its value or its label.
func (r *run) pickDynamic(s *Step, in Input, offered []offer) (string, error) {
	if in.Choice != "" {
		for _, o := range offered {
			if o.value == in.Choice {
				return in.Choice, nil
			}
		}
		if s.Reenter {
			return in.Choice, nil
		}
		return "", &BadAnswer{Key: "errors.button_expired"}
	}
	t := strings.TrimSpace(in.Text)
	values := make([]string, len(offered))
	typed := make([][]string, len(offered))
	for i, o := range offered {
		if t != "" && t == o.value {
			return o.value, nil
		}
		values[i], typed[i] = o.value, o.typed
	}
	if v := r.typedPick(t, values, typed); v != "" {
		return v, nil
	}
	return "", &BadAnswer{Key: "input.pick_one"}
}

// accept checks an answer against what the step waits for.
func (r *run) accept(s *Step, in Input, offered []offer) (value, next string, err error) {
	if in.Contact != "" {
		if !s.Contact && s.Only != "contact" {
			return "", "", &BadAnswer{Key: "input.no_contact"}
		}
		return in.Contact, "", nil
	}
	if s.Only == "contact" {
		return "", "", &BadAnswer{Key: "input.need_contact"}
	}
	if len(s.Choices) > 0 {
		pick := in.Choice
		if pick == "" { // typed: "2" picks the second button (menus without buttons), «đồng ý» the one it labels
			values := make([]string, len(s.Choices))
			typed := make([][]string, len(s.Choices))
			for i, c := range s.Choices {
				values[i], typed[i] = c.Value, c.typed
			}
			pick = r.typedPick(in.Text, values, typed)
		}
		for _, c := range s.Choices {
			if c.Value == pick {
				return c.Value, c.Next, nil
			}
		}
		return "", "", &BadAnswer{Key: "input.pick_one"}
	}
	if s.Dynamic {
		v, err := r.pickDynamic(s, in, offered)
		if s.Typed != "" {
			return r.typed(s, in, v, err)
		}
		return v, "", err
	}
	if in.Choice != "" {
		return "", "", &BadAnswer{Key: "input.need_text"}
	}
	t := strings.TrimSpace(in.Text)
	n := utf8.RuneCountInString(t)
	switch {
	case n == 0:
		return "", "", &BadAnswer{Key: "input.empty"}
	case n < s.Min:
		return "", "", &BadAnswer{Key: "input.too_short", Args: map[string]string{"min": strconv.Itoa(s.Min)}}
	case n > s.Max:
		return "", "", &BadAnswer{Key: "input.too_long", Args: map[string]string{"max": strconv.Itoa(s.Max)}}
	}
	return t, "", nil
}

// typed takes, at a step with Typed, the words that picked none of its
// choices into that slot (within the step's Max); a choice made empties it.
func (r *run) typed(s *Step, in Input, picked string, err error) (string, string, error) {
	t := strings.TrimSpace(in.Text)
	var bad *BadAnswer
	switch {
	case err == nil:
		delete(r.call.Slots, s.Typed)
		return picked, "", nil
	case in.Choice != "" || t == "" || !errors.As(err, &bad) || bad.Key != "input.pick_one":
		return "", "", err
	case utf8.RuneCountInString(t) > s.Max:
		return "", "", &BadAnswer{Key: "input.too_long", Args: map[string]string{"max": strconv.Itoa(s.Max)}}
	}
	r.call.Slots[s.Typed] = t
	return "", "", nil
}
