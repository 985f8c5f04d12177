package bot

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"xabot/internal/chat"
)

// A pushed notice's button, shown on Zalo as a numbered line, is pressed
// by the citizen's «1» in another process than the one that sent the
// notice (a restart, another replica): what the number presses is in the
// shared Redis, not in a process. Once the bot has answered, the number
// means what that answer numbered, not the notice.
func TestPressByNumberAcrossProcesses(t *testing.T) {
	ctx := t.Context()
	db := fixtureDB(t)
	rdb := redisClient(t)
	prefix := redisTestPrefix(t, rdb)
	// process starts a router over the shared database and Redis, as a
	// replica of one Zalo bot would.
	process := func() (*fixture, *recorder) {
		rec := &recorder{feat: transcriptChannels[chat.Zalo]}
		f := newFixtureOn(t, db, redisSessions(t, rdb, prefix), rec)
		f.router.cfg.Channels[chat.Zalo] = rec
		f.t, f.rec, f.ch = t, rec, chat.Zalo
		return f, rec
	}
	a, recA := process()
	for _, line := range []string{"xin chao", "1", "H55.20-261118-0003", "0905123456"} {
		a.send("500", line)
	}
	if got := format(recA.take()); !strings.Contains(got, "Hồ sơ H55.20-261118-0003") {
		t.Fatalf("lookup did not end on the card:\n%s", got)
	}

	// Process A's outbox sends the notice through the Zalo sender.
	zalo := &recorder{feat: transcriptChannels[chat.Zalo]}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	out := RememberPresses(chat.Zalo, zalo, redisSessions(t, rdb, prefix), log)
	notice := chat.Reply{ChatID: "500", Text: "🔔 Hồ sơ H55.20-261118-0003 vừa có thay đổi", Buttons: [][]chat.Button{
		{{Label: "🔕 Ngừng nhận thông báo hồ sơ này", Data: "unsub/confirm/H55.20-261118-0003"}}}}
	if err := out.Send(ctx, notice); err != nil {
		t.Fatal(err)
	}
	if _, ok := out.(chat.StepSender); ok {
		t.Error("a sender without steps became a step sender")
	}

	// Process B reads «1» as the press.
	b, recB := process()
	b.seq = 100 // its own update ids
	b.send("500", "1")
	if got := format(recB.take()); !strings.Contains(got, "Đã ngừng gửi thông báo về hồ sơ H55.20-261118-0003") {
		t.Fatalf("«1» after the notice, in another process, did not press «Ngừng nhận thông báo»:\n%s", got)
	}
	// Pressed once: the same «1» now is the numbered menu's first item.
	a.seq = 200
	a.send("500", "1")
	if got := format(recA.take()); !strings.Contains(got, "gõ mã hồ sơ") {
		t.Errorf("«1» after the bot's answer = \n%s\nwant the menu's lookup", got)
	}

	// A notice without buttons, sent step by step as the outbox does,
	// forgets the numbers of the one before.
	steps := RememberPresses(chat.Zalo, stepRecorder{zalo}, redisSessions(t, rdb, prefix), log).(chat.StepSender)
	for _, r := range []chat.Reply{notice, {ChatID: "500", Text: "🔔 tin không có nút"}} {
		if _, err := steps.SendStep(ctx, r, 0); err != nil {
			t.Fatal(err)
		}
	}
	b.send("500", "1")
	// (The lookup started above waits for a code: «1» answers it.)
	if got := format(recB.take()); strings.Contains(got, "Đã ngừng") || !strings.Contains(got, "«1» không phải là mã hồ sơ") {
		t.Errorf("«1» after a notice without buttons = \n%s\nwant the text «1» answering the lookup, not an older notice's button", got)
	}
}

// stepRecorder sends a reply as one step, as a short one goes.
type stepRecorder struct{ *recorder }

func (s stepRecorder) SendStep(ctx context.Context, r chat.Reply, done int) (int, error) {
	if done > 0 {
		return 1, nil
	}
	return 1, s.Send(ctx, r)
}
