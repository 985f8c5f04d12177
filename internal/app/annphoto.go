package app

import (
	"context"
	"errors"
	"fmt"

	"xabot/internal/chat"
	"xabot/internal/domain"
	"xabot/internal/service/announce"
	"xabot/internal/store"
)

// fetcher is an adapter that can download a photo a user sent.
type fetcher interface {
	Fetch(ctx context.Context, fileID string, limit int64) ([]byte, error)
}

// photoConfig is how announcements' photos reach the other channels: the
// adapters Serve connects fetch them (a.fetchers); without
// XABOT_PUBLIC_URL there is no URL for Zalo, which gets the text only.
func (a *App) photoConfig() announce.Photo {
	p := announce.Photo{Fetch: a.fetchPhoto}
	if a.cfg.PublicURL == "" && a.cfg.ZaloToken != "" {
		p.TextOnly = []string{string(chat.Zalo)}
	}
	return p
}

// fetchPhoto downloads a photo of channel ch through its adapter.
func (a *App) fetchPhoto(ctx context.Context, ch, fileID string) ([]byte, error) {
	f, ok := a.fetchers[chat.Channel(ch)]
	if !ok {
		return nil, fmt.Errorf("app: no %s adapter running to fetch a photo from", ch)
	}
	return f.Fetch(ctx, fileID, domain.MaxAnnouncementPhoto)
}

// keptPhotos are the announcements' kept photos as the Telegram adapter
// and the media endpoint see them.
type keptPhotos struct{ db *store.DB }

// KeptImage implements telegram.KeptImages.
func (k keptPhotos) KeptImage(ctx context.Context, token string) ([]byte, string, bool, error) {
	p, err := k.db.KeptPhoto(ctx, token)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, "", false, nil
	}
	if err != nil {
		return nil, "", false, err
	}
	return p.Data, p.FileID, true, nil
}

// RememberFileID implements telegram.KeptImages.
func (k keptPhotos) RememberFileID(ctx context.Context, token, fileID string) error {
	return k.db.RememberPhotoFileID(ctx, token, fileID)
}

// serve is the media endpoint's source (media.KeptSource).
func (k keptPhotos) serve(ctx context.Context, token string) ([]byte, string, bool, error) {
	p, err := k.db.KeptPhoto(ctx, token)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, "", false, nil
	}
	if err != nil {
		return nil, "", false, err
	}
	return p.Data, p.MIME, true, nil
}
