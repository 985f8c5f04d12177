// Package zalofake is a fake Zalo Bot Platform API server for tests: it
// speaks the documented wire format over real HTTP (httptest), queues
// inbound user messages for getUpdates, records what the bot sends, and can
// be told to fail the next call of a method. README.md says which behaviours
// are documented and which are assumed; testdata/ holds the documented
// request and response bodies, and shape_test.go keeps the fake's answers in
// the same JSON shape as those.
//
// Use it from any test:
//
//	fake := zalofake.New("12345:secret")
//	defer fake.Close()
//	// XABOT_ZALO_TOKEN=12345:secret XABOT_ZALO_API=fake.URL(), or
//	// zalo.Config{Token: "12345:secret", BaseURL: fake.URL()}
//	fake.SendText("u1", "Nguyễn Văn A", "/start")
//	msgs, err := fake.WaitSent(ctx, "u1", 1)
package zalofake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
)

// Event names of the documented inbound updates.
const (
	EventText        = "message.text.received"
	EventImage       = "message.image.received"
	EventSticker     = "message.sticker.received"
	EventUnsupported = "message.unsupported.received"
)

// AccountName is what the fake's getMe answers as account_name.
const AccountName = "bot.XaBotFake"

// DefaultMaxPoll caps how long getUpdates holds a poll before answering
// 408, whatever timeout the client asked for, so tests stay fast.
const DefaultMaxPoll = 2 * time.Second

const maxText = 2000 // sendMessage text and sendPhoto caption: 1–2000 characters

// Message is one message the bot sent to a chat.
type Message struct {
	Method  string // "sendMessage" or "sendPhoto"
	ChatID  string
	Text    string // sendMessage
	Photo   string // sendPhoto: the photo URL
	Caption string // sendPhoto
	At      time.Time
}

// Request is one call the server received, whatever its outcome.
type Request struct {
	Method  string
	Body    json.RawMessage // as received; "{}" for an empty body
	TokenOK bool
	At      time.Time
}

type failure struct {
	status, code int
	description  string
}

// Server is a fake Zalo Bot API. It is safe for concurrent use.
type Server struct {
	token  string
	botID  string
	srv    *httptest.Server
	closed chan struct{}
	once   sync.Once

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every new update or sent message
	updates    [][]byte
	sent       map[string][]Message
	requests   []Request
	fails      map[string][]failure
	hookURL    string
	hookSecret string
	hookAt     int64
	seq        int
	maxPoll    time.Duration
}

// New starts a fake that accepts token (format "<bot_id>:<secret>") and
// answers any other with 401. Close it when done.
func New(token string) *Server {
	id, _, _ := strings.Cut(token, ":")
	s := &Server{
		token:   token,
		botID:   id,
		closed:  make(chan struct{}),
		changed: make(chan struct{}),
		sent:    make(map[string][]Message),
		fails:   make(map[string][]failure),
		maxPoll: DefaultMaxPoll,
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the base URL to pass as zalo.Config.BaseURL or XABOT_ZALO_API.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server; long polls in flight end at once.
func (s *Server) Close() {
	s.once.Do(func() { close(s.closed) })
	s.srv.Close()
}

// SetMaxPoll changes how long getUpdates may hold a poll (DefaultMaxPoll).
func (s *Server) SetMaxPoll(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxPoll = d
}

// SendText queues a text message from a user, as Zalo would deliver it to
// getUpdates (event message.text.received, a new message_id, date now).
func (s *Server) SendText(userID, displayName, text string) {
	s.SendRaw(s.Update(userID, displayName, EventText, text))
}

// SendImage queues a photo (with an optional caption) from a user.
func (s *Server) SendImage(userID, name, photoURL, caption string) {
	s.SendRaw(s.build(userID, name, EventImage, func(m *wireMessage) {
		m.PhotoURL, m.Caption = &photoURL, optional(caption)
	}))
}

// SendSticker queues a sticker from a user.
func (s *Server) SendSticker(userID, name string) {
	s.SendRaw(s.Update(userID, name, EventSticker, ""))
}

// SendUnsupported queues a message Zalo does not pass on to bots (voice,
// file, link…).
func (s *Server) SendUnsupported(userID, name string) {
	s.SendRaw(s.Update(userID, name, EventUnsupported, ""))
}

// SendRaw queues any update body (flat, as Update builds it) for
// getUpdates: odd shapes, invalid UTF-8, group chats, bots.
func (s *Server) SendRaw(update []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.updates = append(s.updates, bytes.Clone(update))
	s.signal()
}

// Update builds the flat JSON body of an update without queueing it, for
// webhook tests. text is the message text of a text event, the caption of
// an image event (its photo_url is made up) and unused otherwise.
func (s *Server) Update(userID, name, event, text string) []byte {
	return s.build(userID, name, event, func(m *wireMessage) {
		switch event {
		case EventText:
			m.Text = &text
		case EventImage:
			photo := "https://photo.fake-zalo.invalid/" + m.MessageID + ".jpg"
			m.PhotoURL, m.Caption = &photo, optional(text)
		case EventSticker:
			sticker := "fakesticker" + m.MessageID
			m.Sticker = &sticker
		}
	})
}

// Sent is what the bot sent to a chat (sendMessage and sendPhoto, not chat
// actions), in order.
func (s *Server) Sent(userID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.sent[userID]...)
}

// WaitSent blocks until at least n messages were sent to the chat, or ctx
// ends.
func (s *Server) WaitSent(ctx context.Context, userID string, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		msgs, ch := append([]Message(nil), s.sent[userID]...), s.changed
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return msgs, fmt.Errorf("zalofake: %d of %d messages to %s: %w", len(msgs), n, userID, ctx.Err())
		}
	}
}

// Webhook is what setWebhook set; "" after deleteWebhook.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hookURL, s.hookSecret
}

// Requests lists every call received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// FailNext makes the next call of method answer HTTP status with
// {"ok":false,"error_code":errorCode,"description":description}. Calls
// queue up. status 0 drops the connection without an answer instead (a
// network error).
func (s *Server) FailNext(method string, status, errorCode int, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[method] = append(s.fails[method], failure{status, errorCode, description})
}

// signal wakes everything waiting for a change; s.mu is held.
func (s *Server) signal() {
	close(s.changed)
	s.changed = make(chan struct{})
}

type wireUpdate struct {
	EventName string      `json:"event_name"`
	Message   wireMessage `json:"message"`
}

type wireMessage struct {
	From struct {
		ID          string `json:"id"`
		DisplayName string `json:"display_name"`
		IsBot       bool   `json:"is_bot"`
	} `json:"from"`
	Chat struct {
		ID       string `json:"id"`
		ChatType string `json:"chat_type"`
	} `json:"chat"`
	Text      *string `json:"text,omitempty"`
	PhotoURL  *string `json:"photo_url,omitempty"`
	Caption   *string `json:"caption,omitempty"`
	Sticker   *string `json:"sticker,omitempty"`
	MessageID string  `json:"message_id"`
	Date      int64   `json:"date"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) build(userID, name, event string, fill func(*wireMessage)) []byte {
	u := wireUpdate{EventName: event}
	m := &u.Message
	m.From.ID, m.From.DisplayName = userID, name
	m.Chat.ID, m.Chat.ChatType = userID, "PRIVATE" // a private chat's id is the user's
	m.MessageID, m.Date = s.newID(), time.Now().UnixMilli()
	fill(m)
	b, err := json.Marshal(u)
	if err != nil {
		panic(err) // only strings and numbers: cannot happen
	}
	return b
}

// newID makes a message id shaped like Zalo's (20 hex digits).
func (s *Server) newID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return fmt.Sprintf("%020x", 0x5eed0000+s.seq)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	token, method, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	tokenOK := strings.HasPrefix(r.URL.Path, "/bot") && token == s.token
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: method, Body: body, TokenOK: tokenOK, At: time.Now()})
	var fail *failure
	if tokenOK && len(s.fails[method]) > 0 {
		fail = &s.fails[method][0]
		s.fails[method] = s.fails[method][1:]
	}
	s.mu.Unlock()

	switch {
	case !tokenOK:
		apiErr(w, http.StatusUnauthorized, "Unauthorized")
		return
	case fail != nil && fail.status == 0:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
		}
		return
	case fail != nil:
		writeJSON(w, fail.status, map[string]any{"ok": false, "error_code": fail.code, "description": fail.description})
		return
	case r.Method != http.MethodPost:
		apiErr(w, http.StatusMethodNotAllowed, "Method Not Allowed: use POST")
		return
	}
	var p params
	if err := json.Unmarshal(body, &p); err != nil {
		apiErr(w, http.StatusBadRequest, "Bad Request: the body is not a JSON object")
		return
	}
	switch method {
	case "getMe":
		ok(w, map[string]any{"id": s.botID, "account_name": AccountName, "account_type": "BASIC", "can_join_groups": false})
	case "getUpdates":
		s.getUpdates(w, r, p)
	case "setWebhook":
		s.setWebhook(w, p)
	case "deleteWebhook":
		s.mu.Lock()
		s.hookURL, s.hookSecret, s.hookAt = "", "", time.Now().UnixMilli()
		at := s.hookAt
		s.mu.Unlock()
		ok(w, map[string]any{"url": "", "updated_at": at})
	case "getWebhookInfo":
		s.mu.Lock()
		u, at := s.hookURL, s.hookAt
		s.mu.Unlock()
		ok(w, map[string]any{"url": u, "updated_at": at})
	case "sendMessage":
		s.sendMessage(w, p)
	case "sendPhoto":
		s.sendPhoto(w, p)
	case "sendChatAction":
		if p.str("chat_id") == "" || (p.str("action") != "typing" && p.str("action") != "upload_photo") {
			apiErr(w, http.StatusBadRequest, "Bad Request: chat_id and an action of typing or upload_photo are required")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	default:
		apiErr(w, http.StatusNotFound, "Not Found: unknown method")
	}
}

// params is a request body; values may be strings or numbers.
type params map[string]any

func (p params) str(k string) string {
	switch v := p[k].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

func (p params) has(k string) bool { _, ok := p[k]; return ok }

func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, p params) {
	wait := 30 * time.Second // documented default
	if n, err := strconv.ParseFloat(p.str("timeout"), 64); err == nil && n >= 0 {
		wait = time.Duration(n * float64(time.Second))
	}
	s.mu.Lock()
	wait = min(wait, s.maxPoll)
	s.mu.Unlock()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if s.hookURL != "" {
			s.mu.Unlock()
			apiErr(w, http.StatusConflict, "Conflict: getUpdates is not available while a webhook is set")
			return
		}
		if len(s.updates) > 0 {
			// Like Zalo, one update per call, gone once handed out.
			u := s.updates[0]
			s.updates = s.updates[1:]
			s.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			var out bytes.Buffer
			out.WriteString(`{"ok":true,"result":`)
			out.Write(u) // raw: SendRaw may carry invalid UTF-8 on purpose
			out.WriteString("}")
			_, _ = w.Write(out.Bytes())
			return
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-timer.C:
			apiErr(w, http.StatusRequestTimeout, "Request timeout")
			return
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		}
	}
}

func (s *Server) setWebhook(w http.ResponseWriter, p params) {
	u, err := url.Parse(p.str("url"))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		apiErr(w, http.StatusBadRequest, "Bad Request: url must be an https URL")
		return
	}
	if n := len(p.str("secret_token")); n < 8 || n > 256 {
		apiErr(w, http.StatusBadRequest, "Bad Request: secret_token must be 8 to 256 characters")
		return
	}
	s.mu.Lock()
	s.hookURL, s.hookSecret, s.hookAt = p.str("url"), p.str("secret_token"), time.Now().UnixMilli()
	at := s.hookAt
	s.mu.Unlock()
	ok(w, map[string]any{"url": p.str("url"), "updated_at": at})
}

func (s *Server) sendMessage(w http.ResponseWriter, p params) {
	chatID, text := p.str("chat_id"), p.str("text")
	if chatID == "" {
		apiErr(w, http.StatusBadRequest, "Bad Request: chat_id is required")
		return
	}
	if n := units(text); n < 1 || n > maxText {
		apiErr(w, http.StatusBadRequest, fmt.Sprintf("Bad Request: text must be 1 to %d characters", maxText))
		return
	}
	s.deliver(w, Message{Method: "sendMessage", ChatID: chatID, Text: text})
}

func (s *Server) sendPhoto(w http.ResponseWriter, p params) {
	chatID, photo, caption := p.str("chat_id"), p.str("photo"), p.str("caption")
	u, err := url.Parse(photo)
	switch {
	case chatID == "":
		apiErr(w, http.StatusBadRequest, "Bad Request: chat_id is required")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		apiErr(w, http.StatusBadRequest, "Bad Request: photo must be an http(s) URL")
	case p.has("caption") && units(caption) > maxText:
		apiErr(w, http.StatusBadRequest, fmt.Sprintf("Bad Request: caption must be 1 to %d characters", maxText))
	default:
		s.deliver(w, Message{Method: "sendPhoto", ChatID: chatID, Photo: photo, Caption: caption})
	}
}

// deliver records a sent message and answers the documented receipt.
func (s *Server) deliver(w http.ResponseWriter, m Message) {
	id := s.newID()
	m.At = time.Now()
	s.mu.Lock()
	s.sent[m.ChatID] = append(s.sent[m.ChatID], m)
	s.signal()
	s.mu.Unlock()
	ok(w, map[string]any{"message_id": id, "date": m.At.UnixMilli()})
}

// units counts characters as UTF-16 units (assumed: see README.md).
func units(s string) int { return len(utf16.Encode([]rune(s))) }

func ok(w http.ResponseWriter, result any) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

// apiErr answers an error with the error code as HTTP status too (assumed,
// as the Telegram Bot API does; clients must read the body either way).
func apiErr(w http.ResponseWriter, code int, description string) {
	writeJSON(w, code, map[string]any{"ok": false, "error_code": code, "description": description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
