// Package dialog runs the conversations declared in dialogs/*.yaml. It is
// pure: a flow is data (steps that say locale keys, wait for an answer and
// call named actions), and the engine only moves a State from step to step.
// Effects happen in the Actions the bot binds; texts are rendered by the bot
// from the Prompts returned here. It imports nothing from this module.
package dialog

import (
	"context"
	"fmt"
	"strings"
)

// End is the step name that finishes a flow.
const End = "end"

// Flow is one declared conversation.
type Flow struct {
	ID       string   `yaml:"id"`
	Label    string   `yaml:"label"`    // locale key of its main-menu key; also typed to start it
	Phrases  []string `yaml:"phrases"`  // locale keys of more words that start it ("a|b|c")
	Commands []string `yaml:"commands"` // chat commands without "/", a–z 0–9 _
	Consent  bool     `yaml:"consent"`  // needs the privacy consent first
	Roles    []string `yaml:"roles"`    // roles allowed; empty = everyone
	Menu     []string `yaml:"menu"`     // flows shown as the main menu (the menu flow only)
	// Triggers start the flow from what the user sends outside any step:
	// "code" (a dossier code typed anywhere) fills the start step's slot;
	// "contact" (a shared contact) puts the phone in slot "phone"; "words"
	// (one of its phrases followed by more words, «thủ tục khai sinh»)
	// puts the words after the phrase in slot "args", as a command's.
	Triggers []string `yaml:"triggers"`
	// Talk are locale keys of sentence patterns ("a|b|c", words folded,
	// "*" for any words) that start the flow when said outside any step.
	// TalkArgs gives the flow, as its args, the sentence ("text": a search)
	// or the dossier code in it ("code"); a sentence with a code starts a
	// flow that takes none only through its "code" trigger.
	Talk     []string `yaml:"talk"`
	TalkArgs string   `yaml:"talk_args"`
	Start    string   `yaml:"start"`
	Steps    []*Step  `yaml:"steps"`

	steps map[string]*Step
}

// Step is one point of a flow: it may say something, wait for an answer,
// call an action, and move on.
type Step struct {
	ID      string   `yaml:"id"`
	Say     Keys     `yaml:"say"`     // locale keys said on entering the step
	Save    string   `yaml:"save"`    // slot the answer is saved in; makes the step wait
	Choices []Choice `yaml:"choices"` // fixed buttons; makes the step wait for one
	Dynamic bool     `yaml:"dynamic"` // buttons come from the previous action's result
	Contact bool     `yaml:"contact"` // also accept a shared contact (offer the key)
	Only    string   `yaml:"only"`    // "contact": accept nothing else
	Media   bool     `yaml:"media"`   // also accept photos (slot "photos") and a location (slot "place")
	Free    bool     `yaml:"free"`    // free text: never read as a code or a menu word
	Min     int      `yaml:"min"`     // shortest answer, in characters
	Max     int      `yaml:"max"`     // longest answer, in characters (default 500)
	Prefill bool     `yaml:"prefill"` // a slot already filled answers the step at once
	Reenter bool     `yaml:"reenter"` // its old buttons still work after the flow moved on
	// Typed names the slot where a dynamic step keeps typed words that
	// pick none of its choices (a search), instead of refusing them; the
	// save slot is then empty, and Typed is emptied when a choice is made.
	Typed    string            `yaml:"typed"`
	Action   string            `yaml:"action"`
	Branches map[string]string `yaml:"branches"` // action branch → step, "end" or "@flow"
	Next     string            `yaml:"next"`     // where to go after; "" or "end" finishes
}

// Choice is a fixed button of a step.
type Choice struct {
	Label string `yaml:"label"` // locale key
	Value string `yaml:"value"` // ASCII, short: it travels in callback data
	Next  string `yaml:"next"`
	// Words is a locale key of more typed words that choose it ("có|ok"):
	// a typed answer is an answer as much as a pressed one.
	Words string `yaml:"words"`

	typed []string // folded label and words, in every language
}

// Keys is one locale key or a list of them.
type Keys []string

// UnmarshalYAML accepts a single string or a list.
func (k *Keys) UnmarshalYAML(unmarshal func(any) error) error {
	var one string
	if err := unmarshal(&one); err == nil {
		*k = Keys{one}
		return nil
	}
	var many []string
	if err := unmarshal(&many); err != nil {
		return err
	}
	*k = many
	return nil
}

// waits reports whether the step stops for an answer.
func (s *Step) waits() bool { return s.Save != "" || len(s.Choices) > 0 || s.Dynamic || s.Media }

// Step returns the flow's step by id.
func (f *Flow) Step(id string) (*Step, bool) {
	s, ok := f.steps[id]
	return s, ok
}

// State is where one user is: flow, step and the answers so far. The zero
// State is idle.
type State struct {
	Flow  string
	Step  string
	Slots map[string]string
}

// Idle reports whether no flow is active.
func (s State) Idle() bool { return s.Flow == "" }

// Input is one answer to a waiting step.
type Input struct {
	Text       string // typed text
	Choice     string // value of a pressed button
	Contact    string // phone of a shared contact
	ContactOwn bool   // the contact is the sender's own
	Photo      string // platform file id of a photo
	PhotoSize  int    // its size in bytes, 0 if unknown
	Place      string // a shared location, "lat,lon"
}

// Prompt is something to say: a locale key with its arguments, and the
// buttons that go under it.
type Prompt struct {
	Key  string
	Args map[string]string
	// Text is a ready text said instead of Key's: one the router rendered
	// and bounded itself (a lookup card).
	Text    string
	Parts   []Prompt // said as lines of this one message, after Key's text
	Choices []Button
	Contact bool // offer the "share my phone number" key
	// Apart says it in a message of its own: the text before it then
	// carries the reply keyboard, which a message with buttons cannot.
	Apart bool
}

// Button is a rendered choice: a locale key (with args) or, for dynamic
// choices, a ready text; Data is the callback data.
type Button struct {
	Key  string
	Args map[string]string
	Text string
	Data string
	// Words is a locale key of more typed words that choose it, as a
	// Choice's Words.
	Words string
}

// Call is what an action receives of the dialog; what else it may read of
// the update is the Actor's to give.
type Call struct {
	User  string            // the user key, so actions can find the person's records
	Flow  string            // current flow
	Step  string            // current step
	Slots map[string]string // answers so far; actions may read, results add
}

// Result is what an action returns.
type Result struct {
	Branch  string            // "" = the step's next; else a key of the step's branches
	Slots   map[string]string // merged into the state's slots
	Say     []Prompt          // said before the step moves on
	Choices []Button          // buttons for the next (dynamic) step
}

// Action is a named effect bound by the bot. A *domain.InvalidError-like
// error keeps the user on the same step; the bot explains it.
type Action func(ctx context.Context, c Call) (Result, error)

// Actor runs the actions the flows name. The caller hands one to each
// Start and Answer, so what an action may read of the update (who sends
// it, in which language) is given by the caller explicitly, and what it
// changes comes back to the caller, never through ctx or a shared value.
type Actor interface {
	Act(ctx context.Context, name string, c Call) (Result, error)
}

// Actions is an Actor of actions that need nothing of the update but the
// Call.
type Actions map[string]Action

// Act runs the action name.
func (a Actions) Act(ctx context.Context, name string, c Call) (Result, error) {
	return a[name](ctx, c)
}

// Bound says whether a names an action (New's check).
func (a Actions) Bound(name string) bool { _, ok := a[name]; return ok }

// BadAnswer says why an answer was not accepted; Key is a locale key.
type BadAnswer struct {
	Key  string
	Args map[string]string
}

func (e *BadAnswer) Error() string { return "dialog: bad answer: " + e.Key }

// Data builds the callback data of a choice: "flow/step/value".
func Data(flow, step, value string) string { return flow + "/" + step + "/" + value }

// ParseData splits callback data built by Data.
func ParseData(d string) (flow, step, value string, err error) {
	parts := strings.SplitN(d, "/", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return "", "", "", fmt.Errorf("dialog: callback data %q: not flow/step/value", d)
	}
	return parts[0], parts[1], parts[2], nil
}
