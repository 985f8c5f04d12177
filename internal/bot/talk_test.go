package bot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"xabot/internal/domain"
	"xabot/internal/store"
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
		if fl, slots, ok := f.router.idleRoute(phrase, foldWords(phrase), codeIn(phrase)); ok {
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

// Sentences at the edges: a code wins over a function that takes none, a
// letter-long text is not routed, nothing routes nothing.
func TestTalkRouteEdges(t *testing.T) {
	f := newFixture(t, telegramFeatures)
	long := strings.Repeat("đường thôn An Hòa bị ngập nặng ", 10) + "cảm ơn"
	for _, tc := range []struct{ in, want string }{
		{"cảm ơn, hồ sơ H55.20-261120-0001 thế nào", "lookup code=H55.20-261120-0001"},
		{"cảm ơn H55.20-261120-0001", "lookup code=H55.20-261120-0001"},
		{"đánh giá hồ sơ h55.20 - 261110 - 2 nhé", "rate args=H55.20-261110-0002"},
		{"thủ tục khai sinh cần gì", "procedures args=thủ tục khai sinh cần gì"},
		{long, ""},
		{"", ""},
		{"🙏🙏🙏", ""},
		{"* * *", ""},
		{"cam on", "thanks"},
		{"CẢM ƠN!!!", "thanks"},
	} {
		got := ""
		if fl, slots, ok := f.router.talkRoute(tc.in, foldWords(tc.in), codeIn(tc.in)); ok {
			got = fl.ID
			for _, k := range []string{"code", "args"} {
				if v, ok := slots[k]; ok {
					got += " " + k + "=" + v
				}
			}
		}
		if got != tc.want {
			t.Errorf("%.60q → %q, want %q", tc.in, got, tc.want)
		}
	}
}

// BenchmarkTalkRoute reads one everyday sentence against every pattern.
func BenchmarkTalkRoute(b *testing.B) {
	db, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "talk.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	f := newFixtureOn(b, db, nil, &recorder{feat: telegramFeatures})
	for b.Loop() {
		text := "cho tôi hỏi hồ sơ H55.20-261120-0001 của mẹ tôi giờ đến đâu rồi ạ"
		f.router.talkRoute(text, foldWords(text), codeIn(text))
	}
}

// codeIn is the code the router reads in text (turn.text), "" for none.
func codeIn(text string) string {
	code, _ := domain.FindCode(text)
	return code
}
