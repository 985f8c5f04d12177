package announce_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/service/announce"
)

// notices records the notices, as the notifier would get them.
type notices struct {
	mu  sync.Mutex
	all []domain.Notice
}

func (n *notices) Notify(_ context.Context, no domain.Notice) (bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.all = append(n.all, no)
	return true, nil
}

func (n *notices) to(chat string) []domain.Notice {
	var out []domain.Notice
	for _, no := range n.all {
		if no.To == chat {
			out = append(out, no)
		}
	}
	return out
}

// A photo from Telegram is fetched once, before the first recipient is
// queued: Telegram recipients get its file id, the others the kept bytes'
// token, except a channel that cannot take them (Zalo without a public
// URL), which gets the text only; a second tick does not fetch again.
func TestPhotoReachesOtherChannels(t *testing.T) {
	for _, textOnly := range []bool{false, true} {
		f := newFixture(t)
		sent := &notices{}
		fetched := 0
		cfg := announce.Config{Villages: villages, Daily: 2, Loc: hcm, Now: func() time.Time { return f.now }, Window: 1,
			Photo: announce.Photo{Fetch: func(_ context.Context, ch, id string) ([]byte, error) {
				fetched++
				if ch != "tg" || id != "AgAD-map" {
					t.Errorf("fetch %s %s", ch, id)
				}
				return []byte("\xFF\xD8\xFF map"), nil
			}}}
		if textOnly {
			cfg.Photo.TextOnly = []string{"zalo"}
		}
		svc := announce.New(f.db, sent, cfg)
		f.subscribe(t, "tg:1", "An Hòa")
		f.subscribe(t, "zalo:2", "An Hòa")
		a := domain.Announcement{Author: chairman, Villages: []string{"An Hòa"}, Text: "Bão.", Urgent: true, Photo: "AgAD-map", PhotoChan: "tg"}
		if got := svc.PhotoTextOnly(a); got != textOnly {
			t.Errorf("text only %v: PhotoTextOnly = %v", textOnly, got)
		}
		a, err := svc.Create(t.Context(), a)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 { // a window of one: one recipient a tick
			if _, err := svc.Tick(t.Context(), f.now); err != nil {
				t.Fatal(err)
			}
		}
		p, ok, err := f.db.AnnouncementPhoto(t.Context(), a.ID)
		if err != nil || !ok || p.MIME != "image/jpeg" || len(p.Token) != 32 {
			t.Fatalf("kept photo %+v %v %v", p, ok, err)
		}
		if fetched != 1 {
			t.Errorf("fetched %d times, want once", fetched)
		}
		tg, za := sent.to("tg:1"), sent.to("zalo:2")
		if len(tg) != 1 || !slices.Equal(tg[0].Photos, []string{"AgAD-map"}) || tg[0].Kept != "" {
			t.Errorf("Telegram recipient: %+v, want the file id", tg)
		}
		want := p.Token
		if textOnly {
			want = ""
		}
		if len(za) != 1 || za[0].Kept != want || len(za[0].Photos) != 0 {
			t.Errorf("text only %v: Zalo recipient %+v, want kept %q", textOnly, za, want)
		}
	}
}

// A photo that cannot be fetched: the recipients get the text, the author
// is told once, and it is not fetched again.
func TestPhotoFetchFails(t *testing.T) {
	f := newFixture(t)
	sent := &notices{}
	fetched := 0
	svc := announce.New(f.db, sent, announce.Config{Villages: villages, Daily: 2, Loc: hcm, Now: func() time.Time { return f.now },
		Photo: announce.Photo{Fetch: func(context.Context, string, string) ([]byte, error) {
			fetched++
			return nil, errors.New("getFile: 400")
		}}})
	f.subscribe(t, "zalo:2", "An Hòa")
	if _, err := svc.Create(t.Context(), domain.Announcement{Author: chairman, Villages: []string{"An Hòa"}, Text: "Bão.",
		Urgent: true, Photo: "AgAD-map", PhotoChan: "tg"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := svc.Tick(t.Context(), f.now); err != nil {
			t.Fatal(err)
		}
	}
	za := sent.to("zalo:2")
	if len(za) != 1 || za[0].Kept != "" || len(za[0].Photos) != 0 {
		t.Errorf("Zalo recipient: %+v, want the text alone", za)
	}
	told := sent.to(chairman)
	if len(told) == 0 || told[0].Lines[0].Key != "announce.photo_failed" || fetched != 1 {
		t.Errorf("author told %+v, fetched %d; want announce.photo_failed, one fetch", told, fetched)
	}
}
