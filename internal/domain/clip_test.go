package domain

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	tests := []struct {
		name, in string
		limit    int
		want     string
		clipped  bool
	}{
		{"fits", "Bổ sung giấy khai sinh", 40, "Bổ sung giấy khai sinh", false},
		{"exactly", "abcde", 5, "abcde", false},
		{"hard cut", "abcdefghij", 5, "abcd…", true},
		{"at a space near the end", "một hai ba bốn năm sáu", 20, "một hai ba bốn năm…", true},
		{"a far space is not used", "ab cdefghijklmnopqrstuvwxyz", 12, "ab cdefghij…", true},
		// "Việt" decomposed: e, combining circumflex, combining dot below.
		{"never before a combining mark", "Vie\u0302\u0323t Nam", 4, "Vi…", true},
		{"surrogate pairs count two", "😀😀😀", 4, "😀…", true},
		{"limit zero", "abc", 0, "", true},
		{"empty", "", 0, "", false},
	}
	for _, tt := range tests {
		got, clipped := Clip(tt.in, tt.limit)
		if got != tt.want || clipped != tt.clipped {
			t.Errorf("%s: Clip(%q, %d) = %q, %v; want %q, %v", tt.name, tt.in, tt.limit, got, clipped, tt.want, tt.clipped)
		}
		if Units(got) > max(tt.limit, 0) {
			t.Errorf("%s: %q is %d units, over %d", tt.name, got, Units(got), tt.limit)
		}
		if !utf8.ValidString(got) {
			t.Errorf("%s: %q is not valid UTF-8", tt.name, got)
		}
	}
}

func TestEcho(t *testing.T) {
	long := strings.Repeat("x", 60000)
	if got := Echo(long); Units(got) != EchoLimit || !strings.HasSuffix(got, "…") {
		t.Errorf("Echo(60,000 x) = %d units %q…", Units(got), got[:10])
	}
	if got := Echo("H55.20-261118-0003"); got != "H55.20-261118-0003" {
		t.Errorf("Echo(code) = %q", got)
	}
}

// render is a stand-in for the message catalogue: the key, then the
// values in key order.
func render(l Line) string {
	s := "[" + l.Key + "]"
	for _, k := range []string{"code", "note", "reason"} {
		if v, ok := l.Args[k]; ok {
			s += " " + v
		}
	}
	return s
}

func TestFit(t *testing.T) {
	note := strings.Repeat("Bổ sung giấy tờ. ", 12000) // 204,000 units
	lines := []Line{
		L("push.status", "code", "H55.20-261118-0003"),
		L("lookup.card.note", "note", note),
		L("push.extended", "reason", strings.Repeat("r", 5000)),
		{Key: "status.5.next"},
	}
	for _, budget := range []int{NoticeBudget(4096), NoticeBudget(2000), 400} {
		out, clipped := Fit(lines, budget, render)
		if !clipped {
			t.Fatalf("budget %d: not clipped", budget)
		}
		text := joinRendered(out)
		if n := Units(text); n > budget {
			t.Errorf("budget %d: %d units", budget, n)
		}
		if last := out[len(out)-1]; last.Key != ClippedKey {
			t.Errorf("budget %d: last line %q, want the pointer %s", budget, last.Key, ClippedKey)
		}
		if out[0].Args["code"] != "H55.20-261118-0003" || out[3].Key != "status.5.next" {
			t.Errorf("budget %d: short values and plain lines must stay: %+v", budget, out[0])
		}
		n, r := Units(out[1].Args["note"]), Units(out[2].Args["reason"])
		// Both get the same limit; the note ends at a word, so a little shorter.
		if n > r || r-n > r/5 || !strings.HasSuffix(out[1].Args["note"], "…") {
			t.Errorf("budget %d: note %d units, reason %d: both long values share the room", budget, n, r)
		}
		if budget-Units(text) > r/5+2 {
			t.Errorf("budget %d: %d units left unused", budget, budget-Units(text))
		}
	}
	if lines[1].Args["note"] != note {
		t.Error("Fit changed the caller's lines")
	}

	short := []Line{L("push.status", "code", "H55.20-261118-0003")}
	if out, clipped := Fit(short, 1000, render); clipped || len(out) != 1 {
		t.Errorf("a notice that fits: %+v, %v", out, clipped)
	}
	// Nothing long to clip: left to the caller's hard cap.
	many := []Line{L("push.status", "code", strings.Repeat("c", MinClip)), L("push.status", "code", "x")}
	if out, clipped := Fit(many, 20, render); clipped || len(out) != 2 || out[0].Args["code"] != many[0].Args["code"] {
		t.Errorf("short values only: %+v, %v", out, clipped)
	}
}

func joinRendered(ls []Line) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = render(l)
	}
	return strings.Join(parts, "\n")
}

func TestClipArgs(t *testing.T) {
	in := map[string]string{"value": strings.Repeat("9", 60000), "column": "Ngày tiếp nhận"}
	out := ClipArgs(in)
	if Units(out["value"]) != ArgLimit || out["column"] != "Ngày tiếp nhận" {
		t.Errorf("ClipArgs = %d units, %q", Units(out["value"]), out["column"])
	}
	if Units(in["value"]) != 60000 {
		t.Error("ClipArgs changed its argument")
	}
	if ClipArgs(nil) != nil {
		t.Error("ClipArgs(nil) is not nil")
	}
}

// Bounded keeps what fits as it is, rendering it once, and otherwise ends
// within the budget with the pointer to the one-stop shop.
func TestBounded(t *testing.T) {
	renders := 0
	render := func(l Line) string {
		renders++
		if l.Key == ClippedKey {
			return "→ Bộ phận Một cửa"
		}
		return l.Key + ": " + l.Args["v"]
	}
	short := []Line{L("a", "v", "một"), L("b", "v", "hai")}
	if got := Bounded(short, 100, render); got != "a: một\nb: hai" || renders != 2 {
		t.Errorf("Bounded(short) = %q after %d renders, want the lines as they are, rendered once", got, renders)
	}
	long := []Line{L("a", "v", strings.Repeat("x", 5000)), L("b", "v", "hai")}
	got := Bounded(long, 300, render)
	if Units(got) > 300 || !strings.HasSuffix(got, "→ Bộ phận Một cửa") || !strings.Contains(got, "b: hai") {
		t.Errorf("Bounded(long) = %d units, %q…", Units(got), got[:min(len(got), 80)])
	}
}
