//go:build e2e && load

package e2e

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"xabot/internal/store"
)

// TestAnnouncementLoad measures an announcement to many subscribers
// (XABOT_LOAD_SUBSCRIBERS, 10,000) against the emulator with Telegram's
// flood limits on (30 a second, 1 a second per chat) and xabot's rate at
// 30 (XABOT_LOAD_RATE): the time from «Gửi» to the last delivery over the
// ideal N ÷ rate, and the 429s provoked. It reports figures; it fails only
// when something is not delivered or the report's counts are wrong.
//
//	go test -tags 'e2e load' -run TestAnnouncementLoad -v -timeout 30m ./test/e2e/
func TestAnnouncementLoad(t *testing.T) {
	n := envInt(t, "XABOT_LOAD_SUBSCRIBERS", 10_000)
	rate := envInt(t, "XABOT_LOAD_RATE", 30)
	peer := startPeer(t)
	b := startBot(t, peer, map[string]string{"XABOT_SEND_RATE": strconv.Itoa(rate)})
	b.Limits(t, 30, 1)
	chair := b.Citizen(t, 9001, "Chủ tịch")
	register(t, b, chair, "--role", "chairman", "--name", "Nguyễn Chủ Tịch")

	db, err := store.Open(t.Context(), b.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	const first = 100_000
	for i := range n {
		if err := db.SubscribeVillage(t.Context(), fmt.Sprintf("tg:%d", first+i), "An Hòa", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	preview, refused, sent := compose(t, chair, "An Hòa", "Thông báo đo tải: họp toàn thôn An Hòa lúc 19:00.")
	if refused != "" || !strings.Contains(preview, fmt.Sprintf("số người đang đăng ký: %d", n)) {
		t.Fatalf("preview %q, refused %q", preview, refused)
	}
	ideal := time.Duration(float64(n) / float64(rate) * float64(time.Second))
	report := chair.WaitFor(t, "Thông báo #1 đã gửi xong", 2*ideal+2*time.Minute)
	reported := time.Now()
	if want := fmt.Sprintf("Người nhận: %d; đã gửi: %d; lỗi: 0", n, n); !strings.Contains(report.Text, want) {
		t.Errorf("report %q lacks %q", report.Text, want)
	}

	calls := b.Calls(t)
	var ok, limited int
	var firstAt, lastAt int64
	perSecond := map[int64]int{} // second since the first delivery → deliveries
	var times []int64
	for _, c := range calls {
		if c.Status == 429 {
			limited++
		}
		if !strings.EqualFold(c.Method, "sendMessage") || c.ChatID < first || c.ChatID >= first+int64(n) || !c.OK {
			continue
		}
		ok++
		times = append(times, c.Time)
		if firstAt == 0 || c.Time < firstAt {
			firstAt = c.Time
		}
		lastAt = max(lastAt, c.Time)
	}
	if ok != n {
		t.Errorf("delivered %d of %d", ok, n)
	}
	toLast := time.UnixMilli(lastAt).Sub(sent)
	span := time.Duration(lastAt-firstAt) * time.Millisecond
	t.Logf("announcement to %d subscribers at %d/s (emulator: 30/s, 1/s per chat)", n, rate)
	t.Logf("ideal %v; «Gửi» → last delivery %v (ratio %.3f); first → last delivery %v (ratio %.3f); report %v after «Gửi»",
		ideal.Round(time.Millisecond), toLast.Round(time.Millisecond), toLast.Seconds()/ideal.Seconds(),
		span.Round(time.Millisecond), span.Seconds()/ideal.Seconds(), reported.Sub(sent).Round(time.Second))
	t.Logf("429 answers provoked: %d (of %d calls)", limited, len(calls))
	slices.Sort(times)
	var gap int64
	for i := 1; i < len(times); i++ {
		gap = max(gap, times[i]-times[i-1])
		perSecond[(times[i]-firstAt)/1000]++
	}
	var counts []int
	for s := int64(0); s < (lastAt-firstAt)/1000; s++ { // whole seconds only
		counts = append(counts, perSecond[s])
	}
	slices.Sort(counts)
	if len(counts) > 0 {
		t.Logf("deliveries per whole second: min %d, median %d, max %d; longest gap between two %d ms",
			counts[0], counts[len(counts)/2], counts[len(counts)-1], gap)
	}
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a whole number", name, v)
	}
	return n
}
