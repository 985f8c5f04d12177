package officials

import (
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/store"
)

// The store satisfies Repo.
var _ Repo = (*store.DB)(nil)

type fixture struct {
	s   *Service
	db  *store.DB
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{db: db, now: time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)}
	f.s = New(db, func() time.Time { return f.now }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return f
}

func (f *fixture) invite(t *testing.T, name string, role domain.Role, fields ...string) string {
	t.Helper()
	code, _, err := f.s.Invite(t.Context(), "cli", name, role, fields, false)
	if err != nil {
		t.Fatalf("Invite(%s): %v", name, err)
	}
	return code
}

func invalidKey(err error) string {
	var inv *domain.InvalidError
	if errors.As(err, &inv) {
		return inv.Key
	}
	return ""
}

var codeShape = regexp.MustCompile(`^[` + domain.InviteAlphabet + `]{4}-[` + domain.InviteAlphabet + `]{4}$`)

func TestInvite(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	code, expires, err := f.s.Invite(ctx, "tg:1", "  Trần   Thị Hoa ", domain.RoleOfficial,
		[]string{"Hộ tịch", " ho tich ", "", "Chứng thực"}, true)
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	if !codeShape.MatchString(code) {
		t.Errorf("code %q: want XXXX-XXXX from the alphabet", code)
	}
	if want := f.now.Add(7 * 24 * time.Hour); !expires.Equal(want) {
		t.Errorf("expires = %v, want %v", expires, want)
	}
	all, err := f.s.List(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("List = %v, %v; want one official", all, err)
	}
	o := all[0]
	if o.Name != "Trần Thị Hoa" || o.Role != domain.RoleOfficial || !o.Head || o.Status() != domain.OfficialPending ||
		!slices.Equal(o.Fields, []string{"Hộ tịch", "Chứng thực"}) || !o.CreatedAt.Equal(f.now) {
		t.Errorf("official = %+v", o)
	}
	as, err := f.s.Audits(ctx, 10)
	if err != nil || len(as) != 1 || as[0].Action != "invite" || as[0].Actor != "tg:1" || as[0].Target != "1" ||
		strings.Contains(as[0].Detail, "Hoa") {
		t.Errorf("Audits = %+v, %v; want one invite by tg:1 on 1, without the name", as, err)
	}

	// Codes differ.
	seen := map[string]bool{code: true}
	for range 20 {
		c := f.invite(t, "Người "+code, domain.RoleOfficial)
		if seen[c] {
			t.Fatalf("code %s drawn twice", c)
		}
		seen[c] = true
	}
}

func TestInviteRefusals(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		role domain.Role
		want string
	}{
		{"", domain.RoleOfficial, "officials.name_required"},
		{"   ", domain.RoleOfficial, "officials.name_required"},
		{strings.Repeat("a", 101), domain.RoleOfficial, "officials.name_too_long"},
		{"Trần Hoa", domain.RoleCitizen, "officials.bad_role"},
		{"Trần Hoa", "mayor", "officials.bad_role"},
		{"Trần Hoa", "", "officials.bad_role"},
	}
	for _, tt := range tests {
		code, _, err := f.s.Invite(t.Context(), "cli", tt.name, tt.role, nil, false)
		if got := invalidKey(err); got != tt.want || code != "" {
			t.Errorf("Invite(%q, %q) = %q, %v; want InvalidError %s", tt.name, tt.role, code, err, tt.want)
		}
	}
	if all, _ := f.s.List(t.Context()); len(all) != 0 {
		t.Errorf("refused invites stored %d officials", len(all))
	}
}

func TestRegister(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	code := f.invite(t, "Trần Thị Hoa", domain.RoleChairman, "Hộ tịch")
	typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	o, err := f.s.Register(ctx, "tg:7", typed)
	if err != nil {
		t.Fatalf("Register(%q): %v", typed, err)
	}
	if o.ChatKey != "tg:7" || o.Role != domain.RoleChairman || !o.BoundAt.Equal(f.now) || !o.Active() {
		t.Errorf("Register = %+v", o)
	}
	c, err := f.db.Citizen(ctx, "tg:7")
	if err != nil || c.Role != domain.RoleChairman {
		t.Errorf("citizen after Register = %+v, %v; want role chairman", c, err)
	}
	if by, err := f.s.ByChat(ctx, "tg:7"); err != nil || by.ID != o.ID {
		t.Errorf("ByChat = %+v, %v", by, err)
	}
	if _, err := f.s.ByChat(ctx, "tg:8"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("ByChat(unbound) error = %v, want ErrNotFound", err)
	}
	// The same code again, from anyone.
	for _, who := range []string{"tg:7", "tg:8"} {
		if _, err := f.s.Register(ctx, who, code); invalidKey(err) != "officials.code_used" {
			t.Errorf("Register(used code) by %s error = %v, want code_used", who, err)
		}
	}
	as, _ := f.s.Audits(ctx, 1)
	if len(as) != 1 || as[0].Action != "bind" || as[0].Actor != "tg:7" {
		t.Errorf("last audit = %+v, want bind by tg:7", as)
	}

	// A second code for a chat already bound.
	other := f.invite(t, "Lê Văn Bình", domain.RoleOfficial)
	if _, err := f.s.Register(ctx, "tg:7", other); invalidKey(err) != "officials.already_registered" {
		t.Errorf("Register(second code, bound chat) error = %v, want already_registered", err)
	}
	// It was not consumed.
	if _, err := f.s.Register(ctx, "tg:9", other); err != nil {
		t.Errorf("Register(second code) from a free chat: %v", err)
	}
}

func TestRegisterRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	expired := f.invite(t, "Cũ", domain.RoleOfficial)
	f.now = f.now.Add(7*24*time.Hour - time.Second)
	revoked := f.invite(t, "Bị thu hồi", domain.RoleOfficial)
	if _, err := f.s.Revoke(ctx, "cli", 2); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Second) // the first code is exactly 7 days old
	tests := []struct {
		text string
		want string
	}{
		{expired, "officials.code_expired"},
		{revoked, "officials.code_revoked"},
		{"BCFG-HJKL", "officials.bad_code"},
		{"xin chao", "officials.bad_code"},
	}
	for _, tt := range tests {
		if _, err := f.s.Register(ctx, "tg:5", tt.text); invalidKey(err) != tt.want {
			t.Errorf("Register(%q) error = %v, want %s", tt.text, err, tt.want)
		}
	}
	if c, err := f.db.Citizen(ctx, "tg:5"); err == nil && c.Role != domain.RoleCitizen {
		t.Errorf("refused registrations gave role %s", c.Role)
	}
}

func TestRegisterLockout(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	good := f.invite(t, "Trần Thị Hoa", domain.RoleOfficial)
	start := f.now
	wrong := []string{"BCFG-HJK2", "BCFG-HJK3", "BCFG-HJK4", "BCFG-HJK5"}
	for i, w := range wrong {
		if _, err := f.s.Register(ctx, "tg:5", w); invalidKey(err) != "officials.bad_code" {
			t.Fatalf("wrong code %d: error = %v, want bad_code", i+1, err)
		}
		f.now = f.now.Add(time.Minute)
	}
	// Malformed text is not counted.
	for range 3 {
		if _, err := f.s.Register(ctx, "tg:5", "hello"); invalidKey(err) != "officials.bad_code" {
			t.Fatalf("malformed: error = %v", err)
		}
	}
	_, err := f.s.Register(ctx, "tg:5", "BCFG-HJK6")
	var locked *LockedError
	if !errors.As(err, &locked) || !errors.Is(err, domain.ErrRateLimited) || !locked.Until.Equal(start.Add(time.Hour)) {
		t.Fatalf("fifth wrong code: error = %v, want LockedError until %v", err, start.Add(time.Hour))
	}
	// Even the right code waits; other chats do not.
	if _, err := f.s.Register(ctx, "tg:5", good); !errors.Is(err, domain.ErrRateLimited) {
		t.Errorf("right code while locked: error = %v, want ErrRateLimited", err)
	}
	if _, err := f.s.Register(ctx, "tg:6", "BCFG-HJK7"); invalidKey(err) != "officials.bad_code" {
		t.Errorf("another chat: error = %v, want bad_code", err)
	}
	f.now = start.Add(time.Hour)
	if o, err := f.s.Register(ctx, "tg:5", good); err != nil || o.ChatKey != "tg:5" {
		t.Errorf("after the hour: Register = %+v, %v", o, err)
	}
}

func TestRevoke(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	adminCode := f.invite(t, "Quản trị", domain.RoleAdmin)
	code := f.invite(t, "Trần Thị Hoa", domain.RoleOfficial)
	if _, err := f.s.Register(ctx, "tg:1", adminCode); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Register(ctx, "tg:2", code); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour)
	o, err := f.s.Revoke(ctx, "tg:1", 2)
	if err != nil || !o.RevokedAt.Equal(f.now) || o.ChatKey != "tg:2" || o.Active() {
		t.Fatalf("Revoke = %+v, %v", o, err)
	}
	if c, _ := f.db.Citizen(ctx, "tg:2"); c.Role != domain.RoleCitizen {
		t.Errorf("role after revoke = %s, want citizen", c.Role)
	}
	if _, err := f.s.ByChat(ctx, "tg:2"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("ByChat(revoked) error = %v, want ErrNotFound", err)
	}
	refusals := []struct {
		actor string
		id    int64
		want  string
	}{
		{"tg:1", 2, "officials.already_revoked"},
		{"tg:1", 99, "officials.no_such"},
		{"tg:1", 1, "officials.revoke_self"},
	}
	for _, tt := range refusals {
		if _, err := f.s.Revoke(ctx, tt.actor, tt.id); invalidKey(err) != tt.want {
			t.Errorf("Revoke(%s, %d) error = %v, want %s", tt.actor, tt.id, err, tt.want)
		}
	}
	// The CLI may revoke anyone.
	if _, err := f.s.Revoke(ctx, ActorCLI, 1); err != nil {
		t.Errorf("Revoke(cli, admin): %v", err)
	}
	// The same person invited again registers from the same chat.
	again := f.invite(t, "Trần Thị Hoa", domain.RoleChairman)
	if o, err := f.s.Register(ctx, "tg:2", again); err != nil || o.Role != domain.RoleChairman {
		t.Errorf("re-register after revoke = %+v, %v", o, err)
	}
	as, _ := f.s.Audits(ctx, 0)
	var actions []string
	for _, a := range as {
		actions = append(actions, a.Action)
	}
	want := []string{"bind", "invite", "revoke", "revoke", "bind", "bind", "invite", "invite"}
	if !slices.Equal(actions, want) {
		t.Errorf("audit actions = %v, want %v", actions, want)
	}
}

func TestRecipients(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for i, inv := range []struct {
		name   string
		role   domain.Role
		fields []string
	}{
		{"Trần Thị Hoa", domain.RoleOfficial, []string{"Hộ tịch"}},
		{"Lê Văn Bình", domain.RoleOfficial, []string{"Hộ tịch"}},
		{"Ngô Minh", domain.RoleChairman, nil},
	} {
		code := f.invite(t, inv.name, inv.role, inv.fields...)
		if _, err := f.s.Register(ctx, "tg:"+string(rune('1'+i)), code); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		d    domain.Dossier
		want []int64
	}{
		{domain.Dossier{Handler: "tran thi hoa", Field: "Hộ tịch"}, []int64{1}},
		{domain.Dossier{Field: "Hộ tịch"}, []int64{1, 2}},
		{domain.Dossier{Field: "Đất đai"}, []int64{3}},
	}
	for _, tt := range tests {
		got, err := f.s.Recipients(ctx, tt.d)
		var ids []int64
		for _, o := range got {
			ids = append(ids, o.ID)
		}
		if err != nil || !slices.Equal(ids, tt.want) {
			t.Errorf("Recipients(%+v) = %v, %v; want %v", tt.d, ids, err, tt.want)
		}
	}
}

// An official registered on Telegram binds Zalo with a second code: both
// chats are the official's, notices follow the chat used last, and
// revoking takes the role from both.
func TestInviteChat(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	code := f.invite(t, "Trần Thị Hoa", domain.RoleOfficial, "Hộ tịch")
	o, err := f.s.Register(ctx, "tg:7", code)
	if err != nil {
		t.Fatal(err)
	}
	second, expires, err := f.s.InviteChat(ctx, "tg:7", o.ID)
	if err != nil || !codeShape.MatchString(second) || !expires.Equal(f.now.Add(InviteTTL)) {
		t.Fatalf("InviteChat = %q, %v, %v", second, expires, err)
	}
	z, err := f.s.Register(ctx, "zalo:abc", second)
	if err != nil || z.ID != o.ID || z.ChatKey != "zalo:abc" {
		t.Fatalf("Register(zalo) = %+v, %v", z, err)
	}
	if chats, _ := f.s.Chats(ctx, o.ID); !slices.Equal(chats, []string{"tg:7", "zalo:abc"}) {
		t.Errorf("Chats = %v", chats)
	}
	for _, k := range []string{"tg:7", "zalo:abc"} {
		if c, _ := f.db.Citizen(ctx, k); c.Role != domain.RoleOfficial {
			t.Errorf("role of %s = %s, want official", k, c.Role)
		}
	}
	// Notices go to the newest binding, then to the chat last used.
	if got, _ := f.s.Get(ctx, o.ID); got.ChatKey != "zalo:abc" {
		t.Errorf("delivery chat after binding = %q, want zalo:abc", got.ChatKey)
	}
	if got, err := f.s.ByChat(ctx, "tg:7"); err != nil || got.ID != o.ID || got.ChatKey != "tg:7" {
		t.Errorf("ByChat(tg) = %+v, %v", got, err)
	}
	if got, _ := f.s.Get(ctx, o.ID); got.ChatKey != "tg:7" {
		t.Errorf("delivery chat after using Telegram = %q, want tg:7", got.ChatKey)
	}
	// The code is single use, and a chat of another official is refused.
	if _, err := f.s.Register(ctx, "zalo:other", second); invalidKey(err) != "officials.code_used" {
		t.Errorf("second use of the code: %v", err)
	}
	other := f.invite(t, "Lê Văn Nam", domain.RoleOfficial)
	if _, err := f.s.Register(ctx, "zalo:abc", other); invalidKey(err) != "officials.already_registered" {
		t.Errorf("Zalo chat of Hoa registering Nam: %v", err)
	}
	// Revoking oneself from the other chat is still refused; the CLI revokes both.
	if _, err := f.s.Revoke(ctx, "zalo:abc", o.ID); invalidKey(err) != "officials.revoke_self" {
		t.Errorf("self-revoke from the other chat: %v", err)
	}
	if _, err := f.s.Revoke(ctx, ActorCLI, o.ID); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"tg:7", "zalo:abc"} {
		if c, _ := f.db.Citizen(ctx, k); c.Role != domain.RoleCitizen {
			t.Errorf("role of %s after revoke = %s, want citizen", k, c.Role)
		}
		if _, err := f.s.ByChat(ctx, k); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("ByChat(%s) after revoke: %v", k, err)
		}
	}
	if _, _, err := f.s.InviteChat(ctx, "cli", o.ID); invalidKey(err) != "officials.already_revoked" {
		t.Errorf("InviteChat(revoked): %v", err)
	}
}
