package domain

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEligible(t *testing.T) {
	for s := StatusNew; s <= StatusReturned; s++ {
		want := s == StatusDone || s == StatusReturned
		if got := Eligible(Dossier{Status: s}); got != want {
			t.Errorf("Eligible(status %d) = %t, want %t", s, got, want)
		}
	}
	if Eligible(Dossier{}) {
		t.Error("Eligible(no status) = true")
	}
}

func TestLevels(t *testing.T) {
	tests := []struct {
		l     Level
		valid bool
		low   bool
		name  string
	}{
		{0, false, false, "level(0)"},
		{LevelVeryDissatisfied, true, true, "very_dissatisfied"},
		{LevelDissatisfied, true, true, "dissatisfied"},
		{LevelNeutral, true, false, "neutral"},
		{LevelSatisfied, true, false, "satisfied"},
		{LevelVerySatisfied, true, false, "very_satisfied"},
		{6, false, false, "level(6)"},
		{-1, false, false, "level(-1)"},
	}
	for _, tt := range tests {
		if tt.l.Valid() != tt.valid || Low(tt.l) != tt.low || tt.l.String() != tt.name {
			t.Errorf("level %d: Valid %t Low %t String %q; want %t %t %q",
				tt.l, tt.l.Valid(), Low(tt.l), tt.l.String(), tt.valid, tt.low, tt.name)
		}
		if tt.valid {
			for _, s := range []string{tt.name, " " + strings.ToUpper(tt.name), string(rune('0' + tt.l))} {
				if got, err := ParseLevel(s); err != nil || got != tt.l {
					t.Errorf("ParseLevel(%q) = %v, %v; want %v", s, got, err, tt.l)
				}
			}
		}
	}
	for _, s := range []string{"", "0", "6", "-1", "5.0", "good"} {
		if l, err := ParseLevel(s); err == nil {
			t.Errorf("ParseLevel(%q) = %v, want an error", s, l)
		}
	}
	if !slices.Equal(Levels, []Level{5, 4, 3, 2, 1}) {
		t.Errorf("Levels = %v, want best first", Levels)
	}
}

func TestCriteria(t *testing.T) {
	bad := map[Criterion]bool{ // the answer that reports a failing
		CriterionOnTime: false, CriterionTrips: true, CriterionStaffAttitude: false,
		CriterionExtraFees: true, CriterionInfoAccuracy: false,
	}
	if len(Criteria) != len(bad) {
		t.Fatalf("Criteria = %v", Criteria)
	}
	for _, c := range Criteria {
		want, ok := bad[c]
		if !ok || !c.Valid() {
			t.Errorf("%q: not a known criterion", c)
			continue
		}
		if c.BadAnswer() != want || !c.Bad(want) || c.Bad(!want) {
			t.Errorf("%q: BadAnswer %t, want %t", c, c.BadAnswer(), want)
		}
	}
	for _, c := range []Criterion{"", "ON_TIME", "fees", "other"} {
		if c.Valid() || c.Bad(true) || c.Bad(false) {
			t.Errorf("%q: valid or bad", c)
		}
	}
}

func TestCheckCriteria(t *testing.T) {
	tests := []struct {
		name string
		m    map[Criterion]bool
		key  string
	}{
		{"nil", nil, "rating.criteria_empty"},
		{"empty", map[Criterion]bool{}, "rating.criteria_empty"},
		{"unknown", map[Criterion]bool{CriterionOnTime: true, "bribe": true}, "rating.bad_criterion"},
		{"one", map[Criterion]bool{CriterionTrips: false}, ""},
		{"all", map[Criterion]bool{CriterionOnTime: true, CriterionTrips: true, CriterionStaffAttitude: false,
			CriterionExtraFees: false, CriterionInfoAccuracy: true}, ""},
	}
	for _, tt := range tests {
		if got := invalidKey(CheckCriteria(tt.m)); got != tt.key {
			t.Errorf("%s: key %q, want %q", tt.name, got, tt.key)
		}
	}
}

func invalidKey(err error) string {
	var inv *InvalidError
	if errors.As(err, &inv) {
		return inv.Key
	}
	if err != nil {
		return "not invalid: " + err.Error()
	}
	return ""
}

func TestCleanComment(t *testing.T) {
	tests := []struct {
		name, in, want, key string
	}{
		{"empty", "", "", "rating.comment_empty"},
		{"spaces and new lines only", " \n\t \r\n ", "", "rating.comment_empty"},
		{"controls and zero-width spaces only", "\x00\x07\u200b\u200b", "", "rating.comment_empty"},
		{"emoji with joiners", "👨\u200d👩\u200d👧 👍", "👨\u200d👩\u200d👧 👍", ""},
		{"trimmed and collapsed", "  Cán bộ   rất\tnhiệt tình  ", "Cán bộ rất nhiệt tình", ""},
		{"new lines kept, blank runs cut to one", "Dòng 1\r\n\r\n\r\n\nDòng 2\n", "Dòng 1\n\nDòng 2", ""},
		{"control characters dropped", "Tốt\x00\x1b lắm", "Tốt lắm", ""},
		{"invalid UTF-8 repaired", "Tr\xffả k\xc3ết quả", "Tr\uFFFDả k\uFFFDết quả", ""},
		{"exactly the limit", strings.Repeat("ạ", MaxComment), strings.Repeat("ạ", MaxComment), ""},
		{"limit after trimming", "  " + strings.Repeat("a", MaxComment) + "\n", strings.Repeat("a", MaxComment), ""},
		{"one over the limit", strings.Repeat("ạ", MaxComment+1), "", "rating.comment_too_long"},
		{"ten thousand", strings.Repeat("x", 10000), "", "rating.comment_too_long"},
	}
	for _, tt := range tests {
		got, err := CleanComment(tt.in)
		if k := invalidKey(err); k != tt.key || got != tt.want {
			t.Errorf("%s: CleanComment = %q, %q; want %q, %q", tt.name, got, k, tt.want, tt.key)
		}
		if tt.key == "rating.comment_too_long" {
			var inv *InvalidError
			errors.As(err, &inv)
			if inv.Args["max"] != "500" {
				t.Errorf("%s: args %v, want max 500", tt.name, inv.Args)
			}
		}
	}
}

func TestLowRatingRecipients(t *testing.T) {
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	off := Official{ID: 1, Role: RoleOfficial, Fields: []string{"Hộ tịch"}, ChatKey: "tg:1"}
	head := Official{ID: 2, Role: RoleOfficial, Head: true, ChatKey: "tg:2"}
	head2 := Official{ID: 3, Role: RoleOfficial, Head: true, ChatKey: "tg:3"}
	chair := Official{ID: 4, Role: RoleChairman, ChatKey: "tg:4"}
	pendingHead := Official{ID: 5, Role: RoleOfficial, Head: true}
	revokedHead := Official{ID: 6, Role: RoleOfficial, Head: true, ChatKey: "tg:6", RevokedAt: at}
	revokedChair := Official{ID: 7, Role: RoleChairman, ChatKey: "tg:7", RevokedAt: at}
	tests := []struct {
		name string
		all  []Official
		want []int64
	}{
		{"the heads", []Official{off, head, chair, head2}, []int64{2, 3}},
		{"no head: the chairman", []Official{off, chair, pendingHead, revokedHead}, []int64{4}},
		{"nobody active", []Official{off, pendingHead, revokedHead, revokedChair}, nil},
		{"nobody", nil, nil},
	}
	for _, tt := range tests {
		var got []int64
		for _, o := range LowRatingRecipients(tt.all) {
			got = append(got, o.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
