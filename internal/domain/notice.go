package domain

import "strings"

// Notice is a message a service wants delivered on its own initiative (an
// alert, a push, an apology), described in locale keys so that the bot can
// render it in the recipient's language before it is queued.
type Notice struct {
	Key      string // idempotency key: the same key is delivered once
	To       string // recipient chat key ("tg:123")
	Priority int
	Lines    []Line
	Buttons  []NoticeButton
	Photos   []string // platform file ids sent on after the text (a citizen's photos)
	// Kept is the token of a photo the bot keeps the bytes of (an
	// announcement's, for another channel than its author's), sent after
	// Photos; each adapter resolves it (an upload, a public URL).
	Kept string
	// Bounded notices — what a citizen reads: a status notice, an answer —
	// take at most two messages: the renderer clips their long values (Fit).
	// A notice to a citizen is bounded anyway; officials' work (alerts,
	// lists, a ticket's whole text) goes whole, in as many messages as it
	// takes.
	Bounded bool
}

// Line is one line of a notice: a locale key and its placeholder values.
type Line struct {
	Key  string
	Args map[string]string
}

// NoticeButton is an inline button of a notice: its label (a locale key
// and its arguments) and what pressing it does. The bot turns the intent
// into the button's data.
type NoticeButton struct {
	Key    string
	Args   map[string]string
	Intent Intent
}

// L builds a Line from a key and name, value pairs.
func L(key string, kv ...string) Line { return Line{Key: key, Args: Invalid(key, kv...).Args} }

// OverdueItemKey is the locale key of d's line in an overdue list: one that
// names its handler, or says nobody is assigned («chưa giao ai») rather
// than «cán bộ xử lý: —».
func OverdueItemKey(d Dossier) string {
	if strings.TrimSpace(d.Handler) == "" {
		return "alert.overdue_item_nobody"
	}
	return "alert.overdue_item"
}
