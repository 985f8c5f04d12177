package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"xabot/internal/channel"
)

// KeptImages are the images the bot keeps in its database
// (chat.Image.Kept, an announcement's photo): their bytes, and the file id
// Telegram gave their first upload; *store.DB behind a small adapter.
type KeptImages interface {
	// KeptImage returns token's bytes and the file id remembered for it
	// ("" before the first upload); false when it is not kept (any more).
	KeptImage(ctx context.Context, token string) (data []byte, fileID string, ok bool, err error)
	// RememberFileID records the file id of token's first upload.
	RememberFileID(ctx context.Context, token, fileID string) error
}

// Fetch downloads the file fileID (a photo a user sent) with getFile and
// the file URL, at most limit bytes, within channel.DownloadTimeout.
// Errors never carry the token (the file URL holds it).
func (b *Bot) Fetch(ctx context.Context, fileID string, limit int64) ([]byte, error) {
	if b.fileEndpoint == "" {
		return nil, errors.New("telegram: fetch: the API endpoint has no /bot%s/%s to derive the file URL from")
	}
	rctx, cancel := context.WithTimeout(ctx, sendTimeout)
	resp, err := b.request(rctx, "getFile", tgbotapi.FileConfig{FileID: fileID})
	cancel()
	if err != nil {
		return nil, fmt.Errorf("telegram: fetch: %w", err)
	}
	var f tgbotapi.File
	if err := json.Unmarshal(resp.Result, &f); err != nil || f.FilePath == "" {
		return nil, errors.New("telegram: fetch: getFile gave no file_path")
	}
	if int64(f.FileSize) > limit {
		return nil, channel.ErrTooLarge
	}
	data, err := channel.Download(ctx, b.hc, fmt.Sprintf(b.fileEndpoint, b.token, f.FilePath), limit)
	if err != nil {
		return nil, fmt.Errorf("telegram: fetch: %w", err)
	}
	return data, nil
}

// fileEndpoint is the file download URL pattern beside the API endpoint
// pattern ("…/bot%s/%s" → "…/file/bot%s/%s"), "" when it has no such part.
func fileEndpoint(api string) string {
	const part = "/bot%s/%s"
	if !strings.HasSuffix(api, part) {
		return ""
	}
	return strings.TrimSuffix(api, part) + "/file" + part
}

// keptFile is the file to send for the kept image token: the file id its
// first upload gave, else its bytes. For an upload it returns with the
// bot's kept lock held, and done (to call with the send's answer)
// remembers the file id and releases it: the other sends of the same photo
// wait for that upload and then send its file id, so 10,000 recipients
// mean one upload (per process). ok is false when the image is not kept.
func (b *Bot) keptFile(ctx context.Context, token string) (file tgbotapi.RequestFileData, done func(*tgbotapi.APIResponse), ok bool, err error) {
	nop := func(*tgbotapi.APIResponse) {}
	if b.kept == nil {
		return nil, nop, false, nil
	}
	b.keptMu.Lock()
	if id := b.keptIDs[token]; id != "" {
		b.keptMu.Unlock()
		return tgbotapi.FileID(id), nop, true, nil
	}
	data, id, ok, err := b.kept.KeptImage(ctx, token)
	switch {
	case err != nil || !ok:
		b.keptMu.Unlock()
		return nil, nop, ok, err
	case id != "":
		b.keptIDs[token] = id
		b.keptMu.Unlock()
		return tgbotapi.FileID(id), nop, true, nil
	}
	done = func(resp *tgbotapi.APIResponse) {
		defer b.keptMu.Unlock()
		id := photoFileID(resp)
		if id == "" {
			return
		}
		b.keptIDs[token] = id
		if err := b.kept.RememberFileID(ctx, token, id); err != nil {
			b.log.Warn("telegram: kept photo's file id not remembered", "err", err)
		}
		b.log.Info("telegram: kept photo uploaded", "bytes", len(data))
	}
	return tgbotapi.FileBytes{Name: "photo" + extOf(data), Bytes: data}, done, true, nil
}

// photoFileID is the largest size's file id in a sendPhoto answer.
func photoFileID(resp *tgbotapi.APIResponse) string {
	if resp == nil {
		return ""
	}
	var m struct {
		Photo []struct {
			FileID string `json:"file_id"`
		} `json:"photo"`
	}
	if json.Unmarshal(resp.Result, &m) != nil || len(m.Photo) == 0 {
		return ""
	}
	return m.Photo[len(m.Photo)-1].FileID
}

// extOf names an upload by its bytes: Telegram looks at the extension.
func extOf(data []byte) string {
	if len(data) > 8 && string(data[:8]) == "\x89PNG\r\n\x1a\n" {
		return ".png"
	}
	return ".jpg"
}
