// Package media publishes the images the bot draws (the digest chart) at
// an unguessable URL for a while, because Zalo's sendPhoto takes a URL, not
// bytes. Images are kept in memory: a few charts a week, each fetched by
// the platform within seconds of the send. Kept (kept.go) serves the images
// the database keeps (an announcement's photo) by token, across restarts.
package media

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Path is where the handler is mounted; a token follows it.
const Path = "/media/"

const (
	maxItems = 64
	maxBytes = 10 << 20
)

type item struct {
	data []byte
	mime string
	at   time.Time
}

// Store keeps published images for ttl, the oldest dropped past maxItems.
type Store struct {
	base string // public base URL, no trailing slash
	ttl  time.Duration
	now  func() time.Time

	mu    sync.Mutex
	items map[string]item
	order []string
}

// New returns a Store whose URLs start with base (XABOT_PUBLIC_URL).
func New(base string, ttl time.Duration, now func() time.Time) *Store {
	return &Store{base: strings.TrimRight(base, "/"), ttl: ttl, now: now, items: map[string]item{}}
}

// Publish keeps data and returns its public URL.
func (s *Store) Publish(_ context.Context, data []byte, name string) (string, error) {
	if len(data) == 0 || len(data) > maxBytes {
		return "", errSize
	}
	var raw [18]byte
	_, _ = rand.Read(raw[:])
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	if ext := extOf(name); ext != "" {
		token += ext
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[token] = item{data: data, mime: http.DetectContentType(data), at: s.now()}
	s.order = append(s.order, token)
	for len(s.order) > maxItems {
		delete(s.items, s.order[0])
		s.order = s.order[1:]
	}
	return s.base + Path + token, nil
}

// ServeHTTP answers GET Path+token while the image is fresh.
func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimPrefix(r.URL.Path, Path)
	s.mu.Lock()
	it, ok := s.items[token]
	if ok && s.now().Sub(it.at) > s.ttl {
		delete(s.items, token)
		ok = false
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", it.mime)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(it.data)
}

type sizeError struct{}

func (sizeError) Error() string { return "media: empty or larger than 10 MB" }

var errSize = sizeError{}

// extOf keeps a short extension so platforms that look at it are happy.
func extOf(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 || len(name)-i > 5 {
		return ""
	}
	ext := strings.ToLower(name[i:])
	for _, c := range ext[1:] {
		if c < 'a' || c > 'z' {
			return ""
		}
	}
	return ext
}
