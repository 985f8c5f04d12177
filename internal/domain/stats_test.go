package domain

import (
	"math"
	"testing"
)

func TestScore766(t *testing.T) {
	tests := []struct {
		r, target, pmax, want float64
	}{
		{1, 1, 20, 20},
		{0.967, 1, 20, 19.34},
		{0.5, 0.5, 12, 12},
		{0.6, 0.5, 12, 12},
		{0.25, 0.5, 12, 6},
		{0.9, 0.9, 6, 6},
		{0.45, 0.9, 6, 3},
		{0, 0.9, 6, 0},
		{-0.1, 0.9, 6, 0},
	}
	for _, tt := range tests {
		if got := Score766(tt.r, tt.target, tt.pmax); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("Score766(%v, %v, %v) = %v, want %v", tt.r, tt.target, tt.pmax, got, tt.want)
		}
	}
}

func TestIndicators(t *testing.T) {
	// The seed's figures: 4,080 received, 1,242 online, 3,839 early, 97 on
	// time, 104 late, 11 within, 29 withdrawn.
	c := Counts{Received: 4080, Online: 1242, Direct: 2838, Resolved: 4040, Early: 3839, OnTime: 97, Late: 104,
		InProgress: 11, Within: 11, Withdrawn: 29}
	if !c.Consistent() {
		t.Fatal("seed counts inconsistent")
	}
	check := func(i Indicator, num, den int, score float64) {
		t.Helper()
		s, ok := i.Score()
		if i.Num != num || i.Den != den || !ok || math.Abs(s-score) > 0.005 {
			t.Errorf("%s: %d/%d score %.4f; want %d/%d %.2f", i.ID, i.Num, i.Den, s, num, den, score)
		}
	}
	check(OnTimeIndicator(c), 3947, 4080, 19.35)           // 96.74 % × 20
	check(OnlineIndicator(c), 1242, 4080, 7.31)            // 30.44 % of 50 % × 12
	check(FeedbackIndicator(9, 10), 9, 10, 5.4)            // 90 % × 6
	check(SatisfactionIndicator(c, 20), 3956, 4080, 6)     // 96.96 % ≥ 90 %
	check(SatisfactionIndicator(c, 700), 3276, 4080, 5.35) // 80.29 % of 90 % × 6
	check(SatisfactionIndicator(Counts{Received: 2, Late: 2}, 5), 0, 2, 0)
	if _, ok := OnTimeIndicator(Counts{}).Score(); ok {
		t.Error("an empty period has a score")
	}
	if got := c.Add(c); got.Received != 8160 || got.Within != 22 || !got.Consistent() {
		t.Errorf("Add: %+v", got)
	}
	if (Counts{Received: 1}).Consistent() {
		t.Error("Consistent accepts a dossier in no category")
	}
}
