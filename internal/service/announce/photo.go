package announce

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"xabot/internal/domain"
)

// Photo is how an announcement's photo reaches recipients on another
// channel than its author's: a platform file id means nothing there, so its
// bytes are fetched once, before the first recipient is queued, and kept
// with the announcement (domain.AnnouncementPhoto); each adapter sends them
// its way (an upload, a public URL).
type Photo struct {
	// Fetch gets the bytes of a photo of channel (its file id or URL); nil:
	// photos stay on their author's channel, as before.
	Fetch func(ctx context.Context, channel, fileID string) ([]byte, error)
	// TextOnly are the channels a kept photo cannot reach (Zalo takes a URL,
	// and there is none without XABOT_PUBLIC_URL): they get the text only.
	TextOnly []string
}

// PhotoRepo keeps announcements' photos; *store.DB satisfies it.
type PhotoRepo interface {
	SaveAnnouncementPhoto(ctx context.Context, p domain.AnnouncementPhoto) (domain.AnnouncementPhoto, error)
	AnnouncementPhoto(ctx context.Context, id int64) (domain.AnnouncementPhoto, bool, error)
}

// PhotoTextOnly says whether some recipients of a would get its text
// without its photo (the author's preview says so).
func (s *Service) PhotoTextOnly(a domain.Announcement) bool {
	if a.Photo == "" {
		return false
	}
	for _, ch := range s.cfg.Photo.TextOnly {
		if ch != a.PhotoChan {
			return true
		}
	}
	return false
}

// keptPhoto returns a's photo as kept, fetching it the first time: the
// token of its bytes, "" when there are none (no photo, no fetcher, or the
// fetch failed: the text goes anyway and the author is told, once).
// Replicas fetching at once keep one (the store keeps the first).
func (s *Service) keptPhoto(ctx context.Context, a domain.Announcement) (string, error) {
	if a.Photo == "" || s.cfg.Photo.Fetch == nil {
		return "", nil
	}
	p, ok, err := s.repo.AnnouncementPhoto(ctx, a.ID)
	if err != nil || ok {
		return kept(p), err
	}
	data, ferr := s.cfg.Photo.Fetch(ctx, a.PhotoChan, a.Photo)
	if ferr == nil && len(data) == 0 {
		ferr = errEmptyPhoto
	}
	var raw [24]byte
	_, _ = rand.Read(raw[:])
	p = domain.AnnouncementPhoto{ID: a.ID, Token: base64.RawURLEncoding.EncodeToString(raw[:]), At: s.cfg.Now()}
	if ferr == nil {
		p.Data, p.MIME = data, http.DetectContentType(data)
	} else if ctx.Err() != nil {
		return "", ctx.Err() // shutting down: the next tick tries again
	}
	if p, err = s.repo.SaveAnnouncementPhoto(ctx, p); err != nil {
		return "", err
	}
	if ferr != nil && p.Data == nil {
		s.log.Warn("announcement photo not fetched: the text goes alone", "id", a.ID, "channel", a.PhotoChan, "err", ferr)
		_, err = s.send.Notify(ctx, domain.Notice{
			Key: "annphoto:" + strconv.FormatInt(a.ID, 10), To: a.Author, Priority: domain.PriorityAlert,
			Lines: []domain.Line{domain.L("announce.photo_failed", "id", strconv.FormatInt(a.ID, 10))},
		})
		return "", err
	}
	if ferr == nil {
		s.log.Info("announcement photo kept", "id", a.ID, "bytes", len(data))
	}
	return kept(p), nil
}

// kept is p's token when it holds bytes.
func kept(p domain.AnnouncementPhoto) string {
	if p.Data == nil {
		return ""
	}
	return p.Token
}

type photoError string

func (e photoError) Error() string { return string(e) }

const errEmptyPhoto = photoError("announce: the photo is empty")

// photoFor sets n's photo for recipient to: the file id on the author's
// channel, the kept bytes' token on another that can take them.
func (s *Service) photoFor(n *domain.Notice, a domain.Announcement, token, to string) {
	if a.Photo == "" {
		return
	}
	ch, _, _ := strings.Cut(to, ":")
	switch {
	case ch == a.PhotoChan:
		n.Photos = []string{a.Photo}
	case token != "" && !slices.Contains(s.cfg.Photo.TextOnly, ch):
		n.Kept = token
	}
}
