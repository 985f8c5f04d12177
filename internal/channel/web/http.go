package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xabot/internal/chat"
)

//go:embed static
var static embed.FS

const (
	maxBody    = 16 << 10 // a message is small; anything bigger is a mistake or abuse
	maxData    = 64       // Telegram's callback_data limit
	maxLabel   = 200
	heartbeat  = 20 * time.Second // keeps proxies and the browser from closing an idle stream
	retryAfter = 2000             // ms before the browser reconnects a dropped stream
)

var (
	// updateID is a page-made id of one message, so a send retried after a
	// network error is handled once (the router drops the duplicate).
	updateID = regexp.MustCompile(`^[0-9a-f]{8,32}$`)
	mediaID  = regexp.MustCompile(`^[0-9a-f]{24}$`)
	phone    = regexp.MustCompile(`^\+?[0-9][0-9 .-]{5,18}$`)
)

// Handler serves the page, its files and its API, sending what users type
// to h:
//
//	GET  /                  the page
//	GET  /static/…          its script and style
//	GET  /api/config        personas, texts, jobs
//	GET  /api/events        Server-Sent Events: the history, then each new message
//	POST /api/send          a text, a button press or a shared contact
//	POST /api/jobs/{name}   run a job now
//	GET  /media/{id}        an image the bot sent
//
// Errors are JSON: {"error": "code"}.
func (w *Web) Handler(h chat.Handler) http.Handler {
	files, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", func(rw http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(rw, r, files, "index.html")
	})
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(files)))
	m.HandleFunc("GET /api/config", w.config)
	m.HandleFunc("GET /api/events", w.events)
	m.HandleFunc("POST /api/send", func(rw http.ResponseWriter, r *http.Request) { w.send(rw, r, h) })
	m.HandleFunc("POST /api/jobs/{name}", w.runJob)
	m.HandleFunc("GET /media/{id}", w.serveMedia)
	m.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		// The path exists with another method: say so, as the mux would.
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			if _, pattern := m.Handler(withMethod(r, method)); method != r.Method && pattern != "/" {
				fail(rw, http.StatusMethodNotAllowed, "bad_method")
				return
			}
		}
		fail(rw, http.StatusNotFound, "not_found")
	})
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		hd := rw.Header()
		// Everything is served from here: no inline script, no CDN.
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		if !strings.HasPrefix(r.URL.Path, "/media/") {
			hd.Set("Cache-Control", "no-cache")
		}
		m.ServeHTTP(rw, r)
	})
}

// withMethod is r as another method, to ask the mux whether the path
// exists at all.
func withMethod(r *http.Request, method string) *http.Request {
	c := r.Clone(r.Context())
	c.Method = method
	return c
}

// panel is a persona as the page receives it.
type panel struct {
	ID       string `json:"id"`
	Label    string `json:"label"`
	Fixed    bool   `json:"fixed"` // one chat for every browser
	Numbered bool   `json:"numbered"`
}

func (w *Web) config(rw http.ResponseWriter, _ *http.Request) {
	out := struct {
		Lang    string                       `json:"lang"`
		Labels  map[string]map[string]string `json:"labels"`
		Commune string                       `json:"commune"`
		Panels  []panel                      `json:"panels"`
		Jobs    []string                     `json:"jobs"`
	}{Lang: w.cfg.Lang, Labels: w.cfg.Labels, Commune: w.cfg.Commune, Panels: []panel{}, Jobs: []string{}}
	for _, p := range w.cfg.Personas {
		out.Panels = append(out.Panels, panel{ID: p.Panel, Label: p.Label, Fixed: p.User != "", Numbered: p.Numbered})
	}
	if w.cfg.Jobs != nil {
		out.Jobs = w.cfg.Jobs.Names()
	}
	reply(rw, http.StatusOK, out)
}

// inbound is what the page posts.
type inbound struct {
	Panel   string `json:"panel"`
	Visitor string `json:"visitor"`        // the browser's own id
	ID      string `json:"id,omitempty"`   // the page's id of this message
	Kind    string `json:"kind"`           // "text", "press", "contact"
	Text    string `json:"text,omitempty"` // text
	Data    string `json:"data,omitempty"` // press: the button's data
	Label   string `json:"label,omitempty"`
	Phone   string `json:"phone,omitempty"` // contact
}

// chatOf returns the persona of panel and the chat a visitor speaks in
// there; ok is false for an unknown panel or a malformed visitor id.
func (w *Web) chatOf(panel, visitor string) (p Persona, user chat.UserKey, ok bool) {
	if !visitorPattern.MatchString(visitor) {
		return Persona{}, chat.UserKey{}, false
	}
	for _, p := range w.cfg.Personas {
		if p.Panel != panel {
			continue
		}
		ch := chat.Web
		if p.Numbered {
			ch = Numbered
		}
		id := p.User
		if id == "" {
			id = visitor
		}
		return p, chat.UserKey{Channel: ch, ID: id}, true
	}
	return Persona{}, chat.UserKey{}, false
}

func (w *Web) send(rw http.ResponseWriter, r *http.Request, h chat.Handler) {
	var in inbound
	if status, code := decode(rw, r, &in); status != 0 {
		fail(rw, status, code)
		return
	}
	p, user, ok := w.chatOf(in.Panel, in.Visitor)
	if !ok {
		fail(rw, http.StatusBadRequest, "bad_user")
		return
	}
	if in.ID != "" && !updateID.MatchString(in.ID) {
		fail(rw, http.StatusBadRequest, "bad_id")
		return
	}
	now := w.cfg.Now()
	id := in.ID
	if id == "" {
		id = newID()
	}
	u := chat.Update{ID: id, From: user, ChatID: user.ID, At: now}
	own := Message{From: "user", Kind: in.Kind}
	switch in.Kind {
	case "text":
		text := strings.TrimSpace(in.Text)
		if text == "" || !utf8.ValidString(text) {
			fail(rw, http.StatusBadRequest, "empty_text")
			return
		}
		if utf8.RuneCountInString(text) > maxText {
			fail(rw, http.StatusBadRequest, "text_too_long")
			return
		}
		own.Text = text
		u.Kind, u.Text = chat.Text, text
		if n, err := strconv.Atoi(text); err == nil && p.Numbered {
			if b, ok := w.choice(user.String(), n); ok {
				u.Kind, u.Text, u.Data = chat.Callback, "", b.Data
			}
		} else if rest, ok := strings.CutPrefix(text, "/"); ok && rest != "" {
			name, args, _ := strings.Cut(rest, " ")
			name, _, _ = strings.Cut(name, "@") // "/start@xabot_bot", as Telegram writes it
			u.Kind, u.Text, u.Command, u.Args = chat.Command, "", strings.ToLower(name), strings.TrimSpace(args)
		}
	case "press":
		if p.Numbered {
			fail(rw, http.StatusBadRequest, "no_buttons")
			return
		}
		if in.Data == "" || len(in.Data) > maxData || utf8.RuneCountInString(in.Label) > maxLabel {
			fail(rw, http.StatusBadRequest, "bad_button")
			return
		}
		own.Text = in.Label
		u.Kind, u.Data = chat.Callback, in.Data
	case "contact":
		if p.Numbered {
			fail(rw, http.StatusBadRequest, "no_contact")
			return
		}
		ph := strings.TrimSpace(in.Phone)
		if !phone.MatchString(ph) {
			fail(rw, http.StatusBadRequest, "bad_phone")
			return
		}
		own.Text = ph
		// The page's "share my phone" key: the number is the sender's own,
		// as Telegram's contact button says with the contact's user id.
		u.Kind, u.Contact = chat.Contact, &chat.SharedContact{Phone: ph, UserID: user.ID}
	default:
		fail(rw, http.StatusBadRequest, "bad_kind")
		return
	}
	w.add(user.String(), []Message{own}, nil, nil)
	// A reload while the bot answers must not cut the turn in half; the
	// router bounds it with its own timeout.
	if err := h.Handle(context.WithoutCancel(r.Context()), u); err != nil {
		// The chat key is a random id, never a name or a phone.
		w.log.Warn("web: update not handled", "user", user.String(), "kind", in.Kind, "err", err)
		fail(rw, http.StatusBadGateway, "not_handled")
		return
	}
	reply(rw, http.StatusOK, map[string]bool{"ok": true})
}

// events streams the messages of the visitor's chats: those after the
// last one the page has (Last-Event-ID on a reconnect, ?after= on load),
// then each new one, with a comment every heartbeat.
func (w *Web) events(rw http.ResponseWriter, r *http.Request) {
	visitor := r.URL.Query().Get("visitor")
	if !visitorPattern.MatchString(visitor) {
		fail(rw, http.StatusBadRequest, "bad_user")
		return
	}
	var last int64
	for _, s := range []string{r.URL.Query().Get("after"), r.Header.Get("Last-Event-ID")} {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > last {
			last = n
		}
	}
	panelOf := map[string]string{} // chat key → panel
	var chats []string
	for _, p := range w.cfg.Personas {
		_, user, _ := w.chatOf(p.Panel, visitor)
		panelOf[user.String()] = p.Panel
		chats = append(chats, user.String())
	}
	flusher, ok := rw.(http.Flusher)
	if !ok {
		fail(rw, http.StatusInternalServerError, "no_stream")
		return
	}
	wake, cancel := w.subscribe()
	defer cancel()
	hd := rw.Header()
	hd.Set("Content-Type", "text/event-stream; charset=utf-8")
	hd.Set("X-Accel-Buffering", "no")
	rw.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprintf(rw, "retry: %d\n\n", retryAfter); err != nil {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		for _, k := range w.since(chats, last) {
			ev := struct {
				Panel string `json:"panel"`
				Message
			}{panelOf[k.chat], k.m}
			b, err := json.Marshal(ev)
			if err != nil {
				return
			}
			if _, err := fmt.Fprintf(rw, "id: %d\nevent: message\ndata: %s\n\n", k.m.Seq, b); err != nil {
				return
			}
			last = k.m.Seq
		}
		flusher.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-wake:
		case <-tick.C:
			if _, err := io.WriteString(rw, ": ping\n\n"); err != nil {
				return
			}
		}
	}
}

func (w *Web) runJob(rw http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if w.cfg.Jobs == nil || !slices.Contains(w.cfg.Jobs.Names(), name) {
		fail(rw, http.StatusNotFound, "unknown_job")
		return
	}
	n, err := w.cfg.Jobs.Run(context.WithoutCancel(r.Context()), name) // jobs have their own timeout
	switch {
	case errors.Is(err, ErrJobBusy):
		fail(rw, http.StatusConflict, "busy")
	case err != nil:
		w.log.Error("web: job failed", "job", name, "err", err)
		fail(rw, http.StatusInternalServerError, "job_failed")
	default:
		reply(rw, http.StatusOK, map[string]any{"job": name, "queued": n})
	}
}

func (w *Web) serveMedia(rw http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	m, ok := w.image(id)
	if !mediaID.MatchString(id) || !ok {
		fail(rw, http.StatusNotFound, "not_found")
		return
	}
	rw.Header().Set("Content-Type", m.mime)
	rw.Header().Set("Cache-Control", "private, max-age=86400, immutable")
	rw.Header().Set("Content-Length", strconv.Itoa(len(m.data)))
	_, _ = rw.Write(m.data)
}

// decode reads one JSON object of at most maxBody bytes into v, refusing
// unknown fields; a non-zero status says why it failed.
func decode(rw http.ResponseWriter, r *http.Request, v any) (int, string) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		// Also keeps other sites' plain forms from posting here.
		return http.StatusUnsupportedMediaType, "want_json"
	}
	dec := json.NewDecoder(http.MaxBytesReader(rw, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, "too_large"
	case err != nil:
		return http.StatusBadRequest, "bad_json"
	}
	return 0, ""
}

func reply(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(v)
}

func fail(rw http.ResponseWriter, status int, code string) {
	reply(rw, status, map[string]string{"error": code})
}
