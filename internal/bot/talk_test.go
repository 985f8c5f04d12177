package bot

import (
	"os"
	"strings"
	"testing"
)

// TestTalkRoutesNaturalPhrasings measures the share of the natural
// phrasings in testdata/talk/phrases.tsv (written down before the routing
// was built) that reach the function each names, through the routing a
// text said outside any step takes; it fails below 90% and lists the
// misses.
func TestTalkRoutesNaturalPhrasings(t *testing.T) {
	f := newFixture(t, telegramFeatures)
	total, right := routeShare(t, f, "testdata/talk/phrases.tsv")
	share := float64(right) / float64(total)
	t.Logf("talk routing: %d of %d phrasings reach the right function (%.0f%%)", right, total, 100*share)
	if total != 50 {
		t.Errorf("%d phrasings, want the 50 written down", total)
	}
	if share < 0.9 {
		t.Errorf("only %.0f%% routed right, want at least 90%%", 100*share)
	}
	ht, hr := routeShare(t, f, "testdata/talk/heldout.tsv")
	t.Logf("held out: %d of %d (%.0f%%)", hr, ht, 100*float64(hr)/float64(ht))
}

// routeShare routes each phrasing of file and counts those that reach the
// function named beside it; misses are logged.
func routeShare(t *testing.T, f *fixture, file string) (total, right int) {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		want, phrase, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		total++
		_, wantCode, _ := strings.Cut(want, " ")
		got := "(hint)"
		if fl, slots, ok := f.router.idleRoute(phrase); ok {
			got = fl.ID
			if c := slots["code"] + slots["args"]; wantCode != "" || (c != "" && fl.TalkArgs != "text") {
				got += " " + c
			}
		}
		if got == want {
			right++
		} else {
			t.Logf("miss: %q → %s, want %s", phrase, got, want)
		}
	}
	return total, right
}
