// Package tgstand is a Telegram Bot API stand-in for the fault suite. It
// keeps the rule the emulator of the end-to-end tests does not: getUpdates
// offers an update again and again until a later offset confirms it, so a
// bot killed in the middle of handling is offered the update after its
// restart, as real Telegram does. It can answer any call with a 429 and
// retry_after, a 5xx, or hang (a timeout), and can limit sends per second
// per bot and per chat the way Telegram does; it logs every call with its
// arrival time so a test can check order, duplicates and 1-second windows.
//
// Only what xabot calls is served: getMe, getUpdates, sendMessage,
// sendPhoto, editMessageText, editMessageReplyMarkup, answerCallbackQuery,
// deleteWebhook, setWebhook, setMyCommands, sendChatAction.
package tgstand

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is the stand-in. Tokens are "<bot id>:<secret>": any token is a
// bot, its id the digits before the colon.
type Server struct {
	URL string // http://127.0.0.1:PORT; the bot's XABOT_TELEGRAM_API is URL + "/bot%s/%s"

	srv    *http.Server
	mu     sync.Mutex
	bots   map[string]*bot
	now    func() time.Time
	onSent func(token string, m Msg)
}

// Fault answers matching calls with an error, or holds them.
type Fault struct {
	Method     string        // "" = any method but getUpdates
	Chat       int64         // 0 = any chat
	Count      int           // how many calls; -1 = until Clear
	Every      int           // answer only every Every-th matching call (0, 1 = each); the others pass
	Status     int           // 429, 500, 502, …; 0 with Hold = only hold
	RetryAfter int           // seconds, for 429
	Hold       time.Duration // hold the call this long before answering (a timeout when longer than the client's)
	seen       int           // matching calls so far
}

// Limits are Telegram's flood limits as token buckets per second; a call
// over them gets 429 with retry_after ≥ 1. Zero = off.
type Limits struct {
	PerSecond, PerChatPerSecond float64
}

// Call is one request the bot made.
type Call struct {
	Method string
	Chat   int64
	At     time.Time // arrival
	Status int       // HTTP status answered
	Text   string    // the text or caption sent
	Msg    int       // the message id given, for sends that succeeded
}

// Msg is a message the bot sent (successfully).
type Msg struct {
	ID      int
	Chat    int64
	Text    string
	At      time.Time
	Buttons [][]Button // inline keyboard
	Photo   bool
}

// Button is an inline button.
type Button struct {
	Text string `json:"text"`
	Data string `json:"callback_data"`
}

type bot struct {
	id       int64
	nextUpd  int
	nextMsg  int
	pending  []json.RawMessage // updates not yet confirmed, ids ascending
	ids      []int
	wake     chan struct{}
	poller   chan struct{} // closed to end the current getUpdates with 409
	calls    []Call
	sent     []Msg
	faults   []*Fault
	limits   Limits
	bucket   float64
	bucketAt time.Time
	chatBkt  map[int64]*chatBucket
	nextCQ   int
}

type chatBucket struct {
	tokens float64
	at     time.Time
}

// Start serves on a free loopback port until the test ends.
func Start(tb interface {
	Helper()
	Fatalf(string, ...any)
	Cleanup(func())
}) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("tgstand: listen: %v", err)
	}
	s := &Server{URL: "http://" + ln.Addr().String(), bots: map[string]*bot{}, now: time.Now}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go s.srv.Serve(ln)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		s.srv.Shutdown(ctx)
	})
	return s
}

// APIEndpoint is the XABOT_TELEGRAM_API value for this stand-in.
func (s *Server) APIEndpoint() string { return s.URL + "/bot%s/%s" }

func (s *Server) botOf(token string) *bot {
	b, ok := s.bots[token]
	if !ok {
		id, _ := strconv.ParseInt(strings.SplitN(token, ":", 2)[0], 10, 64)
		b = &bot{id: id, nextUpd: 1, nextMsg: 1, wake: make(chan struct{}), chatBkt: map[int64]*chatBucket{}}
		s.bots[token] = b
	}
	return b
}

// ServeHTTP routes /bot<token>/<method>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || !strings.Contains(token, ":") {
		writeErr(w, 404, "Not Found", 0)
		return
	}
	params, err := readParams(r)
	if err != nil {
		writeErr(w, 400, "Bad Request: "+err.Error(), 0)
		return
	}
	chatID, _ := strconv.ParseInt(params["chat_id"], 10, 64)
	at := s.now()

	s.mu.Lock()
	b := s.botOf(token)
	f := b.fault(method, chatID)
	s.mu.Unlock()
	if f != nil && f.Hold > 0 {
		select {
		case <-time.After(f.Hold):
		case <-r.Context().Done():
			s.log(b, Call{Method: method, Chat: chatID, At: at, Status: 499})
			return
		}
	}
	if f != nil && f.Status != 0 {
		s.log(b, Call{Method: method, Chat: chatID, At: at, Status: f.Status})
		desc := http.StatusText(f.Status)
		if f.Status == 429 {
			desc = fmt.Sprintf("Too Many Requests: retry after %d", f.RetryAfter)
		}
		writeErr(w, f.Status, desc, f.RetryAfter)
		return
	}
	switch method {
	case "getUpdates":
		s.getUpdates(w, r, b, params)
	case "getMe":
		writeOK(w, map[string]any{"id": b.id, "is_bot": true, "first_name": "xabot", "username": fmt.Sprintf("xabot%d_bot", b.id)})
	case "deleteWebhook", "setWebhook", "setMyCommands", "sendChatAction", "setChatMenuButton":
		writeOK(w, true)
	case "answerCallbackQuery":
		s.log(b, Call{Method: method, At: at, Status: 200})
		writeOK(w, true)
	case "sendMessage", "sendPhoto", "editMessageText", "editMessageReplyMarkup":
		s.send(w, token, b, method, chatID, params, at)
	default:
		writeErr(w, 404, "Not Found: method not found", 0)
	}
}

// fault returns the first rule matching method and chat, using it up.
func (b *bot) fault(method string, chat int64) *Fault {
	for i, f := range b.faults {
		if (f.Method == "" && method == "getUpdates") || (f.Method != "" && f.Method != method) ||
			(f.Chat != 0 && f.Chat != chat) {
			continue
		}
		if f.seen++; f.Every > 1 && f.seen%f.Every != 0 {
			continue
		}
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				b.faults = append(b.faults[:i], b.faults[i+1:]...)
			}
		}
		c := *f
		return &c
	}
	return nil
}

func (s *Server) log(b *bot, c Call) {
	s.mu.Lock()
	b.calls = append(b.calls, c)
	s.mu.Unlock()
}

// getUpdates confirms every update below offset, then returns those from
// offset on, waiting up to timeout seconds for one. A second poll ends the
// first with 409, as Telegram does.
func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, b *bot, p map[string]string) {
	offset, _ := strconv.Atoi(p["offset"])
	limit, _ := strconv.Atoi(p["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p["timeout"])
	deadline := time.After(time.Duration(timeout) * time.Second)
	s.mu.Lock()
	if b.poller != nil {
		close(b.poller)
	}
	mine := make(chan struct{})
	b.poller = mine
	s.mu.Unlock()
	for {
		s.mu.Lock()
		if offset != 0 {
			b.confirm(offset)
		}
		var out []json.RawMessage
		for i, id := range b.ids {
			if id >= offset && len(out) < limit {
				out = append(out, b.pending[i])
			}
		}
		wake := b.wake
		s.mu.Unlock()
		if len(out) > 0 || timeout == 0 {
			if out == nil {
				out = []json.RawMessage{}
			}
			s.mu.Lock()
			if b.poller == mine {
				b.poller = nil
			}
			s.mu.Unlock()
			writeOK(w, out)
			return
		}
		select {
		case <-wake:
		case <-deadline:
			timeout = 0
		case <-mine:
			writeErr(w, 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", 0)
			return
		case <-r.Context().Done():
			return
		}
	}
}

// confirm drops the updates with ids below offset (a negative offset, as
// Telegram allows, is not used by xabot and confirms nothing).
func (b *bot) confirm(offset int) {
	if offset <= 0 {
		return
	}
	i := 0
	for i < len(b.ids) && b.ids[i] < offset {
		i++
	}
	b.ids, b.pending = b.ids[i:], b.pending[i:]
}

// send records a message the bot sends or edits, within the limits.
func (s *Server) send(w http.ResponseWriter, token string, b *bot, method string, chat int64, p map[string]string, at time.Time) {
	text := p["text"]
	if method == "sendPhoto" {
		text = p["caption"]
	}
	s.mu.Lock()
	if wait, over := b.over(chat, at); over {
		b.calls = append(b.calls, Call{Method: method, Chat: chat, At: at, Status: 429, Text: text})
		s.mu.Unlock()
		writeErr(w, 429, fmt.Sprintf("Too Many Requests: retry after %d", wait), wait)
		return
	}
	if method == "sendMessage" && strings.TrimSpace(text) == "" {
		s.mu.Unlock()
		writeErr(w, 400, "Bad Request: message text is empty", 0)
		return
	}
	m := Msg{ID: b.nextMsg, Chat: chat, Text: text, At: at, Photo: method == "sendPhoto"}
	if id, err := strconv.Atoi(p["message_id"]); err == nil && strings.HasPrefix(method, "edit") {
		m.ID = id
	} else {
		b.nextMsg++
	}
	if rm := p["reply_markup"]; rm != "" {
		var kb struct {
			Inline [][]Button `json:"inline_keyboard"`
		}
		if json.Unmarshal([]byte(rm), &kb) == nil {
			m.Buttons = kb.Inline
		}
	}
	b.sent = append(b.sent, m)
	b.calls = append(b.calls, Call{Method: method, Chat: chat, At: at, Status: 200, Text: text, Msg: m.ID})
	onSent := s.onSent
	s.mu.Unlock()
	if onSent != nil {
		onSent(token, m)
	}
	writeOK(w, map[string]any{"message_id": m.ID, "date": at.Unix(), "text": text,
		"from": map[string]any{"id": b.id, "is_bot": true, "first_name": "xabot"},
		"chat": map[string]any{"id": chat, "type": "private"}})
}

// over takes a token from the bot's and the chat's buckets, or says how
// many seconds to wait.
func (b *bot) over(chat int64, at time.Time) (int, bool) {
	l := b.limits
	if l.PerSecond > 0 {
		b.bucket = min(l.PerSecond, b.bucket+at.Sub(b.bucketAt).Seconds()*l.PerSecond)
		b.bucketAt = at
		if b.bucket < 1 {
			return 1, true
		}
	}
	if l.PerChatPerSecond > 0 {
		c, ok := b.chatBkt[chat]
		if !ok {
			c = &chatBucket{tokens: 1, at: at}
			b.chatBkt[chat] = c
		}
		c.tokens = min(1, c.tokens+at.Sub(c.at).Seconds()*l.PerChatPerSecond)
		c.at = at
		if c.tokens < 1 {
			return 1, true
		}
		c.tokens--
	}
	if l.PerSecond > 0 {
		b.bucket--
	}
	return 0, false
}

// ---------------------------------------------------------------- control

// AddFault adds a rule for token's bot.
func (s *Server) AddFault(token string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := f
	s.botOf(token).faults = append(s.botOf(token).faults, &c)
}

// ClearFaults drops token's rules.
func (s *Server) ClearFaults(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.botOf(token).faults = nil
}

// OnSent calls f with each message a bot sends, as it arrives (a load
// test reads its answers without scanning the log).
func (s *Server) OnSent(f func(token string, m Msg)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onSent = f
}

// SetLimits sets token's flood limits (Limits{} = off).
func (s *Server) SetLimits(token string, l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.botOf(token)
	b.limits, b.bucket, b.bucketAt = l, l.PerSecond, s.now()
}

// Calls returns token's call log.
func (s *Server) Calls(token string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.botOf(token).calls...)
}

// Sent returns the messages token's bot sent, oldest first; chat 0 = all.
func (s *Server) Sent(token string, chat int64) []Msg {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Msg
	for _, m := range s.botOf(token).sent {
		if chat == 0 || m.Chat == chat {
			out = append(out, m)
		}
	}
	return out
}

// Pending is how many updates token's bot has not confirmed.
func (s *Server) Pending(token string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.botOf(token).ids)
}

// ---------------------------------------------------------------- the people

// ---------------------------------------------------------------- wire

func readParams(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "multipart/form-data"):
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return nil, err
		}
		for k, v := range r.MultipartForm.Value {
			out[k] = v[0]
		}
	case strings.HasPrefix(ct, "application/json"):
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if len(body) > 0 {
			if err := json.Unmarshal(body, &m); err != nil {
				return nil, err
			}
		}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				out[k] = v
			default:
				b, _ := json.Marshal(v)
				out[k] = string(b)
			}
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		for k, v := range r.Form {
			out[k] = v[0]
		}
	}
	return out, nil
}

func writeOK(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func writeErr(w http.ResponseWriter, status int, desc string, retryAfter int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body := map[string]any{"ok": false, "error_code": status, "description": desc}
	if retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	json.NewEncoder(w).Encode(body)
}
