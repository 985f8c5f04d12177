//go:build chaos

package chaos

import (
	"math/rand/v2"
	"testing"
	"time"

	"xabot/test/chaos/tgstand"
)

const (
	loadCitizens = 30
	loadKills    = 12
	// answerWait only tells "never answered" from "slow": a restart and the
	// redelivery of a batch take a few seconds at most.
	answerWait = 20 * time.Second
)

// Exactly once, as the citizen sees it: `xabot serve` is killed with
// SIGKILL at random moments while 30 citizens do 5-step lookups, and
// started again at once. Telegram (the stand-in) offers every unconfirmed
// update again after the restart. Every step gets its own answer: none
// lost, none answered wrongly (a phone answered «chưa hiểu» because the
// step before it was never saved), and nothing doubled except the message
// a kill may catch between Telegram's OK and its record: one per chat at
// most, though a kill amid a burst of answers catches several chats'.
func TestKillDuringLookupsLosesNothingAndRepeatsNothing(t *testing.T) {
	tg := tgstand.Start(t)
	const token = "5101:inbound"
	x := serve(t, tg, token, "", redisURL(t), nil)
	x.Import(t, dossierRows(loadCitizens))
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	cs := newCitizens(tg, token, loadCitizens, seed, answerWait)

	stop := make(chan struct{})
	var kills []time.Time
	go func() {
		defer close(stop)
		rng := rand.New(rand.NewPCG(seed, 0))
		for range loadKills {
			time.Sleep(time.Duration(700+rng.IntN(1800)) * time.Millisecond)
			x.Kill(t)
			kills = append(kills, time.Now())
			x.Start(t)
		}
	}()
	start := time.Now()
	runCitizens(cs, stop)
	waitConfirmed(t, tg, token, 30*time.Second)
	time.Sleep(time.Second) // a late double would come now
	res := judge(cs, kills)
	t.Logf("%d citizens, %d kills over %v: %s", loadCitizens, len(kills), time.Since(start).Round(time.Second), res)

	res.report(t)
	if n := res.count[lost]; n > 0 {
		t.Errorf("%d steps never answered", n)
	}
	if n := res.count[busy]; n > 0 {
		t.Errorf("%d steps answered «bận» with Redis up", n)
	}
	for k, n := range res.perKill {
		if n > 1 {
			t.Errorf("kill %d doubled %d messages of one chat; at most the one in flight may be", k+1, n)
		}
	}
	if res.count[right] < loadCitizens*5 {
		t.Errorf("only %d steps answered right: the load did not run", res.count[right])
	}
}

// Redis stopped under load, and started again: while it is down every
// step is answered «hệ thống đang bận» (the citizen sends it again), once
// it is back the same process answers as before, and nothing is lost,
// doubled or answered wrongly. The Redis is the test's own (data on disk,
// as a production Redis with AOF keeps it), so the shared one is not
// disturbed. Every log line stays JSON, go-redis's own included.
func TestRedisDownAnswersBusyAndRecovers(t *testing.T) {
	rs := startRedis(t)
	tg := tgstand.Start(t)
	const token = "5102:redisdown"
	x := serve(t, tg, token, "", rs.URL(), nil)
	x.Import(t, dossierRows(loadCitizens))
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	cs := newCitizens(tg, token, loadCitizens, seed, answerWait)

	stop := make(chan struct{})
	var down, up time.Time
	go func() {
		defer close(stop)
		time.Sleep(3 * time.Second)
		rs.Kill(t)
		down = time.Now()
		time.Sleep(6 * time.Second)
		rs.Start(t)
		up = time.Now()
		time.Sleep(5 * time.Second)
	}()
	runCitizens(cs, stop)
	waitConfirmed(t, tg, token, 30*time.Second)
	time.Sleep(time.Second)
	res := judge(cs, nil)
	t.Logf("%d citizens, Redis down %v: %s", loadCitizens, up.Sub(down).Round(100*time.Millisecond), res)

	res.report(t)
	if n := res.count[lost]; n > 0 {
		t.Errorf("%d steps never answered", n)
	}
	if res.count[busy] == 0 {
		t.Errorf("no step answered «bận» while Redis was down")
	}
	var last time.Time
	for _, c := range cs {
		for _, at := range c.busyAt {
			if at.Before(down) || at.After(up.Add(3*time.Second)) {
				t.Errorf("chat %d answered «bận» at %s, Redis down %s–%s", c.chat, at.Format("15:04:05.000"),
					down.Format("15:04:05.000"), up.Format("15:04:05.000"))
			}
			if at.After(last) {
				last = at
			}
		}
		if !c.lastRight.After(up) {
			t.Errorf("chat %d got no right answer after Redis came back", c.chat)
		}
	}
	t.Logf("last «bận» %v after Redis came back", last.Sub(up).Round(time.Millisecond))
	select {
	case <-x.done:
		t.Errorf("xabot serve exited")
	default:
	}
	assertJSONLog(t, x.LogPath)
}
