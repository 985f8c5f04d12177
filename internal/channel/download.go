package channel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// DownloadTimeout bounds one file download (a photo of a few MB on a slow
// link).
const DownloadTimeout = 60 * time.Second

// ErrTooLarge is a download over its limit.
var ErrTooLarge = errors.New("channel: file over the size limit")

// Download GETs url with hc, within DownloadTimeout, and returns at most
// limit bytes (more is ErrTooLarge, told by Content-Length or by reading
// one byte past it). Errors never carry url: it may hold a token.
func Download(ctx context.Context, hc *http.Client, url string, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, DownloadTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, errors.New("channel: download: bad URL")
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("channel: download: %w", ctx.Err())
		}
		return nil, errors.New("channel: download: the request failed")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("channel: download: HTTP %d", resp.StatusCode)
	}
	if resp.ContentLength > limit {
		return nil, ErrTooLarge
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	switch {
	case err != nil:
		return nil, errors.New("channel: download: reading the body failed")
	case int64(len(data)) > limit:
		return nil, ErrTooLarge
	}
	return data, nil
}
