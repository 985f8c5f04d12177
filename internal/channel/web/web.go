// Package web is the browser simulator of `xabot demo`: a page with a
// phone-like chat panel per persona (a citizen, an official, the chairman,
// and a citizen "on Zalo"), talking to the router like any other channel.
//
// One Web holds the conversations (a bounded in-memory history per chat,
// the user's own messages included, so a reload shows them) and serves the
// page; it offers two channels to the router and the outbox: chat.Web,
// which shows buttons, the reply keyboard and a "share my phone" key, and
// Numbered, which shows none of them, so the bot renders its menus as
// numbered choices exactly as it does for Zalo. Updates reach the page as
// Server-Sent Events. It imports only internal/chat.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"xabot/internal/channel/textsplit"
	"xabot/internal/chat"
)

// Numbered is the simulator's channel without buttons, keyboard or
// contact sharing: the "citizen on Zalo" panel.
const Numbered chat.Channel = "webz"

// Limits.
const (
	// DefaultHistory is how many messages of one chat are kept.
	DefaultHistory = 200
	// maxChats bounds the conversations kept: every browser opens its own,
	// so the least recently used ones go first.
	maxChats = 1000
	// maxText is the longest text a user may send (Telegram's limit).
	maxText = 4096
	// numberedMaxText is Zalo's limit; longer replies are split.
	numberedMaxText = 2000
)

// visitorPattern is the shape of a browser's own id: the page draws 80
// random bits and keeps them in localStorage. It cannot be "official" or
// "chairman", so a visitor never speaks in a fixed persona's chat by id.
var visitorPattern = regexp.MustCompile(`^[0-9a-f]{20}$`)

// Persona is one panel of the page.
type Persona struct {
	Panel    string // the page's id of the panel: "citizen", "official", …
	User     string // a fixed chat user id ("official"); "" = each browser its own
	Label    string // locale key of the panel's title
	Numbered bool   // on the Numbered channel: no buttons, menus typed by number
}

// Jobs runs the demo's jobs from the page; nil hides the control.
type Jobs interface {
	Names() []string
	// Run runs job name now and returns how many messages it queued. An
	// error wrapping ErrJobBusy means the job is already running.
	Run(ctx context.Context, name string) (queued int, err error)
}

// ErrJobBusy is what Jobs.Run wraps when the job is already running.
var ErrJobBusy = errors.New("web: job already running")

// Config sets up the simulator.
type Config struct {
	Log      *slog.Logger     // nil discards
	Now      func() time.Time // time.Now
	Personas []Persona
	// Labels are the page's texts: lang → key → text, with {placeholders}
	// the page fills in ({commune}, {job}, …).
	Labels  map[string]map[string]string
	Lang    string // the page's first language; "vi"
	Commune string // the commune's name, for the title
	Jobs    Jobs
	History int // messages kept per chat; DefaultHistory
}

// Web holds the conversations and serves the page.
type Web struct {
	cfg Config
	log *slog.Logger

	mu    sync.Mutex
	seq   int64
	chats map[string]*thread // chat key "web:official" → its history
	media map[string]media   // id → an image the bot sent
	subs  map[chan struct{}]struct{}
}

// thread is one chat's history.
type thread struct {
	msgs []Message // by seq
	used int64     // seq of the last activity, for eviction
	// choices are the buttons of the latest bot message on the Numbered
	// channel (only the outbox sends those: the router renders its own
	// menus as text there); typing a number presses one.
	choices []chat.Button
}

type media struct {
	data []byte
	mime string
}

// Message is one entry of a chat's history as the page receives it.
type Message struct {
	Seq      int64      `json:"seq"`
	From     string     `json:"from"`           // "bot" or "user"
	Kind     string     `json:"kind,omitempty"` // a user's: "text", "press", "contact"
	Text     string     `json:"text,omitempty"`
	Image    *ImageRef  `json:"image,omitempty"`
	Buttons  [][]Button `json:"buttons,omitempty"`
	Keyboard *Keyboard  `json:"keyboard,omitempty"`
	At       time.Time  `json:"at"`

	mediaID string
}

// ImageRef points at an image; URL is empty when only the platform's file
// id is known (a photo passed on), which the page shows as a placeholder.
type ImageRef struct {
	URL  string `json:"url,omitempty"`
	Name string `json:"name,omitempty"`
}

// Button is an inline button.
type Button struct {
	Label string `json:"label"`
	Data  string `json:"data"`
}

// Keyboard is the reply keyboard, or an order to remove it.
type Keyboard struct {
	Rows   [][]Key `json:"rows,omitempty"`
	Remove bool    `json:"remove,omitempty"`
}

// Key is a reply-keyboard key; Contact asks for the user's own phone.
type Key struct {
	Label   string `json:"label"`
	Contact bool   `json:"contact,omitempty"`
}

// New returns a simulator with no conversation yet.
func New(cfg Config) *Web {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.History <= 0 {
		cfg.History = DefaultHistory
	}
	if cfg.Lang == "" {
		cfg.Lang = "vi"
	}
	return &Web{
		cfg:   cfg,
		log:   cfg.Log.With("comp", "web"),
		chats: map[string]*thread{},
		media: map[string]media{},
		subs:  map[chan struct{}]struct{}{},
	}
}

// Channel is one of the simulator's two channels as the router and the
// outbox see it.
type Channel struct {
	w    *Web
	name chat.Channel
}

// Channel returns the sender of chat.Web or Numbered; nil for another name.
func (w *Web) Channel(name chat.Channel) *Channel {
	if name != chat.Web && name != Numbered {
		return nil
	}
	return &Channel{w: w, name: name}
}

// Features says what the panel shows: everything on chat.Web; on
// Numbered, as on Zalo, text only.
func (c *Channel) Features() chat.Features {
	if c.name == Numbered {
		return chat.Features{MaxText: numberedMaxText}
	}
	return chat.Features{Buttons: true, Keyboard: true, ShareContact: true, MaxText: maxText}
}

// Send adds a reply to the chat's history and wakes the pages watching it.
// A chat no page has open keeps it for the next visit.
func (c *Channel) Send(_ context.Context, r chat.Reply) error {
	if !c.w.validUser(r.ChatID) {
		return fmt.Errorf("web: send: bad chat id %q", r.ChatID)
	}
	key := string(c.name) + ":" + r.ChatID
	m := Message{From: "bot", Text: r.Text}
	for _, row := range r.Buttons {
		var out []Button
		for _, b := range row {
			out = append(out, Button{Label: b.Label, Data: b.Data})
		}
		m.Buttons = append(m.Buttons, out)
	}
	if k := r.Keyboard; k != nil {
		m.Keyboard = &Keyboard{Remove: k.Remove}
		for _, row := range k.Rows {
			var out []Key
			for _, key := range row {
				out = append(out, Key{Label: key.Label, Contact: key.RequestContact})
			}
			m.Keyboard.Rows = append(m.Keyboard.Rows, out)
		}
	}
	var img *media
	if r.Image != nil {
		m.Image = &ImageRef{Name: r.Image.Name}
		if mime := http.DetectContentType(r.Image.Data); len(r.Image.Data) > 0 && strings.HasPrefix(mime, "image/") {
			img = &media{data: r.Image.Data, mime: mime}
		}
	}
	if c.name != Numbered {
		c.w.add(key, []Message{m}, img, nil)
		return nil
	}
	// Zalo shows no buttons: they become numbered lines, pressed by
	// typing the number, and the text is split at Zalo's limit.
	var choices []chat.Button
	var lines []string
	for _, row := range r.Buttons {
		for _, b := range row {
			choices = append(choices, b)
			lines = append(lines, "["+strconv.Itoa(len(choices))+"] "+b.Label)
		}
	}
	text := m.Text
	if len(lines) > 0 {
		text = strings.TrimSpace(text + "\n\n" + strings.Join(lines, "\n"))
	}
	m.Buttons, m.Keyboard = nil, nil
	var msgs []Message
	for i, part := range textsplit.Split(text, numberedMaxText) {
		p := m
		p.Text = strings.TrimRight(part, "\n") // the break that ended the part
		if i > 0 {
			p.Image = nil // the image goes with the first part only
		}
		msgs = append(msgs, p)
	}
	c.w.add(key, msgs, img, choices)
	return nil
}

// add appends msgs to chat key; img is the first message's picture;
// choices, when not nil, replace the typed-number buttons of the chat
// (an empty slice clears them).
func (w *Web) add(key string, msgs []Message, img *media, choices []chat.Button) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := w.thread(key)
	now := w.cfg.Now()
	for i := range msgs {
		w.seq++
		msgs[i].Seq, msgs[i].At = w.seq, now
		if i == 0 && img != nil {
			id := newID()
			w.media[id] = *img
			msgs[i].mediaID = id
			msgs[i].Image.URL = "media/" + id
		}
		t.msgs = append(t.msgs, msgs[i])
	}
	if msgs[0].From == "bot" {
		t.choices = choices
	}
	t.used = w.seq
	// Forget the oldest messages, and their pictures.
	if over := len(t.msgs) - w.cfg.History; over > 0 {
		for _, m := range t.msgs[:over] {
			delete(w.media, m.mediaID)
		}
		t.msgs = append([]Message(nil), t.msgs[over:]...)
	}
	for ch := range w.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// thread returns chat key's history, making room among the chats when it
// is new. The caller holds w.mu.
func (w *Web) thread(key string) *thread {
	if t, ok := w.chats[key]; ok {
		return t
	}
	if len(w.chats) >= maxChats {
		oldest, at := "", int64(-1)
		for k, t := range w.chats {
			if at < 0 || t.used < at {
				oldest, at = k, t.used
			}
		}
		for _, m := range w.chats[oldest].msgs {
			delete(w.media, m.mediaID)
		}
		delete(w.chats, oldest)
	}
	t := &thread{}
	w.chats[key] = t
	return t
}

// since returns the messages of chats after seq, oldest first, each with
// the chat it belongs to.
func (w *Web) since(chats []string, seq int64) []keyed {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []keyed
	for _, key := range chats {
		t, ok := w.chats[key]
		if !ok {
			continue
		}
		i := sort.Search(len(t.msgs), func(i int) bool { return t.msgs[i].Seq > seq })
		for _, m := range t.msgs[i:] {
			out = append(out, keyed{key, m})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].m.Seq < out[j].m.Seq })
	return out
}

type keyed struct {
	chat string
	m    Message
}

// choice returns the button numbered n (from 1) of chat key's latest bot
// message on the Numbered channel.
func (w *Web) choice(key string, n int) (chat.Button, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t, ok := w.chats[key]
	if !ok || n < 1 || n > len(t.choices) {
		return chat.Button{}, false
	}
	return t.choices[n-1], true
}

func (w *Web) image(id string) (media, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	m, ok := w.media[id]
	return m, ok
}

// subscribe returns a channel that receives a signal after each new
// message, and its cancel.
func (w *Web) subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	w.subs[ch] = struct{}{}
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		delete(w.subs, ch)
		w.mu.Unlock()
	}
}

// validUser says whether id may be a chat of the simulator: a fixed
// persona's id or a browser's own.
func (w *Web) validUser(id string) bool {
	if visitorPattern.MatchString(id) {
		return true
	}
	for _, p := range w.cfg.Personas {
		if p.User != "" && p.User == id {
			return true
		}
	}
	return false
}

// newID is a random media id that cannot be guessed from another.
func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
