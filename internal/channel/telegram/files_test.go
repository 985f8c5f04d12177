package telegram

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"xabot/internal/channel"
	"xabot/internal/chat"
)

// keptMap is KeptImages in memory, counting reads.
type keptMap struct {
	mu     sync.Mutex
	data   map[string][]byte
	ids    map[string]string
	reads  int
	rememb []string
}

func (k *keptMap) KeptImage(_ context.Context, token string) ([]byte, string, bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.reads++
	d, ok := k.data[token]
	return d, k.ids[token], ok, nil
}

func (k *keptMap) RememberFileID(_ context.Context, token, id string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.ids[token] = id
	k.rememb = append(k.rememb, id)
	return nil
}

const sentPhoto = `{"ok":true,"result":{"message_id":5,"date":1,"chat":{"id":111,"type":"private"},
	"photo":[{"file_id":"SMALL","file_unique_id":"a","width":90,"height":90},{"file_id":"BIG-ID","file_unique_id":"b","width":800,"height":600}]}}`

// A kept image sent to many chats at once is uploaded once: the others
// wait for that upload and send the file id it gave, which is remembered;
// a bot started later (another process) sends the remembered id at once.
// One no longer kept is given up: nothing is sent, no error.
func TestKeptImageUploadedOnce(t *testing.T) {
	f := newFake(t)
	f.setDefault("sendPhoto", body(200, sentPhoto))
	b := newTestBot(t, f)
	kept := &keptMap{data: map[string][]byte{"tok": []byte("\xFF\xD8\xFF storm map")}, ids: map[string]string{}}
	b.kept = kept
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if err := b.Send(t.Context(), chat.Reply{ChatID: strconv.Itoa(100 + i), Image: &chat.Image{Kept: "tok"}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	calls := f.callsOf("sendPhoto")
	uploads := 0
	for _, c := range calls {
		switch c.Form.Get("photo") {
		case "": // multipart: an upload
			uploads++
		case "BIG-ID":
		default:
			t.Errorf("sendPhoto by %q, want the largest size's file id", c.Form.Get("photo"))
		}
	}
	if len(calls) != 8 || uploads != 1 {
		t.Errorf("%d sendPhoto calls, %d uploads; want 8 and 1", len(calls), uploads)
	}
	if len(kept.rememb) != 1 || kept.rememb[0] != "BIG-ID" {
		t.Errorf("remembered %q, want BIG-ID once", kept.rememb)
	}

	later := newTestBot(t, f)
	later.kept = kept
	if err := later.Send(t.Context(), chat.Reply{ChatID: "200", Image: &chat.Image{Kept: "tok"}}); err != nil {
		t.Fatal(err)
	}
	if c := f.callsOf("sendPhoto"); len(c) != 9 || c[8].Form.Get("photo") != "BIG-ID" {
		t.Errorf("another process: %d calls, last by %q; want the remembered file id", len(c), c[len(c)-1].Form.Get("photo"))
	}

	if err := b.Send(t.Context(), chat.Reply{ChatID: "300", Image: &chat.Image{Kept: "gone"}}); err != nil {
		t.Errorf("an image no longer kept: %v, want it given up", err)
	}
	if n := len(f.callsOf("sendPhoto")); n != 9 {
		t.Errorf("an image no longer kept was sent (%d calls)", n)
	}
}

// Fetch downloads a user's file by getFile and the file URL beside the API
// endpoint; over the limit it refuses before downloading; no error carries
// the token.
func TestFetch(t *testing.T) {
	f := newFake(t)
	data := bytes.Repeat([]byte("x"), 1000)
	f.files = map[string][]byte{"photos/file_1.jpg": data}
	f.setDefault("getFile", body(200, `{"ok":true,"result":{"file_id":"AgAD","file_unique_id":"u","file_size":1000,"file_path":"photos/file_1.jpg"}}`))
	b := newTestBot(t, f)
	got, err := b.Fetch(t.Context(), "AgAD", 5000)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Fetch: %d bytes, %v", len(got), err)
	}
	if c := f.callsOf("getFile"); len(c) != 1 || c[0].Form.Get("file_id") != "AgAD" {
		t.Errorf("getFile calls: %v", c)
	}
	if _, err := b.Fetch(t.Context(), "AgAD", 999); !errors.Is(err, channel.ErrTooLarge) {
		t.Errorf("over the limit: %v, want ErrTooLarge", err)
	}
	f.setDefault("getFile", body(200, `{"ok":true,"result":{"file_id":"AgAD","file_unique_id":"u","file_path":"photos/missing.jpg"}}`))
	_, err = b.Fetch(t.Context(), "AgAD", 5000)
	if err == nil || strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "secret") {
		t.Errorf("a missing file: %v, want an error without the token", err)
	}
}
