package bot

import (
	"strconv"
	"strings"
	"time"

	"xabot/internal/chat"
	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/i18n"
)

// render turns the turn's prompts into messages in the user's language.
// Consecutive texts are joined into one message, closed by the first one
// that carries buttons: fewer messages, and the per-chat send rate holds.
// Channels without buttons get numbered choices; the reply keyboard (main
// menu or "share my phone") is attached where it must change.
func (t *turn) render(prompts []dialog.Prompt) []chat.Reply {
	var out []chat.Reply
	var text []string
	wantContact := false
	flush := func(buttons [][]chat.Button) {
		if len(text) == 0 && len(buttons) == 0 {
			return
		}
		out = append(out, chat.Reply{Text: strings.Join(text, "\n\n"), Buttons: buttons})
		text = nil
	}
	for _, p := range prompts {
		if p.Apart {
			flush(nil)
		}
		s := p.Text
		if s == "" {
			key := p.Key
			if key == "" {
				key = "input.choose"
			}
			s = t.tr(key, p.Args)
		}
		for _, part := range p.Parts {
			s += "\n" + t.tr(part.Key, part.Args)
		}
		if strings.TrimSpace(s) != "" {
			text = append(text, s)
		}
		wantContact = wantContact || p.Contact
		if len(p.Choices) == 0 {
			continue
		}
		if !t.feat.Buttons {
			var lines []string
			for i, b := range p.Choices {
				lines = append(lines, t.r.t(t.lang, "input.numbered", map[string]string{
					"n": strconv.Itoa(i + 1), "label": t.label(b)}))
			}
			text = append(text, strings.Join(lines, "\n"))
			continue
		}
		rows := make([][]chat.Button, 0, len(p.Choices))
		for _, b := range p.Choices {
			rows = append(rows, []chat.Button{{Label: t.label(b), Data: b.Data}})
		}
		flush(rows)
	}
	flush(nil)
	// The share key stays while the user is still on a step that takes a contact.
	if st, ok := t.r.engine.Waiting(t.state()); ok && (st.Contact || st.Only == "contact") {
		wantContact = true
	}
	t.keyboard(out, wantContact)
	return out
}

func (t *turn) label(b dialog.Button) string {
	if b.Text != "" {
		return b.Text
	}
	return t.r.t(t.lang, b.Key, b.Args)
}

// keyboard attaches the reply keyboard the user should now see to the
// first message that can carry it (one with inline buttons cannot).
func (t *turn) keyboard(out []chat.Reply, wantContact bool) {
	if !t.feat.Keyboard {
		t.numberedMenu(out)
		return
	}
	want := ""
	switch {
	case wantContact && t.feat.ShareContact:
		want = "contact"
	case t.cit.Consented():
		want = "main"
	}
	if want == t.sess.KB && !(t.force && want == "main") {
		return
	}
	var kb *chat.Keyboard
	switch want {
	case "contact":
		kb = &chat.Keyboard{Rows: [][]chat.Key{
			{{Label: t.r.t(t.lang, "keys.share_contact", nil), RequestContact: true}},
			{{Label: t.r.t(t.lang, "keys.cancel", nil)}},
		}}
	case "main":
		kb = &chat.Keyboard{}
		var row []chat.Key
		for _, f := range t.r.engine.Menu() {
			row = append(row, chat.Key{Label: t.r.t(t.lang, f.Label, nil)})
			if len(row) == 2 {
				kb.Rows, row = append(kb.Rows, row), nil
			}
		}
		if len(row) > 0 {
			kb.Rows = append(kb.Rows, row)
		}
	default:
		kb = &chat.Keyboard{Remove: true}
	}
	for i := range out {
		if len(out[i].Buttons) == 0 {
			out[i].Keyboard = kb
			t.sess.KB = want
			return
		}
	}
}

// numberedMenu ends an idle turn with the main menu as numbered lines on a
// channel without a reply keyboard (Zalo): the citizen has no other menu,
// and typing the number starts the function (see turn.text).
func (t *turn) numberedMenu(out []chat.Reply) {
	if len(out) == 0 || !t.cit.Consented() {
		return
	}
	if _, waiting := t.r.engine.Waiting(t.state()); waiting {
		return
	}
	lines := []string{t.r.t(t.lang, "menu.type_number", nil)}
	for i, f := range t.r.engine.Menu() {
		lines = append(lines, t.r.t(t.lang, "input.numbered", map[string]string{
			"n": strconv.Itoa(i + 1), "label": t.r.t(t.lang, f.Label, nil)}))
	}
	last := &out[len(out)-1]
	last.Text = strings.TrimSpace(last.Text + "\n\n" + strings.Join(lines, "\n"))
}

// t renders key with the global arguments (the commune's name, the
// one-stop shop) added.
func (r *Router) t(lang, key string, a map[string]string) string {
	return r.cfg.Texts.TWith(lang, key, i18n.Globals{Commune: r.cfg.Commune, Office: r.cfg.Office, OfficeName: r.cfg.OfficeName}, a)
}

// bounded renders lines as one prompt of at most two messages on the
// call's channel (domain.Bounded, as the notices).
func (r *Router) bounded(c Call, lines []domain.Line) dialog.Prompt {
	render := func(l domain.Line) string { return r.t(c.Lang, l.Key, l.Args) }
	maxText := c.Feat.MaxText
	if maxText <= 0 {
		maxText = chat.SmallestText
	}
	return dialog.Prompt{Text: domain.Bounded(lines, domain.NoticeBudget(maxText), render)}
}

// date shows a stored UTC time as the commune's local date.
func (r *Router) date(t time.Time) string {
	return t.In(r.cfg.TZ).Format("02/01/2006")
}

// dateTime shows a stored UTC time as local "15:04 02/01/2006".
func (r *Router) dateTime(t time.Time) string {
	return t.In(r.cfg.TZ).Format("15:04 02/01/2006")
}
