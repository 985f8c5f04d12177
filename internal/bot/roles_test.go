package bot

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"xabot/internal/chat"
	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/service/officials"
)

// figures is a line only /thongke's answer has.
const figures = "• Tiếp nhận"

// registerAs invites name with role from the command line and binds user's
// Telegram chat; it returns the official's number.
func (f *staffFixture) registerAs(user, name string, role domain.Role, fields ...string) int64 {
	f.t.Helper()
	f.expect(user, "/dangky "+f.invite(name, role, fields...), "Đăng ký thành công")
	for _, o := range mustList(f.t, f.staff) {
		if o.Name == name {
			return o.ID
		}
	}
	f.t.Fatalf("%s is not among the officials", name)
	return 0
}

// A chairman revoked while /thongke waits for a period — the session still
// there, as when the session store could not be reached at revocation —
// presses the period button, types the period, or presses a breakdown
// button: each is refused, shows no figures, and leaves the session idle.
// The same steps without the revocation show the figures.
func TestRevokedChairmanWaitingStepIsRefused(t *testing.T) {
	tests := []struct {
		name       string
		open, then string
	}{
		{"period button", "/thongke", "[stats/choose/month]"},
		{"period typed", "/thongke", "3"}, // the third choice, «Tháng này»
		{"breakdown button", "/thongke 01/11/2026 25/11/2026", "[stats/by/field:20261101:20261125]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newStaffFixture(t)
			const kept, revoked = "900", "901"
			f.registerAs(kept, "Nguyễn Chủ Tịch", domain.RoleChairman)
			id := f.registerAs(revoked, "Lê Phó Chủ Tịch", domain.RoleChairman)
			for _, u := range []string{kept, revoked} {
				if got := f.say(u, tc.open); !strings.Contains(got, f.text("stats.choose")) && !strings.Contains(got, figures) {
					t.Fatalf("%s %s: %q", u, tc.open, got)
				}
			}
			// The service alone: the sessions are left as they were.
			if _, err := f.staff.Revoke(t.Context(), officials.ActorCLI, id); err != nil {
				t.Fatal(err)
			}
			if got := f.say(kept, tc.then); !strings.Contains(got, "Hộ tịch") && !strings.Contains(got, figures) {
				t.Errorf("the chairman still in office: %s gave %q, want figures", tc.then, got)
			}
			if got := f.say(revoked, tc.then); got != f.text("errors.forbidden") {
				t.Errorf("the revoked chairman: %s gave %q, want only %q", tc.then, got, f.text("errors.forbidden"))
			}
			if s, err := f.router.cfg.Sessions.Load(t.Context(), "tg:"+revoked); err != nil || s.Flow != "" {
				t.Errorf("the revoked chairman's session = %+v, %v; want it reset", s, err)
			}
			if got := f.say(revoked, tc.then); strings.Contains(got, figures) || strings.Contains(got, "Hộ tịch") {
				t.Errorf("pressed again: %q", got)
			}
		})
	}
}

// scope refuses whoever is not staff instead of widening to the commune.
func TestScopeRefusesNonStaff(t *testing.T) {
	f := newStaffFixture(t)
	f.registerAs("31", "Trần Thị Hoa", domain.RoleOfficial, "Hộ tịch")
	tests := []struct {
		user      string
		role      domain.Role
		forbidden bool
		whole     bool
	}{
		{"tg:1", domain.RoleCitizen, true, false},
		{"tg:2", domain.Role(""), true, false},
		{"tg:3", domain.RoleOfficial, true, false}, // official by role, bound to no official
		{"tg:31", domain.RoleOfficial, false, false},
		{"tg:4", domain.RoleChairman, false, true},
		{"tg:5", domain.RoleAdmin, false, true},
	}
	for _, tc := range tests {
		c := Call{Call: dialog.Call{User: tc.user}, Citizen: domain.Citizen{Key: tc.user, Role: tc.role}, Log: f.router.log}
		keep, err := f.router.scope(t.Context(), c)
		if got := errors.Is(err, domain.ErrForbidden); got != tc.forbidden {
			t.Errorf("scope of %s (%q): err = %v, forbidden = %v, want %v", tc.user, tc.role, err, got, tc.forbidden)
		}
		if !tc.forbidden && (keep == nil) != tc.whole {
			t.Errorf("scope of %s (%q): whole commune = %v, want %v", tc.user, tc.role, keep == nil, tc.whole)
		}
		if !tc.forbidden && !tc.whole && (!keep("Hộ tịch") || keep("Chứng thực")) {
			t.Errorf("scope of %s: want exactly the official's field", tc.user)
		}
	}
}

// zaloChats adds a Zalo channel to f's router.
type zaloChats struct {
	f   *staffFixture
	rec *recorder
}

func withZalo(f *staffFixture) zaloChats {
	rec := &recorder{feat: chat.Features{MaxText: 2000}}
	f.router.cfg.Channels[chat.Zalo] = rec
	return zaloChats{f: f, rec: rec}
}

// send sends a command or typed text from user's Zalo chat and returns
// the replies.
func (z zaloChats) send(user, line string) []chat.Reply {
	f := z.f
	f.t.Helper()
	f.seq++
	u := chat.Update{ID: "z" + strconv.Itoa(f.seq), From: chat.UserKey{Channel: chat.Zalo, ID: user}, ChatID: user, At: f.now,
		Kind: chat.Text, Text: line}
	if strings.HasPrefix(line, "/") {
		name, args, _ := strings.Cut(line[1:], " ")
		u.Kind, u.Command, u.Args, u.Text = chat.Command, name, args, ""
	}
	if err := f.router.Handle(f.t.Context(), u); err != nil {
		f.t.Fatal(err)
	}
	return z.rec.take()
}

// Revoking an official (/thuhoi) ends the sessions of every chat they had
// bound, Telegram and Zalo, at once; nobody else's session is touched.
func TestRevocationEndsEveryStaffSession(t *testing.T) {
	f := newStaffFixture(t)
	zalo := withZalo(f)
	const admin, hoa, hoaZalo, citizen = "1", "31", "77", "50"
	f.registerAs(admin, "Nguyễn Quản Trị", domain.RoleAdmin)
	id := f.registerAs(hoa, "Trần Thị Hoa", domain.RoleOfficial, "Hộ tịch")
	code := shownCode.FindStringSubmatch(f.say(hoa, "/lienket"))
	if code == nil {
		t.Fatal("no link code")
	}
	if got := zalo.send(hoaZalo, "/dangky "+code[1]); len(got) == 0 || !strings.Contains(got[0].Text, "Đăng ký thành công") {
		t.Fatalf("Zalo registration: %v", got)
	}
	f.expect(hoa, "/thongke", f.text("stats.choose"))
	if got := zalo.send(hoaZalo, "/thongke"); len(got) == 0 || !strings.Contains(got[0].Text, f.text("stats.choose")) {
		t.Fatalf("Zalo /thongke: %v", got)
	}
	f.agree(citizen)
	f.say(citizen, "H55.20-261118-0003")

	load := func(user string) string {
		t.Helper()
		s, err := f.router.cfg.Sessions.Load(t.Context(), user)
		if err != nil {
			t.Fatal(err)
		}
		return s.Flow + "/" + s.Step
	}
	for _, u := range []string{"tg:" + hoa, "zalo:" + hoaZalo} {
		if got := load(u); got != "stats/choose" {
			t.Fatalf("%s before the revocation: %s", u, got)
		}
	}
	ids := strconv.FormatInt(id, 10)
	f.expect(admin, "/thuhoi "+ids, "Thu hồi quyền của #"+ids)
	f.expect(admin, "[staff_revoke/confirm/"+ids+"]", "Đã thu hồi quyền của #"+ids)

	for _, u := range []string{"tg:" + hoa, "zalo:" + hoaZalo} {
		if got := load(u); got != "/" {
			t.Errorf("%s after the revocation: session %s, want none", u, got)
		}
	}
	if got := load("tg:" + citizen); got != "lookup/ask_factor" {
		t.Errorf("a citizen's lookup after someone's revocation: %s, want it kept", got)
	}
	if got := f.say(hoa, "[stats/choose/month]"); got != f.text("errors.forbidden") {
		t.Errorf("the old period button after the revocation: %q", got)
	}
}

// The same revoked chairman pressing a button of a citizens' flow, or
// sending a command, is not refused: the staff session is reset and the
// new request goes on.
func TestRevokedChairmanOtherRequestsGoOn(t *testing.T) {
	for _, then := range []string{"[lang/choose/vi]", "/ngonngu"} {
		f := newStaffFixture(t)
		id := f.registerAs("901", "Lê Phó Chủ Tịch", domain.RoleChairman)
		f.expect("901", "/thongke", f.text("stats.choose"))
		if _, err := f.staff.Revoke(t.Context(), officials.ActorCLI, id); err != nil {
			t.Fatal(err)
		}
		got := f.say("901", then)
		if strings.Contains(got, f.text("errors.forbidden")) || strings.Contains(got, figures) {
			t.Errorf("%s after the revocation: %q, want it handled as for anyone", then, got)
		}
		if s, _ := f.router.cfg.Sessions.Load(t.Context(), "tg:901"); s.Flow == "stats" {
			t.Errorf("%s after the revocation: session still in stats", then)
		}
	}
}
