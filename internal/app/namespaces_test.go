package app

import (
	"context"
	"crypto/rand"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"xabot/internal/bot"
	"xabot/internal/chat"
	"xabot/internal/config"
	"xabot/internal/domain"
	"xabot/internal/service/officials"
	"xabot/internal/session"
)

// redisConfig is a configuration on the real Redis under test and the
// database file db.
func redisConfig(t *testing.T, db string) config.Config {
	t.Helper()
	url := os.Getenv("XABOT_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/15"
	}
	env := map[string]string{"XABOT_DB": db, "XABOT_REDIS_URL": url, "XABOT_HTTP_ADDR": "127.0.0.1:0"}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func openRedisApp(t *testing.T, db string) *App {
	t.Helper()
	a, err := Open(t.Context(), redisConfig(t, db), quiet(), time.Now)
	if err != nil {
		t.Fatalf("open with Redis: %v (is redis-server running?)", err)
	}
	t.Cleanup(func() { a.Close() })
	dropKeysOf(t, a, a.instanceNS)
	return a
}

// dropKeysOf deletes, when t ends, the keys under namespace ns.
func dropKeysOf(t *testing.T, a *App, ns string) {
	t.Cleanup(func() {
		ctx := context.Background()
		keys, err := a.rdb.Keys(ctx, redisPrefix+ns+":*").Result()
		if err == nil && len(keys) > 0 {
			err = a.rdb.Del(ctx, keys...).Err()
		}
		if err != nil {
			t.Errorf("cleanup of %s: %v", ns, err)
		}
	})
}

// fakeBot is an adapter after getMe.
type fakeBot struct{ id string }

func (fakeBot) Send(context.Context, chat.Reply) error { return nil }
func (fakeBot) Features() chat.Features                { return chat.Features{} }
func (b fakeBot) ID() string                           { return b.id }

// botID is a bot id no other run uses, so keys left by an earlier run
// cannot make a test pass.
func botID(t *testing.T) string {
	n, err := rand.Int(rand.Reader, big.NewInt(1e12))
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(n.Int64()+1e12, 10)
}

// serveAs names a's bots as `xabot serve` does after getMe.
func serveAs(t *testing.T, a *App, tg, zalo string) {
	t.Helper()
	if err := a.nameBots(t.Context(), map[chat.Channel]bot.Channel{chat.Telegram: fakeBot{tg}, chat.Zalo: fakeBot{zalo}}); err != nil {
		t.Fatal(err)
	}
	dropKeysOf(t, a, "tg-"+tg)
	dropKeysOf(t, a, "zalo-"+zalo)
}

func loadFlow(t *testing.T, s session.Store, user string) string {
	t.Helper()
	got, err := s.Load(t.Context(), user)
	if err != nil {
		t.Fatal(err)
	}
	return got.Flow
}

// `xabot officials revoke ID`, run beside `xabot serve` on the same
// database and Redis, ends the official's sessions on Telegram and Zalo —
// and nothing of another commune's bot that knows the same Telegram user.
func TestRevokeFromTheCommandLineEndsEveryStaffSession(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	served := openRedisApp(t, filepath.Join(dir, "a.db"))
	serveAs(t, served, botID(t), botID(t))
	other := openRedisApp(t, filepath.Join(dir, "b.db"))
	serveAs(t, other, botID(t), botID(t))

	const tg, zalo, bystander = "tg:31", "zalo:77", "tg:50"
	code, _, err := served.staff.Invite(ctx, officials.ActorCLI, "Nguyễn Chủ Tịch", domain.RoleChairman, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	o, err := served.staff.Register(ctx, tg, code)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, err = served.staff.InviteChat(ctx, tg, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := served.staff.Register(ctx, zalo, code); err != nil {
		t.Fatal(err)
	}
	staff := session.Session{V: session.Version, Flow: "stats", Step: "choose"}
	for _, u := range []string{tg, zalo, bystander} {
		if err := served.sessions.Save(ctx, u, staff); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.sessions.Save(ctx, tg, staff); err != nil {
		t.Fatal(err)
	}

	// The command line has no getMe: a fresh App on the same database.
	cli := openRedisApp(t, filepath.Join(dir, "a.db"))
	if err := cli.Officials(ctx, []string{"revoke", strconv.FormatInt(o.ID, 10)}, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{tg, zalo} {
		if f := loadFlow(t, served.sessions, u); f != "" {
			t.Errorf("%s after `officials revoke`: still in %q", u, f)
		}
	}
	if f := loadFlow(t, served.sessions, bystander); f != "stats" {
		t.Errorf("someone else's session (%s) was ended", bystander)
	}
	if f := loadFlow(t, other.sessions, tg); f != "stats" {
		t.Errorf("the other commune's bot lost the session of %s", tg)
	}
}

// The jobs' slots belong to the database: a replica of the same commune
// finds the slot ran, another commune on the same Redis runs its own.
func TestJobSlotsArePerDatabase(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	a := openRedisApp(t, filepath.Join(dir, "a.db"))
	b := openRedisApp(t, filepath.Join(dir, "b.db"))
	replica := openRedisApp(t, filepath.Join(dir, "a.db"))
	at := time.Now()
	if err := a.JobsRun(ctx, "purge", at, false, io.Discard); err != nil {
		t.Fatalf("first run: %v", err)
	}
	if err := b.JobsRun(ctx, "purge", at, false, io.Discard); err != nil {
		t.Errorf("another commune's run of the slot: %v; want it run", err)
	}
	if err := replica.JobsRun(ctx, "purge", at, false, io.Discard); err == nil {
		t.Error("a replica ran the slot again")
	}
	if !strings.HasPrefix(a.instanceNS, "db-") || a.instanceNS == b.instanceNS || a.instanceNS != replica.instanceNS {
		t.Errorf("instance namespaces: %q, %q, replica %q", a.instanceNS, b.instanceNS, replica.instanceNS)
	}
}
