package session

import (
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"xabot/internal/chat"
)

// testReplies is a turn's replies with every field of a reply set, so a
// field that does not survive staging is caught.
var testReplies = []chat.Reply{
	{ChatID: "42", Text: "📄 Hồ sơ H55.20-250501-0001 <b>&", Buttons: [][]chat.Button{{{Label: "Ngừng", Data: "unsub/x/1"}}}},
	{ChatID: "42", Text: "biểu đồ", Image: &chat.Image{FileID: "AgAD", Data: []byte{0x89, 'P', 'N', 'G', 0}, Name: "chart.png"},
		Keyboard: &chat.Keyboard{Rows: [][]chat.Key{{{Label: "📱 Chia sẻ", RequestContact: true}}}}},
	{ChatID: "42", Text: "xong", Keyboard: &chat.Keyboard{Remove: true}},
}

// testTurns is the part of the contract that carries an update from its
// computed turn to «handled» (turn.go).
func testTurns(t *testing.T, newStore func(t *testing.T) (Store, func(ttl time.Duration)), full Session) {
	t.Run("turn", func(t *testing.T) {
		s, _ := newStore(t)
		ctx := t.Context()
		if err := s.Save(ctx, "tg:42", New()); err != nil {
			t.Fatal(err)
		}
		got := mustBegin(t, s, "tg:900", "tg:42")
		if got.Handled || got.Staged != nil || !sameSession(got.Session, New()) {
			t.Fatalf("Begin of a new update = %+v, want the session and nothing known", got)
		}
		if ok, err := s.Stage(ctx, "tg:900", "tg:42", testReplies, &full); !ok || err != nil {
			t.Fatalf("Stage = %v, %v; want true", ok, err)
		}
		// The next session is saved with the replies, before any is sent.
		if got := mustLoad(t, s, "tg:42"); !sameSession(got, full) {
			t.Errorf("session after Stage = %+v, want the next one", got)
		}
		got = mustBegin(t, s, "tg:900", "tg:42")
		if got.Handled || got.Staged == nil {
			t.Fatalf("Begin of a staged update = %+v, want its replies", got)
		}
		if !reflect.DeepEqual(got.Staged.Replies, testReplies) || got.Staged.Reply != 0 || got.Staged.Part != 0 {
			t.Errorf("staged = %+v, want the replies with nothing sent", *got.Staged)
		}
		if ok, err := s.Stage(ctx, "tg:900", "tg:42", testReplies[:1], &full); ok || err != nil {
			t.Errorf("a second Stage = %v, %v; want false: staged already", ok, err)
		}
		if err := s.Sent(ctx, "tg:900", 1, 2); err != nil {
			t.Fatal(err)
		}
		if st := mustBegin(t, s, "tg:900", "tg:42").Staged; st == nil || st.Reply != 1 || st.Part != 2 || len(st.Replies) != 3 {
			t.Errorf("staged after Sent(1, 2) = %+v", st)
		}
		// The same number on another channel is another update.
		if got := mustBegin(t, s, "zalo:900", "zalo:42"); got.Handled || got.Staged != nil {
			t.Errorf("Begin(zalo:900) = %+v, want nothing known", got)
		}
		if err := s.Done(ctx, "tg:900"); err != nil {
			t.Fatal(err)
		}
		if got := mustBegin(t, s, "tg:900", "tg:42"); !got.Handled || got.Staged != nil {
			t.Errorf("Begin after Done = %+v, want handled and nothing staged", got)
		}
		if ok, err := s.Stage(ctx, "tg:900", "tg:42", testReplies, &full); ok || err != nil {
			t.Errorf("Stage after Done = %v, %v; want false: handled", ok, err)
		}
		// A late progress record does not bring the turn back.
		if err := s.Sent(ctx, "tg:900", 2, 1); err != nil {
			t.Fatal(err)
		}
		if got := mustBegin(t, s, "tg:900", "tg:42"); !got.Handled || got.Staged != nil {
			t.Errorf("Begin after a late Sent = %+v, want handled and nothing staged", got)
		}
	})

	t.Run("stage without replies or session", func(t *testing.T) {
		s, _ := newStore(t)
		ctx := t.Context()
		if err := s.Save(ctx, "tg:42", full); err != nil {
			t.Fatal(err)
		}
		// /xoadulieu's turn deletes the session; a turn that says nothing
		// is handled at once.
		if ok, err := s.Stage(ctx, "tg:901", "tg:42", nil, nil); !ok || err != nil {
			t.Fatalf("Stage = %v, %v", ok, err)
		}
		if got := mustLoad(t, s, "tg:42"); !sameSession(got, New()) {
			t.Errorf("session after a Stage deleting it = %+v, want New()", got)
		}
		if got := mustBegin(t, s, "tg:901", "tg:42"); !got.Handled {
			t.Errorf("Begin after a Stage without replies = %+v, want handled", got)
		}
	})

	t.Run("no update id", func(t *testing.T) {
		s, _ := newStore(t)
		ctx := t.Context()
		for range 2 {
			if ok, err := s.Stage(ctx, "", "console:1", testReplies, &full); !ok || err != nil {
				t.Fatalf("Stage without id = %v, %v; want true every time", ok, err)
			}
			if err := s.Sent(ctx, "", 0, 1); err != nil {
				t.Fatal(err)
			}
			if err := s.Done(ctx, ""); err != nil {
				t.Fatal(err)
			}
			got := mustBegin(t, s, "", "console:1")
			if got.Handled || got.Staged != nil || !sameSession(got.Session, full) {
				t.Errorf("Begin without id = %+v, want the session only", got)
			}
		}
	})

	t.Run("concurrent stages", func(t *testing.T) {
		s, _ := newStore(t)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				ok, err := s.Stage(t.Context(), "tg:7", "tg:7", testReplies, &full)
				if err != nil {
					t.Errorf("Stage: %v", err)
				}
				if ok {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Errorf("16 concurrent Stages of one update: %d won, want 1", n)
		}
	})
}
