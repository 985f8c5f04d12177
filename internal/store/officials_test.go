package store

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/service/officials"
)

var _ officials.Repo = (*DB)(nil)

func hashOf(c byte) string { return strings.Repeat(string(c), 64) }

func TestOfficials(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	t0 := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)

	if all, err := db.Officials(ctx); err != nil || len(all) != 0 {
		t.Fatalf("Officials(empty) = %v, %v", all, err)
	}
	hoa := domain.Official{Name: "Trần Thị Hoa", Role: domain.RoleOfficial, Fields: []string{"Hộ tịch", "Chứng thực"},
		Head: true, CreatedAt: t0, ChatKey: "tg:ignored"}
	id, err := db.CreateOfficial(ctx, hoa)
	if err != nil {
		t.Fatalf("CreateOfficial: %v", err)
	}
	got, err := db.Official(ctx, id)
	hoa.ID, hoa.ChatKey = id, ""
	if err != nil || !sameOfficial(got, hoa) {
		t.Errorf("Official(%d) = %+v, %v; want %+v", id, got, err, hoa)
	}
	chair := domain.Official{Name: "Ngô Minh", Role: domain.RoleChairman}
	if chair.ID, err = db.CreateOfficial(ctx, chair); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Official(ctx, 99); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("Official(99) error = %v, want ErrNotFound", err)
	}
	for _, bad := range []domain.Official{{Name: "", Role: domain.RoleOfficial}, {Name: "X", Role: domain.RoleCitizen}} {
		if _, err := db.CreateOfficial(ctx, bad); err == nil {
			t.Errorf("CreateOfficial(%+v) succeeded, want a constraint error", bad)
		}
	}
	all, err := db.Officials(ctx)
	if err != nil || len(all) != 2 || all[0].ID != hoa.ID || all[1].ID != chair.ID || all[1].Fields != nil ||
		!all[1].CreatedAt.Equal(time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("Officials = %+v, %v", all, err)
	}
}

func sameOfficial(a, b domain.Official) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Role == b.Role && slices.Equal(a.Fields, b.Fields) &&
		a.Head == b.Head && a.ChatKey == b.ChatKey && a.CreatedAt.Equal(b.CreatedAt) &&
		a.BoundAt.Equal(b.BoundAt) && a.RevokedAt.Equal(b.RevokedAt)
}

func TestRedeemInvite(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	t0 := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	mk := func(name string, role domain.Role, c byte, expires time.Time) int64 {
		t.Helper()
		id, err := db.CreateOfficial(ctx, domain.Official{Name: name, Role: role, CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CreateInvite(ctx, domain.Invite{CodeHash: hashOf(c), OfficialID: id, ExpiresAt: expires}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	week := t0.Add(7 * 24 * time.Hour)
	a := mk("Trần Thị Hoa", domain.RoleOfficial, 'a', week)
	mk("Cũ", domain.RoleOfficial, 'b', t0.Add(time.Hour))
	c := mk("Bị thu hồi", domain.RoleOfficial, 'c', week)
	mk("Ngô Minh", domain.RoleChairman, 'd', week)
	if _, err := db.RevokeOfficial(ctx, c, t0); err != nil {
		t.Fatal(err)
	}
	if err := db.SetConsent(ctx, "tg:1", t0); err != nil { // an existing identity keeps its consent
		t.Fatal(err)
	}

	at := t0.Add(time.Hour)
	o, err := db.RedeemInvite(ctx, hashOf('a'), "tg:1", at)
	if err != nil || o.ID != a || o.ChatKey != "tg:1" || !o.BoundAt.Equal(at) {
		t.Fatalf("RedeemInvite(a) = %+v, %v", o, err)
	}
	if stored, _ := db.Official(ctx, a); !sameOfficial(stored, o) {
		t.Errorf("stored %+v, returned %+v", stored, o)
	}
	cit, err := db.Citizen(ctx, "tg:1")
	if err != nil || cit.Role != domain.RoleOfficial || !cit.ConsentAt.Equal(t0) {
		t.Errorf("citizen tg:1 = %+v, %v; want role official, consent kept", cit, err)
	}
	if by, err := db.OfficialByChat(ctx, "tg:1"); err != nil || by.ID != a {
		t.Errorf("OfficialByChat(tg:1) = %+v, %v", by, err)
	}

	refusals := []struct {
		hash string
		chat string
		want error
	}{
		{hashOf('z'), "tg:2", domain.ErrNotFound},
		{hashOf('a'), "tg:2", domain.ErrInviteUsed},
		{hashOf('a'), "tg:1", domain.ErrInviteUsed},
		{hashOf('b'), "tg:2", domain.ErrInviteExpired}, // expires at exactly `at`
		{hashOf('c'), "tg:2", domain.ErrRevoked},
		{hashOf('d'), "tg:1", domain.ErrConflict}, // tg:1 is bound to a
	}
	for _, tt := range refusals {
		if _, err := db.RedeemInvite(ctx, tt.hash, tt.chat, at); !errors.Is(err, tt.want) {
			t.Errorf("RedeemInvite(%.1s…, %s) error = %v, want %v", tt.hash, tt.chat, err, tt.want)
		}
	}
	if _, err := db.Citizen(ctx, "tg:2"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("refusals created citizen tg:2: %v", err)
	}
	// The refused d is still usable elsewhere.
	if o, err := db.RedeemInvite(ctx, hashOf('d'), "tg:2", at); err != nil || o.Role != domain.RoleChairman {
		t.Errorf("RedeemInvite(d, tg:2) = %+v, %v", o, err)
	}
	if cit, _ := db.Citizen(ctx, "tg:2"); cit.Role != domain.RoleChairman {
		t.Errorf("citizen tg:2 role = %s, want chairman", cit.Role)
	}

	// Revoking frees the chat: it may be bound again, and the old row keeps its key.
	rev, err := db.RevokeOfficial(ctx, a, at.Add(time.Hour))
	if err != nil || rev.ChatKey != "tg:1" || !rev.RevokedAt.Equal(at.Add(time.Hour)) {
		t.Fatalf("RevokeOfficial(a) = %+v, %v", rev, err)
	}
	if cit, _ := db.Citizen(ctx, "tg:1"); cit.Role != domain.RoleCitizen {
		t.Errorf("citizen tg:1 role after revoke = %s, want citizen", cit.Role)
	}
	if _, err := db.OfficialByChat(ctx, "tg:1"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("OfficialByChat(revoked) error = %v, want ErrNotFound", err)
	}
	if _, err := db.RevokeOfficial(ctx, a, at); !errors.Is(err, domain.ErrRevoked) {
		t.Errorf("RevokeOfficial twice error = %v, want ErrRevoked", err)
	}
	if _, err := db.RevokeOfficial(ctx, 99, at); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("RevokeOfficial(99) error = %v, want ErrNotFound", err)
	}
	e := mk("Trần Thị Hoa", domain.RoleAdmin, 'e', week)
	if o, err := db.RedeemInvite(ctx, hashOf('e'), "tg:1", at); err != nil || o.ID != e {
		t.Errorf("RedeemInvite(e, tg:1) after revoke = %+v, %v", o, err)
	}
	if by, _ := db.OfficialByChat(ctx, "tg:1"); by.ID != e {
		t.Errorf("OfficialByChat(tg:1) = %d, want %d", by.ID, e)
	}
	// Revoking a pending official leaves identities alone.
	f := mk("Chưa đăng ký", domain.RoleOfficial, 'f', week)
	if _, err := db.RevokeOfficial(ctx, f, at); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RedeemInvite(ctx, hashOf('f'), "tg:3", at); !errors.Is(err, domain.ErrRevoked) {
		t.Errorf("RedeemInvite(revoked pending) error = %v, want ErrRevoked", err)
	}
}

func TestAudits(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	t0 := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	in := []domain.Audit{
		{At: t0, Actor: "cli", Action: "invite", Target: "1", Detail: "role=official"},
		{At: t0.Add(time.Minute), Actor: "tg:1", Action: "bind", Target: "1"},
		{Actor: "tg:2", Action: "revoke", Target: "1"}, // at the store's clock
	}
	clock.set(t0.Add(time.Hour))
	for _, a := range in {
		if err := db.AddAudit(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddAudit(ctx, domain.Audit{Actor: "cli"}); err == nil {
		t.Error("AddAudit without an action succeeded")
	}
	got, err := db.Audits(ctx, 2)
	if err != nil || len(got) != 2 || got[0].Action != "revoke" || !got[0].At.Equal(t0.Add(time.Hour)) ||
		got[1] != in[1] {
		t.Errorf("Audits(2) = %+v, %v", got, err)
	}
	if all, _ := db.Audits(ctx, 0); len(all) != 3 || all[2] != in[0] {
		t.Errorf("Audits(0) = %+v", all)
	}
}

func TestInviteFailures(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	t0 := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	for _, f := range []struct {
		chat string
		at   time.Time
	}{{"tg:1", t0.Add(-2 * time.Hour)}, {"tg:1", t0.Add(-time.Minute)}, {"tg:1", t0}, {"tg:2", t0}} {
		if err := db.AddInviteFailure(ctx, f.chat, f.at); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.InviteFailures(ctx, "tg:1", t0.Add(-time.Hour))
	if err != nil || len(got) != 2 || !got[0].Equal(t0.Add(-time.Minute)) || !got[1].Equal(t0) {
		t.Errorf("InviteFailures(tg:1) = %v, %v", got, err)
	}
	if got, _ := db.InviteFailures(ctx, "tg:3", t0.Add(-time.Hour)); len(got) != 0 {
		t.Errorf("InviteFailures(tg:3) = %v", got)
	}
}
