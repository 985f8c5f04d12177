package syncapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/service/intake"
	"xabot/internal/store"
)

const token = "s3cret-sync-token"

type env struct {
	db  *store.DB
	srv *httptest.Server
	log *bytes.Buffer
}

func newEnv(t *testing.T, tok string) *env {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "xabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h := Handler(intake.New(db, loc), tok, slog.New(slog.NewTextHandler(&logs, nil)))
	mux := http.NewServeMux()
	mux.Handle(Path, h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{db: db, srv: srv, log: &logs}
}

// post sends body with the given token ("" for none) and content type.
func (e *env) post(t *testing.T, tok, contentType, body string) (*http.Response, map[string]any) {
	t.Helper()
	return e.do(t, http.MethodPost, tok, contentType, body)
}

func (e *env) do(t *testing.T, method, tok, contentType, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.srv.URL+Path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("response %q: %v", b, err)
		}
	}
	return resp, out
}

func (e *env) count(t *testing.T) int {
	t.Helper()
	n, err := e.db.CountDossiers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

const jsonType = "application/json"

// item is a valid record; over overrides or adds keys (nil removes one).
func item(code string, over map[string]any) map[string]any {
	m := map[string]any{"code": code, "procedure_code": "1.001193.000.00.00.H55", "procedure_name": "Đăng ký khai sinh",
		"field": "Hộ tịch", "applicant_name": "Nguyễn Thị Hoa", "applicant_phone": "0905123456",
		"channel": "online", "received_at": "2025-06-02 08:00", "due_at": "03/06/2025", "status": "4"}
	for k, v := range over {
		if v == nil {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	return m
}

func body(t *testing.T, items ...map[string]any) string {
	t.Helper()
	b, err := json.Marshal(items)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestUnauthorized(t *testing.T) {
	e := newEnv(t, token)
	good := body(t, item("H55.20-250602-0001", nil))
	for _, tt := range []struct{ name, auth string }{
		{"no header", ""},
		{"wrong token", "Bearer nope"},
		{"token as prefix", "Bearer " + token[:len(token)-1]},
		{"token with more", "Bearer " + token + "x"},
		{"basic scheme", "Basic " + token},
		{"bare token", token},
		{"empty bearer", "Bearer "},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+Path, strings.NewReader(good))
		req.Header.Set("Content-Type", jsonType)
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || strings.TrimSpace(string(b)) != `{"error":"unauthorized"}` ||
			!strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: %d %s %q", tt.name, resp.StatusCode, b, resp.Header.Get("WWW-Authenticate"))
		}
	}
	// Unauthenticated, even a bad method is 401: nothing is told.
	if resp, _ := e.do(t, http.MethodGet, "", "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET without token: %d", resp.StatusCode)
	}
	if n := e.count(t); n != 0 {
		t.Errorf("CountDossiers = %d after unauthorized posts", n)
	}
	// The scheme's case does not matter.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+Path, strings.NewReader("[]"))
	req.Header.Set("Content-Type", jsonType)
	req.Header.Set("Authorization", "bearer "+token)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("lower-case bearer: %d", resp.StatusCode)
	}
	if strings.Contains(e.log.String(), token) {
		t.Error("the token reached the log")
	}
}

// unreadBody fails the test if the handler reads the body.
type unreadBody struct{ t *testing.T }

func (b unreadBody) Read([]byte) (int, error) {
	b.t.Error("the body of an unauthorized request was read")
	return 0, io.EOF
}

func TestUnauthorizedReadsNothing(t *testing.T) {
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "xabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := Handler(intake.New(db, nil), token, nil)
	req := httptest.NewRequest(http.MethodPost, Path, io.NopCloser(unreadBody{t}))
	req.Header.Set("Content-Type", jsonType)
	req.Header.Set("Authorization", "Bearer wrong")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusUnauthorized || !strings.Contains(w.Header().Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("%d %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
}

func TestOff(t *testing.T) {
	e := newEnv(t, "")
	for _, tok := range []string{"", "anything"} {
		if resp, _ := e.post(t, tok, jsonType, body(t, item("H55.20-250602-0001", nil))); resp.StatusCode != http.StatusNotFound {
			t.Errorf("token %q: status %d, want 404", tok, resp.StatusCode)
		}
	}
	if n := e.count(t); n != 0 {
		t.Errorf("CountDossiers = %d", n)
	}
}

func TestOtherPath(t *testing.T) {
	h := Handler(nil, token, nil)
	for _, p := range []string{Path + "/", "/api/v1/dossier", "/"} {
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, p, strings.NewReader("[]"))
		req.Header.Set("Authorization", "Bearer "+token)
		h.ServeHTTP(w, req)
		if w.Code != http.StatusNotFound {
			t.Errorf("%s: %d", p, w.Code)
		}
	}
}

func TestRefusals(t *testing.T) {
	e := newEnv(t, token)
	big := "[" + strings.Repeat(" ", MaxBody) + "]"
	many := "[" + strings.TrimSuffix(strings.Repeat("{},", MaxRecords+1), ",") + "]"
	tests := []struct {
		name, method, ctype, body string
		status                    int
		errKey                    string
	}{
		{"GET", http.MethodGet, "", "", http.StatusMethodNotAllowed, "method_not_allowed"},
		{"PUT", http.MethodPut, jsonType, "[]", http.StatusMethodNotAllowed, "method_not_allowed"},
		{"no content type", http.MethodPost, "", "[]", http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"form", http.MethodPost, "application/x-www-form-urlencoded", "a=b", http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"CSV", http.MethodPost, "text/csv", "code\n", http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"over 10 MiB", http.MethodPost, jsonType, big, http.StatusRequestEntityTooLarge, "too_large"},
		{"too many records", http.MethodPost, jsonType, many, http.StatusRequestEntityTooLarge, "too_many_records"},
		{"empty", http.MethodPost, jsonType, "", http.StatusBadRequest, "not_an_array"},
		{"object", http.MethodPost, jsonType, `{"code":"H55.20-250602-0001"}`, http.StatusBadRequest, "not_an_array"},
		{"string", http.MethodPost, jsonType, `"x"`, http.StatusBadRequest, "not_an_array"},
		{"array of strings", http.MethodPost, jsonType, `["x"]`, http.StatusBadRequest, "bad_record"},
		{"nested value", http.MethodPost, jsonType, `[{"code":{"a":1}}]`, http.StatusBadRequest, "bad_record"},
		{"bool value", http.MethodPost, jsonType, `[{"code":true}]`, http.StatusBadRequest, "bad_record"},
		{"trailing data", http.MethodPost, jsonType, `[] []`, http.StatusBadRequest, "bad_json"},
		{"unterminated", http.MethodPost, jsonType, `[{"code":"a"}`, http.StatusBadRequest, "bad_json"},
	}
	for _, tt := range tests {
		resp, out := e.do(t, tt.method, token, tt.ctype, tt.body)
		if resp.StatusCode != tt.status || out["error"] != tt.errKey {
			t.Errorf("%s: %d %v, want %d %s", tt.name, resp.StatusCode, out, tt.status, tt.errKey)
		}
		if tt.status == http.StatusMethodNotAllowed && resp.Header.Get("Allow") != http.MethodPost {
			t.Errorf("%s: Allow = %q", tt.name, resp.Header.Get("Allow"))
		}
	}
	// A body over the limit without a Content-Length (chunked) is cut by
	// MaxBytesReader.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+Path, io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", jsonType)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked over the limit: %d", resp.StatusCode)
	}
	if n := e.count(t); n != 0 {
		t.Errorf("CountDossiers = %d", n)
	}
}

func TestMalformedJSON(t *testing.T) {
	e := newEnv(t, token)
	// The first item is good, the second broken: nothing is written.
	good := body(t, item("H55.20-250602-0001", nil))
	bad := strings.TrimSuffix(good, "]") + ",\n{\"code\": \"H55.20-250602-0002\",, \"status\": 4}]"
	resp, out := e.post(t, token, jsonType, bad)
	if resp.StatusCode != http.StatusBadRequest || out["error"] != "bad_json" {
		t.Fatalf("%d %v", resp.StatusCode, out)
	}
	wantOff := strings.Index(bad, ",,") + 1 // the second comma
	if out["line"] != 2.0 || out["column"] != float64(wantOff-strings.Index(bad, "\n")) ||
		out["offset"] != float64(wantOff) || !strings.Contains(out["message"].(string), "line 2") {
		t.Errorf("position = %v, want line 2 near byte %d", out, wantOff)
	}
	if n := e.count(t); n != 0 {
		t.Errorf("CountDossiers = %d, want 0", n)
	}
}

func results(t *testing.T, out map[string]any) []map[string]any {
	t.Helper()
	raw, ok := out["results"].([]any)
	if !ok {
		t.Fatalf("no results in %v", out)
	}
	var res []map[string]any
	for _, r := range raw {
		res = append(res, r.(map[string]any))
	}
	return res
}

func TestPost(t *testing.T) {
	e := newEnv(t, token)
	b := body(t,
		item("H55.20-250602-0001", nil),
		item("H55.20-250602-0002", map[string]any{"applicant_phone": "12345"}),
		// Numbers as values: a phone that lost its zero, a status and a channel code.
		item("H55.20-250602-0003", map[string]any{"applicant_phone": 905123457, "status": 9,
			"channel": 2, "finished_at": "2025-06-02T15:00:00+07:00", "applicant_id": 51234567890}),
		item("H55.20-250602-0004", map[string]any{"field": nil, "note": nil}),
	)
	resp, out := e.post(t, token, "application/json; charset=utf-8", b)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %v", resp.StatusCode, out)
	}
	if out["created"] != 2.0 || out["updated"] != 0.0 || out["unchanged"] != 0.0 || out["errors"] != 2.0 {
		t.Errorf("counts = %v", out)
	}
	res := results(t, out)
	want := []string{
		`{"code":"H55.20-250602-0001","index":0,"outcome":"created"}`,
		`{"args":{"column":"applicant_phone"},"code":"H55.20-250602-0002","error":"import.bad_phone","index":1,"outcome":"error"}`,
		`{"code":"H55.20-250602-0003","index":2,"outcome":"created"}`,
		`{"args":{"code":"H55.20-250602-0004","columns":"field"},"code":"H55.20-250602-0004","error":"import.new_incomplete","index":3,"outcome":"error"}`,
	}
	if len(res) != len(want) {
		t.Fatalf("results = %v", res)
	}
	for i, w := range want {
		got, _ := json.Marshal(res[i])
		if string(got) != w {
			t.Errorf("result %d = %s, want %s", i, got, w)
		}
	}
	if n := e.count(t); n != 2 {
		t.Errorf("CountDossiers = %d, want 2", n)
	}
	d, err := e.db.DossierByCode(t.Context(), "H55.20-250602-0003")
	if err != nil {
		t.Fatal(err)
	}
	if d.Phone != "0905123457" || d.Status != domain.StatusDone || d.Intake != domain.IntakeOnline || d.IDLast4 != "7890" {
		t.Errorf("dossier 0003 = %+v", d)
	}
	logs := e.log.String()
	for _, secret := range []string{"0905123456", "905123457", "Nguyễn Thị Hoa", "Nguy", token} {
		if strings.Contains(logs, secret) {
			t.Errorf("log holds %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, "records=4") || !strings.Contains(logs, "created=2") || !strings.Contains(logs, "remote=") {
		t.Errorf("log lacks counts or remote:\n%s", logs)
	}
}

func TestStatusChangeAndIdempotence(t *testing.T) {
	e := newEnv(t, token)
	v1 := body(t, item("H55.20-250602-0001", nil), item("H55.20-250602-0002", nil))
	if resp, out := e.post(t, token, jsonType, v1); resp.StatusCode != http.StatusOK || out["created"] != 2.0 {
		t.Fatalf("first post: %d %v", resp.StatusCode, out)
	}
	v2 := body(t,
		item("H55.20-250602-0001", map[string]any{"status": 9, "finished_at": "03/06/2025 09:00",
			"note": "Mời nhận kết quả"}),
		item("H55.20-250602-0002", nil))
	resp, out := e.post(t, token, jsonType, v2)
	if resp.StatusCode != http.StatusOK || out["updated"] != 1.0 || out["unchanged"] != 1.0 {
		t.Fatalf("second post: %d %v", resp.StatusCode, out)
	}
	res := results(t, out)
	if res[0]["outcome"] != "updated" || res[1]["outcome"] != "unchanged" {
		t.Errorf("results = %v", res)
	}
	d, err := e.db.DossierByCode(t.Context(), "H55.20-250602-0001")
	if err != nil {
		t.Fatal(err)
	}
	events, err := e.db.DossierEvents(t.Context(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var status []domain.Event
	for _, ev := range events {
		if ev.Kind == "status" {
			status = append(status, ev)
		}
	}
	if len(status) != 1 || status[0].From != domain.StatusInProgress || status[0].To != domain.StatusDone ||
		status[0].Source != "sync" || status[0].Note != "Mời nhận kết quả" {
		t.Errorf("events = %+v, want one status event in_progress → done from sync", events)
	}

	// Posting the same again changes nothing.
	resp, out = e.post(t, token, jsonType, v2)
	if resp.StatusCode != http.StatusOK || out["unchanged"] != 2.0 || out["created"] != 0.0 || out["updated"] != 0.0 {
		t.Fatalf("repost: %d %v", resp.StatusCode, out)
	}
	for _, r := range results(t, out) {
		if r["outcome"] != "unchanged" {
			t.Errorf("repost result %v", r)
		}
	}
	if events2, _ := e.db.DossierEvents(t.Context(), d.ID); len(events2) != len(events) {
		t.Errorf("repost added events: %+v", events2)
	}
}

func TestEmptyArray(t *testing.T) {
	e := newEnv(t, token)
	resp, out := e.post(t, token, "application/vnd.xabot+json", "  [ ]  ")
	if resp.StatusCode != http.StatusOK || fmt.Sprint(out["results"]) != "[]" || out["created"] != 0.0 {
		t.Errorf("%d %v", resp.StatusCode, out)
	}
}

func TestNumberText(t *testing.T) {
	for in, want := range map[string]string{"905123456": "905123456", "9": "9", "9.0": "9",
		"5.1234567890e10": "51234567890", "0.5": "0.5", "1e20": "1e20", "-3": "-3"} {
		if got := numberText(json.Number(in)); got != want {
			t.Errorf("numberText(%s) = %s, want %s", in, got, want)
		}
	}
}
