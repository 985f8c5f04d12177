package dossier

import (
	"database/sql"
	"testing"
)

// The unsubscribe button's data can be forged: its answer must be the same
// for an unknown code, a dossier the chat does not follow and one it does,
// and only a follower's press writes anything.
func TestUnfollowRevealsNothing(t *testing.T) {
	s, _, db, path := newService(t)
	ctx := t.Context()
	dA, err := db.DossierByCode(ctx, codeA)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Follow(ctx, "tg:follower", dA); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		user, code string
		want       string
	}{
		{"tg:stranger", "H55.20-250601-0099", "H55.20-250601-0099"}, // no such dossier
		{"tg:stranger", "h55.20-250501-1", codeA},                   // exists, not followed
		{"tg:follower", codeA, codeA},                               // followed
	}
	for _, tt := range tests {
		got, err := s.Unfollow(ctx, tt.user, tt.code)
		if err != nil || got != tt.want {
			t.Errorf("Unfollow(%s, %q) = %q, %v; want %q, nil", tt.user, tt.code, got, err, tt.want)
		}
	}
	subs, err := db.Subscribers(ctx, dA)
	if err != nil || len(subs) != 0 {
		t.Errorf("Subscribers after Unfollow = %v, %v; want none", subs, err)
	}
	// The stranger's presses left no row tying the chat to a dossier.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM subscriptions WHERE chat_key = 'tg:stranger'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("subscriptions rows of the stranger = %d, %v; want 0", n, err)
	}
	if _, err := s.Unfollow(ctx, "tg:stranger", "xin chào"); !isKey(err, "lookup.bad_code") {
		t.Errorf("Unfollow(malformed) = %v, want lookup.bad_code", err)
	}
}
