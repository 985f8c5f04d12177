package bot

import (
	"testing"

	"xabot/internal/domain"
)

// Steps marked reenter take a pressed value they did not offer (an older
// message's button), so each one's action must check it: forged values get
// a refusal, never an effect.
func TestReenterActionsCheckTheirValue(t *testing.T) {
	f := newStaffFixture(t)
	const citizen, official = "20", "21"
	f.agree(citizen)
	f.expect(official, "/dangky "+f.invite("Trần Thị Hoa", domain.RoleOfficial, "Hộ tịch"), "Đăng ký thành công")
	tests := []struct {
		who, line, want string
	}{
		{citizen, "[unsub/confirm/not-a-code]", f.text("lookup.bad_code", "text", "not-a-code")},
		{citizen, "[mine/pick/H55.20-261118-0003]", f.text("mine.not_yours")},
		{citizen, "[procedures/pick/99]", f.text("errors.button_expired")},
		{citizen, "[procedures/pick/f:-1]", f.text("errors.button_expired")},
		{citizen, "[procedures/pick/p:9.999999.000.00.00.H55]", f.text("errors.button_expired")},
		{citizen, "[rate/level/H55.20-261118-0003:9]", f.text("rating.bad_level")},
		{citizen, "[rate/criteria/H55.20-261118-0003:bribe=y]", f.text("rating.need_phone")},
		{citizen, "[rate/criteria/H55.20-261118-0003:bribe]", f.text("rating.bad_criterion")},
		{citizen, "[fb/rate/PA-2611-0001:maybe]", f.text("errors.button_invalid")},
		{citizen, "[fb/supp/PA-2611-0001]", f.text("feedback.not_yours", "ticket", "PA-2611-0001")},
		{citizen, "[fb/act/PA-2611-0001:take]", f.text("errors.forbidden")},
		{citizen, "[apology/pick/H55.20-261118-0003:3]", f.text("errors.forbidden")},
		{citizen, "[stats/by/field:20260101:20261231]", f.text("errors.forbidden")},
		{official, "[apology/pick/H55.20-261118-0003:99]", f.text("errors.button_invalid")},
		{official, "[fb/act/PA-2611-0001:take]", f.text("feedback.no_such", "ticket", "PA-2611-0001")},
		{official, "[stats/by/weather:20260101:20261231]", f.text("stats.bad_dimension", "dimension", "weather")},
		{official, "[stats/by/field:20261231:20260101]", f.text("errors.button_invalid")},
	}
	for _, tt := range tests {
		if got := f.say(tt.who, tt.line); got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.who, tt.line, got, tt.want)
		}
	}
}
