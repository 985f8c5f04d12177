// Package syncapi is the HTTP sync API: the province's one-door system (or
// a script beside it) posts dossiers as JSON and they are merged as an
// import would, with per-item results.
//
//	POST /api/v1/dossiers
//	Authorization: Bearer $XABOT_SYNC_TOKEN
//	Content-Type: application/json
//
//	[{"code": "H55.20-250602-0001", "procedure_name": "Đăng ký khai sinh", "field": "Hộ tịch",
//	  "applicant_phone": "0905123456", "channel": 1, "received_at": "2025-06-02 08:00",
//	  "due_at": "2025-06-03", "status": 4}, ...]
//
// answers 200 with {"results": [{"index": 0, "code": "...", "outcome":
// "created"|"updated"|"unchanged"|"error", "error": "import.bad_phone",
// "args": {...}, "notices": [{"key": "import.extension_moved", "args":
// {...}}], "links": {"telegram": "https://t.me/…?start=…", "page":
// "https://…/s/…"}}, ...], "created": n, "updated": n, "unchanged": n,
// "errors": n}. "links" (the receipt slip's, WithLinks) comes with every
// item stored, when XABOT_LINK_KEY is set.
// The keys are the import columns' English names (unknown keys are
// ignored); values are strings, numbers (a phone 905123456, a status 9) or
// null. An item of a known code needs only "code" and what changed, e.g.
// {"code": "...", "status": 9, "finished_at": "2025-06-03"}: a key absent
// or null leaves the stored value, "" or "-" clears an optional one (an
// extension is never cleared). Error and notice keys are the locale keys of
// locales/import.*.yaml.
//
// Requests that are not this are refused before anything is written: no
// or a wrong token 401 (the body is not read), another method 405, not
// JSON 415, a body over MaxBody or more than MaxRecords items 413, JSON
// that is malformed or not an array of objects 400. A storage failure is a
// 500 after which some batches may be written; posting again is safe, as
// upserts are idempotent.
package syncapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"xabot/internal/domain"
	"xabot/internal/service/intake"
)

// Path is the one path the handler serves; the app mounts the handler
// there.
const Path = "/api/v1/dossiers"

// Limits of one request.
const (
	MaxBody    = 10 << 20 // bytes
	MaxRecords = 5000
)

// Source is recorded on the events of the dossiers the API writes.
const Source = "sync"

// Importer upserts records; *intake.Importer is one.
type Importer interface {
	ImportRecords(ctx context.Context, recs []map[string]string, source string) ([]intake.ItemResult, intake.Report, error)
}

// Handler serves POST Path with imp, for clients presenting token as a
// bearer token. With an empty token the API is off: every request is a 404.
// log gets one line per request with counts and the remote address, never
// a body, a phone or a name; nil discards.
func Handler(imp Importer, token string, log *slog.Logger, opts ...Option) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &handler{imp: imp, on: token != "", sum: sha256.Sum256([]byte(token)), log: log}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Option configures the handler.
type Option func(*handler)

// SlipLinks are the links a dossier's receipt slip prints (its QR holds
// Page, or Telegram when there is no page), for the one-door system to
// print them too.
type SlipLinks struct {
	Telegram string `json:"telegram,omitempty"` // https://t.me/<bot>?start=<token>
	Page     string `json:"page,omitempty"`     // <XABOT_PUBLIC_URL>/s/<token>
}

// WithLinks makes every stored item's result carry its dossier's slip
// links, "links": {"telegram": ..., "page": ...}; links says none with
// ok false.
func WithLinks(links func(code string) (SlipLinks, bool)) Option {
	return func(h *handler) { h.links = links }
}

type handler struct {
	imp   Importer
	on    bool
	sum   [sha256.Size]byte // of the token: compared as hashes, the length does not leak
	log   *slog.Logger
	links func(code string) (SlipLinks, bool)
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.on || r.URL.Path != Path {
		http.NotFound(w, r)
		return
	}
	remote := r.RemoteAddr
	if given, ok := h.authorized(r); !ok {
		challenge := `Bearer realm="xabot"`
		if given {
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: "unauthorized"})
		h.log.Warn("sync: unauthorized", "remote", remote, "token_given", given)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "method_not_allowed", Message: "use POST"})
		return
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		writeJSON(w, http.StatusUnsupportedMediaType, errorBody{Error: "unsupported_media_type",
			Message: "the body must be JSON, with Content-Type: application/json"})
		return
	}
	tooLarge := errorBody{Error: "too_large", Message: fmt.Sprintf("the body is over %d bytes", MaxBody)}
	if r.ContentLength > MaxBody {
		writeJSON(w, http.StatusRequestEntityTooLarge, tooLarge)
		h.log.Warn("sync: body too large", "remote", remote, "bytes", r.ContentLength)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		writeJSON(w, http.StatusRequestEntityTooLarge, tooLarge)
		h.log.Warn("sync: body too large", "remote", remote)
		return
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "unreadable_body", Message: err.Error()})
		return
	}
	recs, perr := decode(body)
	if perr != nil {
		writeJSON(w, perr.status, perr.body)
		h.log.Warn("sync: bad request", "remote", remote, "error", perr.body.Error, "offset", perr.body.Offset)
		return
	}

	start := time.Now()
	res, rep, err := h.imp.ImportRecords(r.Context(), recs, Source)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: "internal",
			Message: "the dossiers could not all be stored; posting them again is safe"})
		h.log.Error("sync: import failed", "remote", remote, "records", len(recs), "created", rep.Created,
			"updated", rep.Updated, "err", err)
		return
	}
	out := response{Results: make([]itemJSON, len(res)), Created: rep.Created, Updated: rep.Updated,
		Unchanged: rep.Unchanged, Errors: len(rep.Errors)}
	for i, it := range res {
		out.Results[i] = itemJSON{Index: it.Index, Code: it.Code, Outcome: it.Outcome, Error: it.Error, Args: domain.ClipArgs(it.Args)}
		for _, n := range it.Notices {
			out.Results[i].Notices = append(out.Results[i].Notices, noticeJSON{Key: n.Key, Args: n.Args})
		}
		if h.links != nil && it.Outcome != "error" {
			if l, ok := h.links(it.Code); ok {
				out.Results[i].Links = &l
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
	h.log.Info("sync: dossiers", "remote", remote, "records", len(recs), "created", rep.Created,
		"updated", rep.Updated, "unchanged", rep.Unchanged, "errors", len(rep.Errors),
		"took", time.Since(start).Round(time.Millisecond))
}

// authorized says whether r carries the token, comparing SHA-256 hashes in
// constant time; given says whether it carried a bearer token at all.
func (h *handler) authorized(r *http.Request) (given, ok bool) {
	scheme, tok, found := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	given = found && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(tok) != ""
	if !given {
		tok = ""
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	return given, subtle.ConstantTimeCompare(sum[:], h.sum[:]) == 1 && given
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message,omitempty"`
	// Where malformed JSON went wrong: the offending byte's offset from 0,
	// its line and column (in bytes) from 1.
	Offset int64 `json:"offset,omitempty"`
	Line   int   `json:"line,omitempty"`
	Column int   `json:"column,omitempty"`
	// Index is the item at fault, from 0.
	Index *int `json:"index,omitempty"`
}

type itemJSON struct {
	Index   int               `json:"index"`
	Code    string            `json:"code,omitempty"`
	Outcome string            `json:"outcome"`
	Error   string            `json:"error,omitempty"`
	Args    map[string]string `json:"args,omitempty"`
	Notices []noticeJSON      `json:"notices,omitempty"`
	Links   *SlipLinks        `json:"links,omitempty"`
}

type noticeJSON struct {
	Key  string            `json:"key"`
	Args map[string]string `json:"args,omitempty"`
}

type response struct {
	Results   []itemJSON `json:"results"`
	Created   int        `json:"created"`
	Updated   int        `json:"updated"`
	Unchanged int        `json:"unchanged"`
	Errors    int        `json:"errors"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// parseError is a request refused for its body.
type parseError struct {
	status int
	body   errorBody
}

// decode reads body as a JSON array of objects of scalar values into
// records, every value as text.
func decode(body []byte) ([]map[string]string, *parseError) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &parseError{http.StatusBadRequest, errorBody{Error: "not_an_array",
				Message: "the body is empty; it must be a JSON array of records"}}
		}
		return nil, syntaxError(body, dec, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, &parseError{http.StatusBadRequest, errorBody{Error: "not_an_array",
			Message: "the body must be a JSON array of records, [{...}, ...]"}}
	}
	recs := []map[string]string{}
	for dec.More() {
		i := len(recs)
		if i == MaxRecords {
			return nil, &parseError{http.StatusRequestEntityTooLarge, errorBody{Error: "too_many_records",
				Message: fmt.Sprintf("at most %d records per request; send the rest in another one", MaxRecords)}}
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, syntaxError(body, dec, err)
		}
		rec, msg := record(raw)
		if msg != "" {
			return nil, &parseError{http.StatusBadRequest, errorBody{Error: "bad_record",
				Message: fmt.Sprintf("item %d: %s", i, msg), Index: &i}}
		}
		recs = append(recs, rec)
	}
	if _, err := dec.Token(); err != nil { // the closing ]
		return nil, syntaxError(body, dec, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = errors.New("data after the array")
		}
		return nil, syntaxError(body, dec, err)
	}
	return recs, nil
}

// record turns one item into a record, or says what is wrong with it. A
// null is no value (the stored one stays, as for an absent key); a blank
// string clears, as intake.ClearMark in a file's cell. Keys are read one by
// one and at most one past intake.MaxColumns is kept: enough for the
// import to refuse the item as too wide, not a map of a million keys.
func record(raw json.RawMessage) (map[string]string, string) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, "not a JSON object"
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // the opening {
		return nil, err.Error()
	}
	rec := map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err.Error()
		}
		k, _ := tok.(string) // an object's keys are strings
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err.Error()
		}
		text := ""
		switch v := v.(type) {
		case nil:
			continue
		case string:
			text = v
			if strings.TrimSpace(v) == "" {
				text = intake.ClearMark
			}
		case json.Number:
			text = numberText(v)
		default:
			return nil, fmt.Sprintf("the value of %q must be a string, a number or null", k)
		}
		if _, ok := rec[k]; ok || len(rec) <= intake.MaxColumns {
			rec[k] = text
		}
	}
	return rec, ""
}

// numberText writes a JSON number as an import cell would hold it:
// integers in plain digits (905123456, 9; also 9.0 and 5.1234567890e10),
// anything else as sent.
func numberText(n json.Number) string {
	s := n.String()
	if !strings.ContainsAny(s, ".eE") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err == nil && f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return s
}

// syntaxError reports malformed JSON with where it went wrong. The
// decoder's offsets miss the bytes its Token calls read, so the position is
// found again by scanning the whole body.
func syntaxError(body []byte, dec *json.Decoder, err error) *parseError {
	off := dec.InputOffset() // bytes read, as json.SyntaxError.Offset
	var v any
	var se *json.SyntaxError
	if e := json.Unmarshal(body, &v); errors.As(e, &se) {
		err, off = se, se.Offset
	} else if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err, off = errors.New("unexpected end of JSON input"), int64(len(body))
	}
	at := max(off-1, 0) // the offending byte
	line, col := position(body, at)
	return &parseError{http.StatusBadRequest, errorBody{Error: "bad_json",
		Message: fmt.Sprintf("malformed JSON at line %d, column %d (byte %d): %v", line, col, at, err),
		Offset:  at, Line: line, Column: col}}
}

// position converts a byte offset of body to a line and a column (in
// bytes), both from 1.
func position(body []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(body)))
	before := body[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}
