package bot

import (
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/service/officials"
)

// staffFixture is the shared fixture with the officials service plugged in
// (the transcripts' fixture runs without one).
type staffFixture struct {
	*fixture
	staff *officials.Service
}

func newStaffFixture(t *testing.T) *staffFixture {
	t.Helper()
	f := newFixture(t, telegramFeatures)
	s := officials.New(f.db, func() time.Time { return f.now }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.router.cfg.Staff = s
	return &staffFixture{fixture: f, staff: s}
}

// say sends line as user and returns the texts of the replies, joined.
func (f *staffFixture) say(user, line string) string {
	f.t.Helper()
	f.send(user, line)
	var texts []string
	for _, r := range f.rec.take() {
		texts = append(texts, r.Text)
	}
	return strings.Join(texts, "\n\n")
}

// text renders a Vietnamese text as the bot would.
func (f *staffFixture) text(key string, kv ...string) string {
	return f.router.t("vi", key, args(kv...))
}

func (f *staffFixture) expect(user, line string, want ...string) string {
	f.t.Helper()
	got := f.say(user, line)
	for _, w := range want {
		if !strings.Contains(got, w) {
			f.t.Errorf("%s %q: reply\n%s\nwant it to contain\n%s", user, line, got, w)
		}
	}
	return got
}

func (f *staffFixture) role(user string) domain.Role {
	f.t.Helper()
	c, err := f.router.cfg.Citizens.Get(f.t.Context(), "tg:"+user)
	if err != nil {
		f.t.Fatal(err)
	}
	return c.Role
}

func (f *staffFixture) invite(name string, role domain.Role, fields ...string) string {
	f.t.Helper()
	code, _, err := f.staff.Invite(f.t.Context(), officials.ActorCLI, name, role, fields, false)
	if err != nil {
		f.t.Fatal(err)
	}
	return code
}

var shownCode = regexp.MustCompile(`/dangky ([` + domain.InviteAlphabet + `]{4}-[` + domain.InviteAlphabet + `]{4})`)

func TestOfficialsLifecycle(t *testing.T) {
	f := newStaffFixture(t)
	const admin, citizen, hoa, other, late = "1", "2", "3", "4", "5"

	// The admin, invited from the command line, registers with the code
	// typed loosely, and can use the admin's commands in the same turn on.
	// Having agreed to the privacy notice before, the admin gets the main
	// menu back.
	code := f.invite("Nguyễn Quản Trị", domain.RoleAdmin)
	f.agree(admin)
	f.send(admin, "/dangky "+strings.ToLower(strings.ReplaceAll(code, "-", " ")))
	replies := f.rec.take()
	if len(replies) != 1 || replies[0].Keyboard == nil || len(replies[0].Keyboard.Rows) == 0 {
		t.Fatalf("admin's registration: %+v, want one message with the main keyboard", replies)
	}
	want := f.text("officials.registered", "name", "Nguyễn Quản Trị", "role", "quản trị viên", "fields", "chưa phân công") +
		"\n\n" + f.text("officials.howto.admin") + "\n\n" + f.text("menu.prompt")
	if replies[0].Text != want {
		t.Errorf("admin's registration:\n%s\nwant\n%s", replies[0].Text, want)
	}
	if r := f.role(admin); r != domain.RoleAdmin {
		t.Fatalf("admin's role = %s", r)
	}
	f.expect(admin, "/canbo", "👥 Danh sách cán bộ (1):",
		"#1 · Nguyễn Quản Trị · quản trị viên · chưa phân công · đã đăng ký 25/11/2026")

	// The admin invites an official from the chat.
	f.expect(admin, "/moicanbo", f.text("officials.invite.ask_role"))
	f.expect(admin, "[staff_invite/role/official]", f.text("officials.invite.ask_name"))
	f.expect(admin, "  Trần   Thị Hoa ", f.text("officials.invite.ask_fields"))
	f.expect(admin, "Hộ tịch, chứng thực; hộ tịch", "• Họ tên: Trần Thị Hoa", "• Vai trò: cán bộ, công chức",
		"• Lĩnh vực: Hộ tịch, chứng thực")
	got := f.expect(admin, "[staff_invite/confirm/yes]", "🔑 Mã mời của Trần Thị Hoa:", "có hiệu lực đến 09:00 02/12/2026")
	m := shownCode.FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("no code in %q", got)
	}
	hoaCode := m[1]

	// A citizen is refused every admin command and forged button, and
	// nothing changes.
	f.agree(citizen)
	forbidden, stale := f.text("errors.forbidden"), f.text("errors.button_expired")
	for _, line := range []string{"/canbo", "/moicanbo", "/thuhoi 1", "/thuhoi", "[staff_invite/role/admin]",
		"[staff_list/list/x]", "[staff_revoke/ask_id/1]"} {
		if got := f.say(citizen, line); got != forbidden {
			t.Errorf("citizen %q: reply %q, want only %q", line, got, forbidden)
		}
	}
	for _, line := range []string{"[staff_invite/confirm/yes]", "[staff_revoke/confirm/1]", "[staff_invite/name/x]"} {
		if got := f.say(citizen, line); got != stale {
			t.Errorf("citizen %q: reply %q, want only %q", line, got, stale)
		}
	}
	if all, _ := f.staff.List(t.Context()); len(all) != 2 || all[0].RevokedAt != (time.Time{}) {
		t.Errorf("after the citizen's tries: officials = %+v", all)
	}
	if r := f.role(citizen); r != domain.RoleCitizen {
		t.Errorf("citizen's role = %s", r)
	}

	// The official registers (asked for the code first); the same code
	// twice fails, and a wrong code asks again.
	// Not asked for the privacy consent, and not shown a menu that would.
	f.expect(hoa, "/dangky", f.text("officials.ask_code"))
	got = f.expect(hoa, hoaCode, f.text("officials.registered", "name", "Trần Thị Hoa", "role", "cán bộ, công chức",
		"fields", "Hộ tịch, chứng thực"), f.text("officials.howto.official"))
	if strings.Contains(got, f.text("menu.prompt")) || strings.Contains(got, "🔒") {
		t.Errorf("official without consent was shown the menu or the notice: %q", got)
	}
	if r := f.role(hoa); r != domain.RoleOfficial {
		t.Errorf("official's role = %s", r)
	}
	if got := f.say(hoa, "/canbo"); got != forbidden {
		t.Errorf("official /canbo: %q, want %q", got, forbidden)
	}
	f.expect(other, "/dangky "+hoaCode, f.text("officials.code_used"), f.text("officials.ask_again"))
	f.expect(other, "BCFG-HJKL", f.text("officials.bad_code"), f.text("officials.ask_again"))
	f.expect(other, "/huy", f.text("cancel.done"))

	// A code a week old has expired.
	lateCode := f.invite("Ngô Minh", domain.RoleChairman)
	f.now = f.now.Add(7*24*time.Hour + time.Minute)
	f.expect(late, "/dangky "+lateCode, f.text("officials.code_expired"))
	if r := f.role(late); r != domain.RoleCitizen {
		t.Errorf("expired code gave role %s", r)
	}

	// The admin revokes the official: confirm, then the role is gone.
	f.expect(admin, "/thuhoi 2", f.text("officials.revoke.confirm", "id", "2", "name", "Trần Thị Hoa",
		"role_name", "cán bộ, công chức"))
	f.expect(admin, "[staff_revoke/confirm/2]", f.text("officials.revoke.done", "id", "2", "name", "Trần Thị Hoa"))
	if r := f.role(hoa); r != domain.RoleCitizen {
		t.Errorf("revoked official's role = %s, want citizen", r)
	}
	f.expect(admin, "/thuhoi 2", f.text("officials.already_revoked", "id", "2", "name", "Trần Thị Hoa"))
	f.expect(admin, "/thuhoi 99", f.text("officials.no_such", "id", "99"))
	f.expect(admin, "/thuhoi abc", f.text("officials.revoke.bad_id", "text", "abc"))
	f.expect(admin, "/thuhoi 1", f.text("officials.revoke_self"))
	f.expect(admin, "/canbo", "#2 · Trần Thị Hoa · cán bộ, công chức · Hộ tịch, chứng thực · đã thu hồi 02/12/2026",
		"#3 · Ngô Minh · Chủ tịch/Phó Chủ tịch UBND xã · chưa phân công · chờ đăng ký")
	// The revoked official's old code stays used.
	f.expect(hoa, "/dangky "+hoaCode, f.text("officials.code_used"))
}

func TestOfficialsRevokedAdminMidDialog(t *testing.T) {
	f := newStaffFixture(t)
	const admin, deputy = "1", "2"
	f.expect(admin, "/dangky "+f.invite("Nguyễn Quản Trị", domain.RoleAdmin), f.text("officials.howto.admin"))
	f.expect(deputy, "/dangky "+f.invite("Lê Phó", domain.RoleAdmin), f.text("officials.howto.admin"))

	// The deputy starts an invitation, then loses the role.
	f.expect(deputy, "/moicanbo", f.text("officials.invite.ask_role"))
	f.expect(deputy, "[staff_invite/role/admin]", f.text("officials.invite.ask_name"))
	f.expect(admin, "/thuhoi 2", "Thu hồi quyền của #2 Lê Phó")
	f.expect(admin, "[staff_revoke/confirm/2]", "Đã thu hồi quyền của #2 Lê Phó.")
	// The revocation ended the deputy's dialog: the typed name goes nowhere.
	if got := f.say(deputy, "Kẻ Lạ"); strings.Contains(got, f.text("officials.invite.ask_fields")) {
		t.Errorf("revoked admin's answer went on with the dialog: %q", got)
	}
	if got := f.say(deputy, "[staff_invite/confirm/yes]"); got != f.text("errors.button_expired") {
		t.Errorf("revoked admin's confirm: %q, want a stale button", got)
	}
	if got := f.say(deputy, "/canbo"); got != f.text("errors.forbidden") {
		t.Errorf("revoked admin's /canbo: %q", got)
	}
	if all, _ := f.staff.List(t.Context()); len(all) != 2 {
		t.Errorf("officials after the revoked admin's tries: %d, want 2", len(all))
	}
}

func TestOfficialsStaleRevokeButton(t *testing.T) {
	f := newStaffFixture(t)
	const admin = "1"
	f.expect(admin, "/dangky "+f.invite("Nguyễn Quản Trị", domain.RoleAdmin), f.text("officials.howto.admin"))
	f.invite("Trần Thị Hoa", domain.RoleOfficial)
	f.invite("Lê Văn Bình", domain.RoleOfficial)
	f.send(admin, "/thuhoi 2")
	first := f.rec.take()
	if len(first) != 1 || len(first[0].Buttons) != 2 || first[0].Buttons[0][0].Data != "staff_revoke/confirm/2" ||
		first[0].Buttons[1][0].Data != "staff_revoke/confirm/no" {
		t.Fatalf("confirm of #2 = %+v", first)
	}
	f.expect(admin, "/thuhoi 3", "#3 Lê Văn Bình")
	// The button of #2 while #3 is being confirmed revokes no one: the
	// dialog engine refuses a value the step did not offer.
	f.expect(admin, "[staff_revoke/confirm/2]", f.text("errors.button_expired"))
	f.expect(admin, "[staff_revoke/confirm/no]", f.text("officials.revoke.cancelled"))
	for _, o := range mustList(t, f.staff) {
		if !o.RevokedAt.IsZero() {
			t.Errorf("official #%d revoked by a stale button", o.ID)
		}
	}
}

func mustList(t *testing.T, s *officials.Service) []domain.Official {
	t.Helper()
	all, err := s.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func TestOfficialsRegisterLockout(t *testing.T) {
	f := newStaffFixture(t)
	good := f.invite("Trần Thị Hoa", domain.RoleOfficial)
	const user = "8"
	f.expect(user, "/dangky BCFG-HJK2", f.text("officials.bad_code"))
	for _, c := range []string{"BCFG-HJK3", "BCFG-HJK4", "BCFG-HJK5"} {
		f.expect(user, c, f.text("officials.bad_code"))
	}
	locked := f.text("officials.locked", "until", "10:00 25/11/2026")
	f.expect(user, "BCFG-HJK6", locked)
	// Locked and idle: the right code waits for the hour.
	f.expect(user, "/dangky "+good, locked)
	f.now = f.now.Add(time.Hour)
	f.expect(user, "/dangky "+good, "Đăng ký thành công")
}

func TestOfficialsAlreadyRegisteredStops(t *testing.T) {
	f := newStaffFixture(t)
	const user = "9"
	f.expect(user, "/dangky "+f.invite("Trần Thị Hoa", domain.RoleOfficial), "Đăng ký thành công")
	f.expect(user, "/dangky "+f.invite("Trần Thị Hoa", domain.RoleChairman), f.text("officials.already_registered"))
	// Not waiting for another code: typed text is not read as one.
	if got := f.say(user, "BCFG-HJKL"); strings.Contains(got, f.text("officials.bad_code")) {
		t.Errorf("after already_registered, a typed code was still read: %q", got)
	}
}

func TestOfficialsEnglish(t *testing.T) {
	f := newStaffFixture(t)
	const admin = "1"
	if err := f.router.cfg.Citizens.SetLang(t.Context(), "tg:"+admin, "en"); err != nil {
		t.Fatal(err)
	}
	f.expect(admin, "/dangky "+f.invite("Nguyễn Quản Trị", domain.RoleAdmin, "Hộ tịch"),
		"✅ Registered. Welcome, Nguyễn Quản Trị! Role of this account: administrator. Fields: Hộ tịch.")
	f.expect(admin, "/canbo", "#1 · Nguyễn Quản Trị · administrator · Hộ tịch · registered 25/11/2026")
}

// /lienket gives an official a code that binds a second chat; a citizen
// gets nothing.
func TestOfficialsLink(t *testing.T) {
	f := newStaffFixture(t)
	const hoa, phone, citizen = "31", "32", "33"
	f.expect(hoa, "/dangky "+f.invite("Trần Thị Hoa", domain.RoleOfficial, "Hộ tịch"), f.text("officials.howto.official"))
	got := f.say(hoa, "/lienket")
	m := shownCode.FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("/lienket reply has no code: %q", got)
	}
	f.expect(phone, "/dangky "+m[1], f.text("officials.registered", "name", "Trần Thị Hoa", "role", "cán bộ, công chức",
		"fields", "Hộ tịch"))
	if r := f.role(phone); r != domain.RoleOfficial {
		t.Errorf("second chat's role = %s", r)
	}
	if r := f.role(hoa); r != domain.RoleOfficial {
		t.Errorf("first chat's role = %s", r)
	}
	if got := f.say(citizen, "/lienket"); shownCode.MatchString(got) || strings.Contains(got, "🔗") {
		t.Errorf("a citizen got a link code: %q", got)
	}
}

// /canbo names the rights an admin gave one official by one (village
// announcements, the reception book), so the admin sees who holds them.
func TestOfficialsListNamesRights(t *testing.T) {
	f := newStaffFixture(t)
	const admin = "301"
	f.agree(admin)
	f.send(admin, "/dangky "+f.invite("Nguyễn Quản Trị", domain.RoleAdmin))
	f.rec.take()
	f.invite("Trần Thị Hoa", domain.RoleOfficial, "Hộ tịch")
	plain := "#2 · Trần Thị Hoa · cán bộ, công chức · Hộ tịch · chờ đăng ký"
	f.expect(admin, "/canbo", plain)
	if err := f.db.SetOfficialAnnounce(f.t.Context(), officials.ActorCLI, 2, true, f.now); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SetReceptionKeeper(f.t.Context(), 2, true, f.now); err != nil {
		t.Fatal(err)
	}
	f.expect(admin, "/canbo",
		"#2 · Trần Thị Hoa · cán bộ, công chức, gửi thông báo thôn, giữ sổ tiếp công dân · Hộ tịch · chờ đăng ký")
	if err := f.db.SetOfficialAnnounce(f.t.Context(), officials.ActorCLI, 2, false, f.now); err != nil {
		t.Fatal(err)
	}
	f.expect(admin, "/canbo", "#2 · Trần Thị Hoa · cán bộ, công chức, giữ sổ tiếp công dân · Hộ tịch")
}
