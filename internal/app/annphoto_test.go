package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/media"
	"xabot/internal/store"
)

// TestKeptPhotoEndpoint: the media endpoint serves an announcement's kept
// photo by its token, and refuses with the same plain 404 an unknown
// token, a forged one (one character changed), a malformed one, and the
// photo once retention has passed (7 days after the announcement ended),
// before the purge has deleted it.
func TestKeptPhotoEndpoint(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })
	id, err := db.CreateAnnouncement(ctx, domain.Announcement{Author: "tg:1", Whole: true, Text: "Bão", Urgent: true,
		Photo: "AgAD", PhotoChan: "tg", SendAt: now, CreatedAt: now}, nil, 0, now, now)
	if err != nil {
		t.Fatal(err)
	}
	const token = "abcdefghijklmnopqrstuvwxyzABCD-_"
	data := []byte("\xFF\xD8\xFF storm map")
	if _, err := db.SaveAnnouncementPhoto(ctx, domain.AnnouncementPhoto{ID: id, Token: token, Data: data, MIME: "image/jpeg", At: now}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(media.Kept(keptPhotos{db}.serve, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	get := func(path string) (int, []byte) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}
	url := strings.TrimPrefix(media.KeptURL("https://xa.example.vn/", token), "https://xa.example.vn")
	if code, body := get(url); code != http.StatusOK || !bytes.Equal(body, data) {
		t.Fatalf("the kept photo: %d %q", code, body)
	}
	notFound := func(what, path string) {
		t.Helper()
		code, body := get(path)
		if code != http.StatusNotFound || strings.Contains(string(body), "storm") || strings.Contains(string(body), token) {
			t.Errorf("%s: %d %q, want a plain 404", what, code, body)
		}
	}
	notFound("unknown token", media.KeptPath+strings.Repeat("x", len(token))+".jpg")
	notFound("forged token", media.KeptPath+"b"+token[1:]+".jpg")
	notFound("malformed token", media.KeptPath+token+"x")
	notFound("no token", media.KeptPath)

	// Done now: served for 7 days, refused after, then purged.
	if _, err := db.AnnouncementProgress(ctx, id, "", "tg:2", 0, true, now); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.FinishAnnouncement(ctx, id, now); err != nil || !ok {
		t.Fatalf("finish: %v %v", ok, err)
	}
	now = now.Add(domain.AnnouncementPhotoKeep - time.Hour)
	if code, _ := get(url); code != http.StatusOK {
		t.Errorf("6 days 23 hours after the end: %d, want 200", code)
	}
	if n, err := db.PurgeIDs(ctx, "photos", now.Add(-domain.AnnouncementPhotoKeep), id, id); err != nil || n != 0 {
		t.Errorf("purge within retention: %d %v, want none deleted", n, err)
	}
	now = now.Add(2 * time.Hour)
	notFound("after retention", url)
	if n, err := db.PurgeIDs(ctx, "photos", now.Add(-domain.AnnouncementPhotoKeep), id, id); err != nil || n != 1 {
		t.Errorf("purge: %d %v, want the photo deleted", n, err)
	}
	if _, ok, err := db.AnnouncementPhoto(ctx, id); err != nil || ok {
		t.Errorf("after the purge the photo is still there (%v)", err)
	}
}
