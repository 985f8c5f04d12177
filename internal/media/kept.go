package media

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
)

// KeptPath is where the images the bot keeps in its database (an
// announcement's photo, for Zalo) are served; a token follows it. Unlike
// Store's, they survive a restart and every replica serves them.
const KeptPath = "/media/k/"

// KeptSource finds the image kept under token: false when there is none
// (unknown, or past its retention).
type KeptSource func(ctx context.Context, token string) (data []byte, mime string, ok bool, err error)

// keptToken is how long a kept image's token is: 24 random bytes in
// unpadded base64url (the announce service makes them).
const keptToken = 32

// KeptURL is the public URL of the image kept under token, base being
// XABOT_PUBLIC_URL; ".jpg" is for platforms that look at it (the type is
// in the answer's header).
func KeptURL(base, token string) string {
	return strings.TrimRight(base, "/") + KeptPath + token + ".jpg"
}

// Kept serves GET KeptPath+token[.ext] from src. Anything but a kept image
// is a plain 404, the same whether the token is malformed, unknown or
// past its retention, so the answer tells a guesser nothing; a storage
// error is a 500, logged without the token.
func Kept(src KeptSource, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := strings.TrimPrefix(r.URL.Path, KeptPath)
		if i := strings.IndexByte(token, '.'); i >= 0 {
			token = token[:i]
		}
		if !wellFormed(token) {
			http.NotFound(w, r)
			return
		}
		data, mime, ok, err := src(r.Context(), token)
		if err != nil {
			log.Warn("media: kept image", "err", err)
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		if mime == "" {
			mime = http.DetectContentType(data)
		}
		w.Header().Set("Content-Type", mime)
		w.Header().Set("Cache-Control", "private, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(data)
	})
}

// wellFormed: keptToken characters of the base64url alphabet.
func wellFormed(token string) bool {
	if len(token) != keptToken {
		return false
	}
	for _, c := range token {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}
