package domain_test

import (
	"strings"
	"testing"

	"xabot/internal/domain"
)

func TestIntentValidAndFits(t *testing.T) {
	code := "H55.20-261118-0003"
	for _, c := range []struct {
		in          domain.Intent
		valid, fits bool
	}{
		{domain.Intent{Kind: domain.IntentUnsubscribe, Ref: code}, true, true},
		{domain.Intent{Kind: domain.IntentUnsubscribe, Ref: code, Arg: "x"}, false, false},
		{domain.Intent{Kind: domain.IntentUnsubscribe}, false, false},
		{domain.Intent{Kind: domain.IntentUnsubscribe, Ref: strings.Repeat("H", domain.MaxRef)}, true, true},
		// An old button's longer code still reads; no new one is made.
		{domain.Intent{Kind: domain.IntentUnsubscribe, Ref: strings.Repeat("H", domain.MaxRef+1)}, true, false},
		{domain.Intent{Kind: domain.IntentExtend, Ref: code, Arg: "10"}, true, true},
		{domain.Intent{Kind: domain.IntentExtend, Ref: code, Arg: "0"}, false, false},
		{domain.Intent{Kind: domain.IntentExtend, Ref: code, Arg: "31"}, false, false},
		{domain.Intent{Kind: domain.IntentRate, Ref: code}, true, true},
		{domain.Intent{Kind: domain.IntentRateLevel, Ref: code, Arg: "5"}, true, true},
		{domain.Intent{Kind: domain.IntentRateLevel, Ref: code, Arg: "6"}, false, false},
		{domain.Intent{Kind: domain.IntentRateLevel, Ref: code, Arg: "Rất hài lòng"}, false, false},
		{domain.Intent{Kind: domain.IntentAct, Ref: "PA-2611-0042", Arg: domain.ActForward}, true, true},
		{domain.Intent{Kind: domain.IntentAct, Ref: "PA-2611-0042", Arg: domain.ActSee}, false, false},
		{domain.Intent{Kind: domain.IntentJudge, Ref: "PA-2611-0042", Arg: domain.NotHelpful}, true, true},
		{domain.Intent{Kind: domain.IntentJudge, Ref: "PA-2611-0042", Arg: "maybe"}, false, false},
		{domain.Intent{Kind: domain.IntentSupplement, Ref: "PA-2611-0042"}, true, true},
		{domain.Intent{Kind: "delete", Ref: "PA-2611-0042"}, false, false},
	} {
		if v, f := c.in.Valid(), c.in.Fits(); v != c.valid || f != c.fits {
			t.Errorf("%+v: Valid %t Fits %t, want %t %t", c.in, v, f, c.valid, c.fits)
		}
	}
	// Every kind's choices fit MaxArg.
	for _, a := range domain.FeedbackActions() {
		if len(a) > domain.MaxArg {
			t.Errorf("action %q is longer than MaxArg", a)
		}
	}
}
