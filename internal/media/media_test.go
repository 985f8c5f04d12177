package media

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var png = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 100)...)

func TestPublishServeExpire(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	s := New("https://xa.example.vn/", time.Hour, func() time.Time { return now })
	url, err := s.Publish(t.Context(), png, "chart.png")
	if err != nil || !strings.HasPrefix(url, "https://xa.example.vn/media/") || !strings.HasSuffix(url, ".png") {
		t.Fatalf("Publish = %q, %v", url, err)
	}
	other, _ := s.Publish(t.Context(), png, "chart.png")
	if other == url {
		t.Error("two publications share a URL")
	}
	get := func(path string) (int, string, []byte) {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		b, _ := io.ReadAll(rec.Body)
		return rec.Code, rec.Header().Get("Content-Type"), b
	}
	path := strings.TrimPrefix(url, "https://xa.example.vn")
	if code, ct, b := get(path); code != 200 || ct != "image/png" || !bytes.Equal(b, png) {
		t.Errorf("GET = %d %s %d bytes", code, ct, len(b))
	}
	if code, _, _ := get(Path + "guess.png"); code != 404 {
		t.Errorf("GET of a guessed token = %d, want 404", code)
	}
	now = now.Add(2 * time.Hour)
	if code, _, _ := get(path); code != 404 {
		t.Errorf("GET after the ttl = %d, want 404", code)
	}
	if _, err := s.Publish(t.Context(), nil, "x.png"); err == nil {
		t.Error("empty image published")
	}
}

func TestOldestDropped(t *testing.T) {
	s := New("https://x", time.Hour, time.Now)
	first, _ := s.Publish(t.Context(), png, "a.png")
	for range maxItems {
		_, _ = s.Publish(t.Context(), png, "b.png")
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, strings.TrimPrefix(first, "https://x"), nil))
	if rec.Code != 404 || len(s.items) != maxItems {
		t.Errorf("after %d more: first = %d, kept %d", maxItems, rec.Code, len(s.items))
	}
}
