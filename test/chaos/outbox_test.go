//go:build chaos

package chaos

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // reads the outbox's queue order

	"xabot/test/chaos/tgstand"
)

// The outbox's promises under faults: every status notice delivered, in
// the order it was queued per chat, none twice (one at most per kill -9),
// never more calls than XABOT_SEND_RATE in any second, one a second per
// chat, whatever the restarts and 429s.

const sendRate = 25 // XABOT_SEND_RATE's default, which these tests run at

var codeRE = regexp.MustCompile(`H55\.20-\d{6}-\d{4}`)

// scene is a bot whose citizens follow dossiers by their verified phones.
type scene struct {
	tg    *tgstand.Server
	token string
	x     *Xabot
	chats []int64
	each  int
	from  map[int64]int // a chat's messages before the notices
	ready time.Time     // the notices start after
}

func phoneOf(i int) string { return fmt.Sprintf("0906%06d", i+1) }

// newScene starts a bot, makes chats citizens who consent and verify their
// phones, then imports each dossiers for each phone (no notice yet: they
// are in progress).
func newScene(t *testing.T, token string, chats, each int, env map[string]string) *scene {
	t.Helper()
	s := &scene{tg: tgstand.Start(t), token: token, each: each, from: map[int64]int{}}
	s.x = serve(t, s.tg, token, "", redisURL(t), env)
	for i := range chats {
		s.chats = append(s.chats, int64(7001+i))
	}
	s.verify(t)
	var b strings.Builder
	b.WriteString("code,procedure_name,field,applicant_name,applicant_phone,channel,received_at,due_at,status\n")
	for i := range s.chats {
		for j := range each {
			fmt.Fprintf(&b, "%s,Đăng ký khai sinh,Hộ tịch,Nguyễn Văn An,%s,1,18/11/2026,27/11/2035,4\n", s.code(i, j), phoneOf(i))
		}
	}
	s.x.Import(t, b.String())
	for _, c := range s.chats {
		s.from[c] = len(s.tg.Sent(token, c))
	}
	// A notice right behind the last reply would make two messages within
	// a second: the process paces both, but a test counts from here.
	time.Sleep(1100 * time.Millisecond)
	s.ready = time.Now()
	return s
}

func (s *scene) code(chat, n int) string { return fmt.Sprintf("H55.20-261118-%04d", 1+chat*s.each+n) }

// verify walks every chat through consent and the sharing of its own
// phone, all chats a step at a time.
func (s *scene) verify(t *testing.T) {
	t.Helper()
	const wait = 20 * time.Second
	for _, c := range s.chats {
		s.tg.Text(s.token, c, "/start")
	}
	for _, c := range s.chats {
		m, _ := waitSent(t, s.tg, s.token, c, 0, "Thông báo về dữ liệu cá nhân", wait)
		s.tg.Press(s.token, c, m.ID, m.Buttons[0][0].Data)
	}
	for _, c := range s.chats {
		waitSent(t, s.tg, s.token, c, 0, "Cảm ơn", wait)
		s.tg.Text(s.token, c, "/hosocuatoi")
	}
	for i, c := range s.chats {
		waitSent(t, s.tg, s.token, c, 0, "Chia sẻ số điện thoại", wait)
		s.tg.Contact(s.token, c, phoneOf(i), c)
	}
	for _, c := range s.chats {
		waitSent(t, s.tg, s.token, c, 0, "Không có hồ sơ nào", wait)
	}
}

// push imports a move of every dossier to status, which queues a notice
// to each follower.
func (s *scene) push(t *testing.T, status int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("code,status\n")
	for i := range s.chats {
		for j := range s.each {
			fmt.Fprintf(&b, "%s,%d\n", s.code(i, j), status)
		}
	}
	s.x.Import(t, b.String())
}

// queued reads from the database the codes of the notices queued to each
// chat, in queue order: what each chat must read, in that order.
func (s *scene) queued(t *testing.T) map[int64][]string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+s.x.DB+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT recipient, payload FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var to, payload string
		if err := rows.Scan(&to, &payload); err != nil {
			t.Fatal(err)
		}
		var p struct{ Text string }
		if err := json.Unmarshal([]byte(payload), &p); err != nil {
			t.Fatal(err)
		}
		var chat int64
		fmt.Sscanf(to, "tg:%d", &chat)
		out[chat] = append(out[chat], codeRE.FindString(p.Text))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// read is what each chat read since the scene was set: the codes of its
// notices in arrival order, a notice sent twice in a row counted once
// (dups counts those).
func (s *scene) read() (got map[int64][]string, dups int) {
	got = map[int64][]string{}
	for _, c := range s.chats {
		for _, m := range s.tg.Sent(s.token, c)[s.from[c]:] {
			code := codeRE.FindString(m.Text)
			if code == "" {
				continue
			}
			if n := len(got[c]); n > 0 && got[c][n-1] == code {
				dups++
				continue
			}
			got[c] = append(got[c], code)
		}
	}
	return got, dups
}

// waitAll waits until every chat read all its notices, or d passed.
func (s *scene) waitAll(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		got, _ := s.read()
		done := true
		for _, c := range s.chats {
			done = done && len(got[c]) >= s.each
		}
		if done {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// check says what the chats read against what was queued: nothing lost,
// in order; it returns the notices read twice.
func (s *scene) check(t *testing.T) int {
	t.Helper()
	want := s.queued(t)
	got, dups := s.read()
	total, late := 0, 0
	for _, c := range s.chats {
		total += len(want[c])
		if len(want[c]) != s.each {
			t.Errorf("chat %d: %d notices queued, want %d", c, len(want[c]), s.each)
		}
		if !slices.Equal(got[c], want[c]) {
			late++
			t.Errorf("chat %d read %v\n  queued %v", c, got[c], want[c])
		}
	}
	t.Logf("%d notices to %d chats; chats out of order or missing: %d; read twice: %d", total, len(s.chats), late, dups)
	return dups
}

// windows is the most calls of token in any second among those keep
// picks, by arrival.
func windows(calls []tgstand.Call, keep func(tgstand.Call) bool) int {
	var at []time.Time
	for _, c := range calls {
		if keep(c) {
			at = append(at, c.At)
		}
	}
	slices.SortFunc(at, time.Time.Compare)
	most, j := 0, 0
	for i := range at {
		for at[i].Sub(at[j]) >= time.Second {
			j++
		}
		most = max(most, i-j+1)
	}
	return most
}

func isSend(c tgstand.Call) bool { return c.Method == "sendMessage" || c.Method == "sendPhoto" }

// refusals counts the sends answered 429.
func refusals(calls []tgstand.Call) int {
	n := 0
	for _, c := range calls {
		if isSend(c) && c.Status == 429 {
			n++
		}
	}
	return n
}

// refusedGaps describes the first refused sends: the gap since the call
// before to that chat, and whether a kill came in between.
func refusedGaps(calls []tgstand.Call, kills []time.Time) string {
	var b strings.Builder
	last := map[int64]tgstand.Call{}
	n := 0
	for _, c := range calls {
		if !isSend(c) {
			continue
		}
		if prev, ok := last[c.Chat]; ok && c.Status == 429 && n < 8 {
			killed := slices.ContainsFunc(kills, func(k time.Time) bool { return k.After(prev.At) && k.Before(c.At) })
			fmt.Fprintf(&b, "[chat %d: %v after a %d (kill between: %v)] ", c.Chat, c.At.Sub(prev.At).Round(time.Millisecond), prev.Status, killed)
			n++
		}
		last[c.Chat] = c
	}
	return b.String()
}

// gaps returns the shortest gap between two calls sending to one chat
// since the scene was set (refused ones included: the platform counts
// them), overall and across a restart (a kill in between).
func (s *scene) gaps(kills []time.Time) (shortest, acrossRestart time.Duration) {
	shortest, acrossRestart = time.Hour, time.Hour
	last := map[int64]time.Time{}
	for _, c := range s.tg.Calls(s.token) {
		if !isSend(c) || c.At.Before(s.ready) {
			continue
		}
		if prev, ok := last[c.Chat]; ok {
			d := c.At.Sub(prev)
			shortest = min(shortest, d)
			if slices.ContainsFunc(kills, func(k time.Time) bool { return k.After(prev) && k.Before(c.At) }) {
				acrossRestart = min(acrossRestart, d)
			}
		}
		last[c.Chat] = c.At
	}
	return shortest, acrossRestart
}

// kill -9 during a burst of notices: every notice delivered, in order per
// chat, at most one sent twice per kill (the one between the platform's OK
// and its record), and the per-chat pace kept across the restarts
// (Telegram's per-chat limit is on: a message within a second of the last
// to a chat is refused).
func TestOutboxBurstSurvivesKills(t *testing.T) {
	const chats, each = 30, 14
	s := newScene(t, "6101:burst", chats, each, nil)
	s.tg.SetLimits(s.token, tgstand.Limits{PerChatPerSecond: 1})
	s.push(t, 5)
	var kills []time.Time
	deadline := time.Now().Add(3 * time.Minute)
	for len(kills) < 8 && time.Now().Before(deadline) {
		time.Sleep(time.Duration(700+rand.IntN(1800)) * time.Millisecond)
		if got, _ := s.read(); countAll(got) >= chats*each {
			break
		}
		kills = append(kills, time.Now())
		s.x.Kill(t)
		s.x.Start(t)
	}
	if !s.waitAll(2 * time.Minute) {
		t.Error("not every notice arrived within 2 minutes")
	}
	time.Sleep(time.Second) // a late duplicate would show now
	dups := s.check(t)
	if dups > len(kills) {
		t.Errorf("%d notices read twice after %d kills, want at most one per kill", dups, len(kills))
	}
	calls := s.tg.Calls(s.token)
	if refused := refusals(calls); refused > 0 {
		t.Errorf("%d sends refused by Telegram's per-chat limit: a chat got two messages within a second; %s",
			refused, refusedGaps(calls, kills))
	}
	shortest, across := s.gaps(kills)
	t.Logf("%d kills; most sends in any second: %d (attempts %d); shortest gap between calls to one chat %v, across a restart %v",
		len(kills), windows(calls, func(c tgstand.Call) bool { return isSend(c) && c.Status == 200 }),
		windows(calls, isSend), shortest.Round(time.Millisecond), across.Round(time.Millisecond))
}

func countAll(m map[int64][]string) int {
	n := 0
	for _, v := range m {
		n += len(v)
	}
	return n
}

// A 429 storm: Telegram answers every other send with 429 retry_after 2
// (200 of them) and keeps its per-chat limit. Nothing is lost, each chat
// reads in order, and neither the sends nor the attempts ever pass
// XABOT_SEND_RATE in a second.
func TestOutbox429Storm(t *testing.T) {
	const chats, each = 30, 14
	s := newScene(t, "6102:storm", chats, each, nil)
	s.tg.SetLimits(s.token, tgstand.Limits{PerChatPerSecond: 1})
	s.tg.AddFault(s.token, tgstand.Fault{Method: "sendMessage", Count: 200, Every: 2, Status: 429, RetryAfter: 2})
	start := time.Now()
	s.push(t, 5)
	if !s.waitAll(3 * time.Minute) {
		t.Error("not every notice arrived within 3 minutes")
	}
	took := time.Since(start)
	if dups := s.check(t); dups > 0 {
		t.Errorf("%d notices read twice without a kill", dups)
	}
	calls := s.tg.Calls(s.token)
	limited := refusals(calls)
	sends := windows(calls, func(c tgstand.Call) bool { return isSend(c) && c.Status == 200 })
	attempts := windows(calls, isSend)
	t.Logf("%d 429s; all delivered in %v; most sends in any second: %d, attempts: %d (rate %d)",
		limited, took.Round(100*time.Millisecond), sends, attempts, sendRate)
	if limited < 200 {
		t.Errorf("only %d 429s answered: the storm did not happen", limited)
	}
	if sends > sendRate || attempts > sendRate {
		t.Errorf("%d sends, %d attempts in one second, want at most %d", sends, attempts, sendRate)
	}
}

// A flood of 500 notices to one chat does not hold up another chat's
// notice, nor a new citizen's answer.
func TestOutboxFloodDoesNotHoldUpOthers(t *testing.T) {
	s := newScene(t, "6103:flood", 2, 0, nil)
	flood, other := s.chats[0], s.chats[1]
	var b strings.Builder
	b.WriteString("code,procedure_name,field,applicant_name,applicant_phone,channel,received_at,due_at,status\n")
	for j := range 500 {
		fmt.Fprintf(&b, "H55.20-261119-%04d,Đăng ký khai sinh,Hộ tịch,Nguyễn Văn An,%s,1,18/11/2026,27/11/2035,4\n", j+1, phoneOf(0))
	}
	fmt.Fprintf(&b, "H55.20-261120-0001,Đăng ký khai sinh,Hộ tịch,Trần Thị Bình,%s,1,18/11/2026,27/11/2035,4\n", phoneOf(1))
	s.x.Import(t, b.String())
	b.Reset()
	b.WriteString("code,status\n")
	for j := range 500 {
		fmt.Fprintf(&b, "H55.20-261119-%04d,5\n", j+1)
	}
	s.x.Import(t, b.String())
	from := len(s.tg.Sent(s.token, flood))
	waitSent(t, s.tg, s.token, flood, from+3, "H55.20-261119-", 30*time.Second) // the flood flows

	start := time.Now()
	s.x.Import(t, "code,status\nH55.20-261120-0001,5\n")
	queuedIn := time.Since(start)
	waitSent(t, s.tg, s.token, other, s.from[other], "H55.20-261120-0001", 30*time.Second)
	notice := time.Since(start)

	const newcomer = 7999
	start = time.Now()
	s.tg.Text(s.token, newcomer, "/start")
	waitSent(t, s.tg, s.token, newcomer, 0, "Thông báo về dữ liệu cá nhân", 30*time.Second)
	answer := time.Since(start)
	backlog := 500 - (len(s.tg.Sent(s.token, flood)) - from)
	t.Logf("with %d notices still queued to one chat: another chat's notice arrived %v after its import (%v of it the import itself); a new citizen's answer %v",
		backlog, notice.Round(time.Millisecond), queuedIn.Round(time.Millisecond), answer.Round(time.Millisecond))
}

// Two replicas on one database and one Redis send each notice once, each
// chat's in order and a second apart: the rows are claimed, and the
// per-chat pace is read from the database.
func TestOutboxTwoReplicas(t *testing.T) {
	const chats, each = 30, 14
	s := newScene(t, "6104:replicas", chats, each, nil)
	second := serve(t, s.tg, s.token, s.x.DB, s.x.Env["XABOT_REDIS_URL"], nil)
	defer second.Stop(t)
	s.tg.SetLimits(s.token, tgstand.Limits{PerChatPerSecond: 1})
	s.push(t, 5)
	if !s.waitAll(2 * time.Minute) {
		t.Error("not every notice arrived within 2 minutes")
	}
	time.Sleep(time.Second)
	if dups := s.check(t); dups > 0 {
		t.Errorf("%d notices read twice", dups)
	}
	calls := s.tg.Calls(s.token)
	if refused := refusals(calls); refused > 0 {
		t.Errorf("%d sends refused by Telegram's per-chat limit", refused)
	}
	t.Logf("two replicas: most sends in any second %d (each replica has its own window of %d)",
		windows(calls, func(c tgstand.Call) bool { return isSend(c) && c.Status == 200 }), sendRate)
}
