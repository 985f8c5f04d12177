package session

import (
	"testing"
	"time"

	"xabot/internal/chat"
)

// Two bots on one Redis share nothing: not a session, not a handled
// update, not a deletion; a replica of the same bot shares everything.
func TestRedisNamespacesShareNothing(t *testing.T) {
	rdb := testRedis(t)
	communeA := Namespaces{Default: "db-aaaa", Channels: map[chat.Channel]string{chat.Telegram: "tg-111", chat.Zalo: "zalo-5"}}
	tests := []struct {
		name   string
		other  Namespaces
		shared bool
	}{
		{"another commune", Namespaces{Default: "db-bbbb", Channels: map[chat.Channel]string{chat.Telegram: "tg-222", chat.Zalo: "zalo-6"}}, false},
		{"a new token on the same database", Namespaces{Default: "db-aaaa", Channels: map[chat.Channel]string{chat.Telegram: "tg-333", chat.Zalo: "zalo-7"}}, false},
		{"a replica of the same bots", communeA, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prefix := testPrefix(t, rdb)
			a := newTestRedis(t, rdb, prefix, communeA, time.Hour, time.Hour)
			b := newTestRedis(t, rdb, prefix, tc.other, time.Hour, time.Hour)
			ctx := t.Context()
			mid := Session{V: Version, Flow: "lookup", Step: "ask_phone", Slots: map[string]string{"code": "H55.20-250501-0001"}}
			for _, user := range []string{"tg:42", "zalo:42"} {
				if err := a.Save(ctx, user, mid); err != nil {
					t.Fatal(err)
				}
				got := mustLoad(t, b, user)
				if seen := got.Flow == "lookup"; seen != tc.shared {
					t.Errorf("%s: the other store loads %+v; shared = %v, want %v", user, got, seen, tc.shared)
				}
				if !tc.shared {
					if err := b.Delete(ctx, user); err != nil {
						t.Fatal(err)
					}
					if got := mustLoad(t, a, user); got.Flow != "lookup" {
						t.Errorf("%s: the other store's Delete erased this one's session: %+v", user, got)
					}
				}
			}
			for _, update := range []string{"tg:1", "zalo:message.text.received:abc"} {
				if err := a.Done(ctx, update); err != nil {
					t.Fatal(err)
				}
				got, err := b.Begin(ctx, update, "tg:42")
				if err != nil {
					t.Fatal(err)
				}
				if got.Handled != tc.shared {
					t.Errorf("the other store's Begin(%s).Handled = %v: an update one bot handled %s the other's", update, got.Handled,
						map[bool]string{true: "must be", false: "is"}[tc.shared])
				}
			}
		})
	}
}

// The terminal and the web page, which have no bot id, live under the
// database's namespace, apart from the bots of the same commune.
func TestRedisDefaultNamespace(t *testing.T) {
	rdb := testRedis(t)
	prefix := testPrefix(t, rdb)
	s := newTestRedis(t, rdb, prefix, Namespaces{Default: "db-aaaa", Channels: map[chat.Channel]string{chat.Telegram: "tg-111"}}, time.Hour, time.Hour)
	ctx := t.Context()
	for _, tc := range []struct{ user, key string }{
		{"tg:1", prefix + "tg-111:sess:tg:1"},
		{"console:1", prefix + "db-aaaa:sess:console:1"},
		{"web:citizen", prefix + "db-aaaa:sess:web:citizen"},
	} {
		if err := s.Save(ctx, tc.user, New()); err != nil {
			t.Fatal(err)
		}
		if n, err := rdb.Exists(ctx, tc.key).Result(); err != nil || n != 1 {
			t.Errorf("Save(%s): key %s exists = %d, %v; want 1", tc.user, tc.key, n, err)
		}
	}
}

func TestNamespaceNames(t *testing.T) {
	if ns, err := BotNamespace(chat.Telegram, "7012345678"); ns != "tg-7012345678" || err != nil {
		t.Errorf("BotNamespace(tg, 7012345678) = %q, %v", ns, err)
	}
	if ns, err := InstanceNamespace("1a2b3c4d5e6f7a8b"); ns != "db-1a2b3c4d5e6f7a8b" || err != nil {
		t.Errorf("InstanceNamespace = %q, %v", ns, err)
	}
	// An id that could run into the key's other parts, or none at all.
	for _, id := range []string{"", "12:34", "a b", "x*", "ả"} {
		if ns, err := BotNamespace(chat.Zalo, id); err == nil {
			t.Errorf("BotNamespace(zalo, %q) = %q, want an error", id, ns)
		}
		if ns, err := InstanceNamespace(id); err == nil {
			t.Errorf("InstanceNamespace(%q) = %q, want an error", id, ns)
		}
	}
	for _, ns := range []Namespaces{{}, {Default: "db-1", Channels: map[chat.Channel]string{chat.Telegram: ""}}} {
		if _, err := NewRedis(nil, "xabot:", ns, time.Hour, time.Hour); err == nil {
			t.Errorf("NewRedis with namespaces %+v: nil error", ns)
		}
	}
}
