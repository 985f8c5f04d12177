package store

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
)

func TestFailedLookups(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	t0 := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	code := "H55.20-250501-0001"
	attempts := []domain.LookupAttempt{
		{User: "tg:1", Code: code, Outcome: domain.LookupWrong, At: t0.Add(-2 * time.Hour)},
		{User: "tg:1", Code: code, Outcome: domain.LookupWrong, At: t0.Add(-30 * time.Minute)},
		{User: "tg:1", Code: code, Outcome: domain.LookupOK, At: t0.Add(-20 * time.Minute)},
		{User: "tg:1", Code: "", Outcome: domain.LookupUnknown, At: t0.Add(-15 * time.Minute)},
		{User: "tg:1", Code: "H55.20-250501-0002", Outcome: domain.LookupWrong, At: t0.Add(-10 * time.Minute)},
		{User: "tg:2", Code: code, Outcome: domain.LookupWrong, At: t0.Add(-5 * time.Minute)},
		{User: "tg:2", Code: code, Outcome: domain.LookupWrong, At: t0.Add(-61 * time.Minute)},
	}
	for _, a := range attempts {
		if err := db.RecordLookup(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	since := t0.Add(-time.Hour)
	userTests := []struct {
		user string
		want []domain.LookupAttempt
	}{
		{"tg:1", []domain.LookupAttempt{attempts[1], attempts[3], attempts[4]}},
		{"tg:2", []domain.LookupAttempt{attempts[5]}},
		{"tg:3", nil},
	}
	for _, tt := range userTests {
		got, err := db.FailedLookups(ctx, tt.user, since)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tt.want) {
			t.Errorf("FailedLookups(%s) = %v, want %v", tt.user, got, tt.want)
			continue
		}
		for i := range got {
			g, w := got[i], tt.want[i]
			if g.User != w.User || g.Code != w.Code || g.Outcome != w.Outcome || !g.At.Equal(w.At) || g.At.Location() != time.UTC {
				t.Errorf("FailedLookups(%s)[%d] = %+v, want %+v (UTC)", tt.user, i, got[i], tt.want[i])
			}
		}
	}
	codeTests := []struct {
		code  string
		since time.Time
		want  []time.Time
	}{
		{code, since, []time.Time{t0.Add(-30 * time.Minute), t0.Add(-5 * time.Minute)}},
		{code, t0.Add(-3 * time.Hour), []time.Time{t0.Add(-2 * time.Hour), t0.Add(-61 * time.Minute), t0.Add(-30 * time.Minute), t0.Add(-5 * time.Minute)}},
		{"H55.20-250501-0002", since, []time.Time{t0.Add(-10 * time.Minute)}},
		{"H55.20-250501-0003", since, nil},
		{"", since, nil}, // unknown codes are not one code's failures
	}
	for _, tt := range codeTests {
		got, err := db.FailedLookupsOnCode(ctx, tt.code, tt.since)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tt.want) {
			t.Errorf("FailedLookupsOnCode(%s, %v) = %v, want %v", tt.code, tt.since, got, tt.want)
			continue
		}
		for i := range got {
			if !got[i].Equal(tt.want[i]) {
				t.Errorf("FailedLookupsOnCode(%s, %v) = %v, want %v", tt.code, tt.since, got, tt.want)
				break
			}
		}
	}
}

// The table never holds a chat key: only its keyed hash, the same for the
// same chat, and not the plain SHA-256 anyone could recompute.
func TestLookupAttemptsKeepNoChatKey(t *testing.T) {
	db, _, path := newTestDB(t)
	ctx := t.Context()
	for _, u := range []string{"tg:5002", "tg:5002", "zl:abc"} {
		if err := db.RecordLookup(ctx, domain.LookupAttempt{User: u, Code: "H55.20-250501-0001", Outcome: domain.LookupWrong}); err != nil {
			t.Fatal(err)
		}
	}
	hashes := queryStrings(t, path, `SELECT printf('%06d', id) || chat_hash FROM lookup_attempts`)
	for i, h := range hashes { // sorted by id through the prefix
		hashes[i] = h[6:]
	}
	if len(hashes) != 3 || hashes[0] != hashes[1] || hashes[0] == hashes[2] {
		t.Fatalf("chat hashes = %v, want 3 with the first two equal and the third different", hashes)
	}
	for _, h := range hashes {
		if strings.Contains(h, "5002") || strings.Contains(h, "tg:") || len(h) != 64 {
			t.Errorf("chat_hash %q is not a 64-digit hash", h)
		}
	}
	if plain := sha256.Sum256([]byte("tg:5002")); hashes[0] == hex.EncodeToString(plain[:]) {
		t.Error("the chat hash is unkeyed")
	}
	if err := db.RecordLookup(ctx, domain.LookupAttempt{User: "tg:1", Code: "x", Outcome: "maybe"}); err == nil {
		t.Error("RecordLookup accepted an unknown outcome")
	}
}

func TestPurgeLookups(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	t0 := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	for i := range 5 {
		at := t0.Add(time.Duration(i-2) * time.Hour) // 07:00 … 11:00
		if err := db.RecordLookup(ctx, domain.LookupAttempt{User: "tg:1", Code: "C", Outcome: domain.LookupWrong, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	if got := purgeAll(t, db, "lookups", t0, 1); fmt.Sprint(got) != "[1 1]" {
		t.Errorf("purging lookups before %v by one id = %v, want [1 1]", t0, got)
	}
	got, err := db.FailedLookupsOnCode(ctx, "C", time.Time{})
	if err != nil || len(got) != 3 || !got[0].Equal(t0) {
		t.Errorf("after purge before %v: %v, %v; want the 3 from %v on", t0, got, err, t0)
	}
}

// queryStrings runs a one-column query on the file at path, through a
// connection of its own, and returns the values sorted.
func queryStrings(t *testing.T, path, query string, args ...any) []string {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.QueryContext(t.Context(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}
