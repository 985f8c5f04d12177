package bot

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"xabot/internal/chat"
	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/fold"
	"xabot/internal/service/dossier"
	"xabot/internal/session"
)

// turn is one update being handled: who, in what state, and what to say.
// Only the router changes it: actions get a Call and return Effects
// (action.go).
type turn struct {
	r      *Router
	u      chat.Update
	user   string
	cit    domain.Citizen
	lang   string
	feat   chat.Features
	sess   session.Session
	say    []dialog.Prompt
	force  bool // re-send the main menu keyboard even if the user has it
	forget bool // /xoadulieu: drop the session instead of saving it
	log    *slog.Logger
	read   map[string]domain.Dossier // dossiers read in this turn, by canonical code
	code   string                    // the dossier code read from the text, canonical (text)
}

func (t *turn) state() dialog.State {
	return dialog.State{Flow: t.sess.Flow, Step: t.sess.Step, Slots: t.sess.Slots}
}

func (t *turn) setState(st dialog.State) {
	t.sess.Flow, t.sess.Step, t.sess.Slots = st.Flow, st.Step, st.Slots
}

func (t *turn) add(key string, kv ...string) {
	t.say = append(t.say, dialog.Prompt{Key: key, Args: args(kv...)})
}

// args builds placeholder values from name, value pairs.
func args(kv ...string) map[string]string {
	if len(kv) < 2 {
		return nil
	}
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// dispatch routes the update by meaning: commands start flows, buttons and
// typed text answer the waiting step, a code or a menu word typed anywhere
// starts its flow, and everything else gets a hint, never silence.
func (t *turn) dispatch(ctx context.Context) {
	u := t.u
	if t.outranked() {
		return
	}
	text := strings.TrimSpace(strings.ToValidUTF8(u.Text, "\uFFFD"))
	switch u.Kind {
	case chat.Command:
		t.command(ctx, u.Command, strings.ToValidUTF8(u.Args, "\uFFFD"))
	case chat.Callback:
		t.callback(ctx, u.Data)
	case chat.Contact:
		t.contact(ctx, u.Contact)
	case chat.Text:
		if strings.ContainsRune(text, utf8.RuneError) && strings.Trim(text, "\uFFFD \t\n") == "" {
			t.add("errors.bad_text")
			return
		}
		t.text(ctx, text)
	case chat.Photo, chat.Location:
		if st, ok := t.r.engine.Waiting(t.state()); ok && st.Media {
			t.answer(ctx, mediaInput(u))
			return
		}
		fallthrough
	default:
		key := kindKey(u.Kind)
		if u.File != nil {
			key = "kind.document" // a file where a photo would do: say which
		}
		t.add(key)
		if _, waiting := t.r.engine.Waiting(t.state()); waiting {
			t.say = append(t.say, t.r.engine.Current(t.state())...)
		}
	}
}

// mediaInput is a photo or a location as a dialog answer.
func mediaInput(u chat.Update) dialog.Input {
	if u.Photo != nil {
		return dialog.Input{Photo: u.Photo.FileID, PhotoSize: u.Photo.Size}
	}
	if u.Place != nil {
		return dialog.Input{Place: strconv.FormatFloat(u.Place.Lat, 'f', 6, 64) + "," + strconv.FormatFloat(u.Place.Lon, 'f', 6, 64)}
	}
	return dialog.Input{}
}

func kindKey(k chat.Kind) string {
	switch k {
	case chat.Sticker:
		return "kind.sticker"
	case chat.Photo:
		return "kind.photo"
	case chat.Location:
		return "kind.location"
	}
	return "kind.other"
}

func (t *turn) command(ctx context.Context, name, args string) {
	f, ok := t.r.engine.ByCommand(name)
	if !ok {
		key := "errors.unknown_command"
		if t.cit.Role != domain.RoleCitizen && t.cit.Role != "" {
			key = "errors.unknown_command_staff" // their commands, not only the citizens'
		}
		t.add(key, "command", domain.Echo(name))
		return
	}
	slots := map[string]string{"args": args}
	if start, _ := f.Step(f.Start); start != nil && start.Prefill && start.Save != "" && args != "" {
		slots[start.Save] = args
	}
	t.start(ctx, f, slots)
}

// outranked checks the role on every turn, against the role loaded for
// this very update: a session left in a flow the person may no longer use
// (their role revoked while a step waited) is reset, and what would have
// answered it — a typed answer, a contact, a button of that flow — is
// refused, so nothing of the staff screen is shown. A command, or a button
// of another flow, goes on from the reset session and meets the role check
// of the flow it starts.
func (t *turn) outranked() bool {
	f, ok := t.r.engine.Flow(t.sess.Flow)
	if !ok || t.allowed(f) {
		return false
	}
	t.log.Info("role no longer allows the waiting flow; session reset", "flow", f.ID, "role", t.cit.Role)
	t.setState(dialog.State{})
	switch t.u.Kind {
	case chat.Command:
		return false
	case chat.Callback:
		if flowID, _, _, err := dialog.ParseData(t.u.Data); err == nil && flowID != f.ID {
			return false
		}
	}
	t.add("errors.forbidden")
	return true
}

// allowed says whether the person's current role may use flow f.
func (t *turn) allowed(f *dialog.Flow) bool { return allowed(t.cit.Role, f) }

// allowed says whether role may use flow f.
func allowed(role domain.Role, f *dialog.Flow) bool {
	return len(f.Roles) == 0 || roleAllowed(role, f.Roles)
}

// start enters flow f, after the privacy consent and the role check.
func (t *turn) start(ctx context.Context, f *dialog.Flow, slots map[string]string) {
	if !t.allowed(f) {
		t.add("errors.forbidden")
		return
	}
	if slots == nil {
		slots = map[string]string{}
	}
	slots["_prev"] = t.sess.Flow
	if f.Consent && !t.cit.Consented() {
		t.sess.Then, t.sess.ThenSlots = f.ID, slots
		t.add("consent.required")
		f, _ = t.r.engine.Flow("consent")
		slots = nil
	}
	if f.ID == "start" || f.ID == "menu" {
		t.force = true
	}
	out, err := t.r.engine.Start(ctx, t, t.user, f.ID, slots)
	t.apply(ctx, out, err)
}

func (t *turn) answer(ctx context.Context, in dialog.Input) { t.answerAt(ctx, t.state(), in) }

// answerAt answers the step st waits on; the session moves only if the
// answer is accepted.
func (t *turn) answerAt(ctx context.Context, st dialog.State, in dialog.Input) {
	out, err := t.r.engine.Answer(ctx, t, t.user, st, in)
	t.apply(ctx, out, err)
}

// apply takes the engine's result: the new state and what to say, or an
// error explained to the user while the state stays where it was.
func (t *turn) apply(ctx context.Context, out dialog.Out, err error) {
	if err != nil {
		t.explain(err)
		return
	}
	t.say = append(t.say, out.Say...)
	t.setState(out.State)
	if out.State.Idle() && t.sess.Then != "" {
		t.resume(ctx)
	}
}

// resume enters the flow that waited for the consent, once it is given.
func (t *turn) resume(ctx context.Context) {
	id, slots := t.sess.Then, t.sess.ThenSlots
	t.sess.Then, t.sess.ThenSlots = "", nil
	cit, err := t.r.cfg.Citizens.Get(ctx, t.user)
	if err != nil {
		t.explain(err)
		return
	}
	t.cit = cit
	if f, ok := t.r.engine.Flow(id); ok && cit.Consented() {
		t.start(ctx, f, slots)
	}
}

// explain turns an error into the user's message; it is the one place that
// does so. Details go to the log, never to the user.
func (t *turn) explain(err error) {
	var bad *dialog.BadAnswer
	var inv *domain.InvalidError
	var locked *dossier.LockedError
	var idle *idleError
	if errors.As(err, &idle) {
		t.setState(dialog.State{})
	}
	switch {
	case errors.As(err, &bad):
		t.add(bad.Key)
		t.say[len(t.say)-1].Args = domain.ClipArgs(bad.Args)
		if st, ok := t.r.engine.Waiting(t.state()); ok && (len(st.Choices) > 0 || st.Only == "contact") {
			t.say = append(t.say, t.r.engine.Current(t.state())...)
		}
	case errors.As(err, &inv):
		t.say = append(t.say, dialog.Prompt{Key: inv.Key, Args: domain.ClipArgs(inv.Args)})
	case errors.As(err, &locked):
		t.say = append(t.say, t.r.lockedPrompt(locked))
		t.setState(dialog.State{})
	case errors.Is(err, domain.ErrForbidden):
		t.add("errors.forbidden")
	case errors.Is(err, domain.ErrRateLimited):
		t.add("errors.slow_down")
	default:
		t.log.Error("handling update", "err", err)
		t.add("errors.internal")
	}
}

// callback answers a pressed inline button. Data is "flow/step/value"; a
// button of an older message still works if it starts its flow (or its
// step is marked reenter); anything else is explained, never obeyed.
func (t *turn) callback(ctx context.Context, data string) {
	flowID, stepID, value, err := dialog.ParseData(data)
	f, ok := t.r.engine.Flow(flowID)
	var step *dialog.Step
	if ok {
		step, ok = f.Step(stepID)
	}
	if err != nil || !ok {
		t.log.Info("unknown button data", "len", len(data))
		t.add("errors.button_invalid")
		return
	}
	in := dialog.Input{Choice: value}
	st := t.state()
	if st.Flow == flowID && st.Step == stepID {
		t.answer(ctx, in)
		return
	}
	if stepID != f.Start && !step.Reenter {
		t.add("errors.button_expired")
		if _, waiting := t.r.engine.Waiting(st); waiting {
			t.say = append(t.say, t.r.engine.Current(st)...)
		}
		return
	}
	if !t.allowed(f) {
		t.add("errors.forbidden")
		return
	}
	if f.Consent && !t.cit.Consented() {
		t.start(ctx, f, nil)
		return
	}
	t.answerAt(ctx, dialog.State{Flow: flowID, Step: stepID, Slots: map[string]string{"_prev": st.Flow}}, in)
}

// contact takes a shared phone number: it answers a step that asks for one,
// or starts the flow that contacts trigger ("my dossiers").
func (t *turn) contact(ctx context.Context, c *chat.SharedContact) {
	if c == nil || c.Phone == "" {
		t.add("contact.bad_phone")
		return
	}
	// Telegram says whose contact it is; one without user_id is not the sender's.
	own := c.UserID != "" && c.UserID == t.u.From.ID
	if st, ok := t.r.engine.Waiting(t.state()); ok && (st.Contact || st.Only == "contact") {
		t.answer(ctx, dialog.Input{Contact: c.Phone, ContactOwn: own})
		return
	}
	f, ok := t.r.engine.ByTrigger("contact")
	if !ok {
		t.add("fallback.hint")
		return
	}
	t.start(ctx, f, map[string]string{"phone": c.Phone, "phone_own": strconv.FormatBool(own)})
}

// text reads typed words. A menu word or a dossier code starts its flow
// unless the user is writing free text; otherwise the text answers the
// waiting step; idle text that is neither gets a hint.
func (t *turn) text(ctx context.Context, text string) {
	st := t.state()
	step, waiting := t.r.engine.Waiting(st)
	if waiting && step.Free {
		t.answer(ctx, dialog.Input{Text: text})
		return
	}
	// A menu word or a command's phrase (a staff flow first, for staff).
	// The words are folded once for every route below.
	words := foldWords(text)
	if f, ok := t.phraseFlow(words); ok {
		t.start(ctx, f, nil)
		return
	}
	// The code written in the text is read here, once: the routes below
	// and the lookup's action take it as read (Call.Code).
	t.code, _ = domain.FindCode(text)
	if !waiting {
		if f, slots, ok := t.r.idleRoute(text, words, t.code); ok {
			t.start(ctx, f, slots)
			return
		}
	}
	if t.phraseWithWords(ctx, text) {
		return
	}
	codeFlow, hasCodeFlow := t.r.engine.ByTrigger("code")
	if hasCodeFlow {
		startStep, _ := codeFlow.Step(codeFlow.Start)
		// A step that asks for a code (the lookup's, the rating's) takes it.
		atCodeStep := waiting && step.Save == startStep.Save && !step.Dynamic && len(step.Choices) == 0
		if t.code != "" && !atCodeStep {
			t.start(ctx, codeFlow, map[string]string{startStep.Save: t.code})
			return
		}
		if !waiting {
			if code, err := domain.ParseCode(text); err == nil {
				t.code = code
				t.start(ctx, codeFlow, map[string]string{startStep.Save: code})
				return
			} else if ce := (*domain.CodeError)(nil); errors.As(err, &ce) && ce.Procedure {
				t.add("lookup.procedure_code", "text", domain.Echo(text))
				return
			}
		}
	}
	if waiting {
		t.answerOrTalk(ctx, text)
		return
	}
	// Without a reply keyboard the menu is numbered (render.numberedMenu).
	if n, err := strconv.Atoi(strings.TrimSpace(text)); err == nil && !t.feat.Keyboard && t.cit.Consented() {
		if menu := t.r.engine.Menu(); n >= 1 && n <= len(menu) {
			t.start(ctx, menu[n-1], nil)
			return
		}
	}
	if t.askCatalogue(ctx, text) {
		return
	}
	t.add("fallback.hint")
}

func roleAllowed(r domain.Role, allowed []string) bool {
	for _, a := range allowed {
		if string(r) == a {
			return true
		}
	}
	return false
}

// foldWords folds typed words for matching menu labels and phrases:
// no accents, no case, no emoji or punctuation.
func foldWords(s string) string {
	f := fold.String(s)
	b := make([]rune, 0, len(f))
	space := false
	for _, r := range f {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && len(b) > 0 {
				b = append(b, ' ')
			}
			space = false
			b = append(b, r)
		default:
			space = true
		}
	}
	return string(b)
}
