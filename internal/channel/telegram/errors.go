package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"xabot/internal/channel/pace"
)

// httpDoer is the HTTP client handed to the library. It attaches a context
// the library cannot take, strips the token from transport errors (the
// library returns *url.Error as is, and its URL is ".../bot<token>/method"),
// and turns non-Telegram error bodies into Telegram's shape so the status is
// not lost: the library only reads the JSON body, never the HTTP status, and
// our e2e emulator answers unsupported methods with HTTP 500 {"message":...}.
type httpDoer struct {
	ctx   context.Context
	hc    *http.Client
	token string
}

func (d httpDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.hc.Do(req.WithContext(d.ctx))
	if err != nil {
		return nil, redact(err, d.token)
	}
	if resp.StatusCode >= 300 {
		normalizeErrorBody(resp)
	}
	return resp, nil
}

const maxErrorBody = 64 << 10

// normalizeErrorBody keeps a Telegram error body and replaces anything else
// (HTML from a proxy, an emulator's {"message":...}) with
// {"ok":false,"error_code":<status>}. It never copies the foreign body: it
// may echo the request, which carries user text.
func normalizeErrorBody(resp *http.Response) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	var tg struct {
		Ok        *bool `json:"ok"`
		ErrorCode int   `json:"error_code"`
	}
	if err == nil && json.Unmarshal(body, &tg) == nil && tg.Ok != nil && (*tg.Ok || tg.ErrorCode != 0) {
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return
	}
	body, _ = json.Marshal(map[string]any{
		"ok":          false,
		"error_code":  resp.StatusCode,
		"description": "HTTP " + resp.Status + " (not a Bot API answer)",
	})
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
}

// apiError is a Bot API error answer, copied out of tgbotapi.Error so that
// no library type leaves the package.
type apiError struct {
	Method      string
	Code        int
	Description string
	Wait        time.Duration // retry_after of a 429
}

// RetryAfter tells the caller how long Telegram asked to wait: a 429's
// retry_after, a second when it gave none; 0 for any other answer.
func (e *apiError) RetryAfter() time.Duration { return pace.FloodWait(e.Code, e.Wait) }

func (e *apiError) Error() string {
	return fmt.Sprintf("%s: %d %s", e.Method, e.Code, e.Description)
}

// apiErr converts a library error: API answers become *apiError, transport
// errors are redacted. The library returns *tgbotapi.Error (pointer) from
// MakeRequest; the value form is accepted too in case that ever changes.
func (b *Bot) apiErr(method string, err error) error {
	var pe *tgbotapi.Error
	var ve tgbotapi.Error
	switch {
	case errors.As(err, &pe):
		return newAPIError(method, *pe, b.token)
	case errors.As(err, &ve):
		return newAPIError(method, ve, b.token)
	}
	return redact(err, b.token)
}

func newAPIError(method string, e tgbotapi.Error, token string) *apiError {
	return &apiError{
		Method:      method,
		Code:        e.Code,
		Description: strings.ReplaceAll(e.Message, token, "<token>"),
		Wait:        time.Duration(e.RetryAfter) * time.Second,
	}
}

// class is what the caller should do about a failed call.
type class int

const (
	classTransient class = iota // network, 5xx, undecodable answer: retry with backoff
	classPermanent              // 400 and other 4xx: the request is wrong, do not retry
	classFlood                  // 429: wait retry_after
	classBlocked                // 403: blocked by the user, deactivated, kicked
	classAuth                   // 401, 404: bad token (Telegram answers 404 for unknown tokens)
	classConflict               // 409: a webhook is set or another instance polls
)

// classify sorts an error from request. Anything that is not an API answer
// (connection refused, timeout, JSON syntax error from a non-Telegram body)
// is transient.
func classify(err error) (class, time.Duration) {
	var ae *apiError
	if !errors.As(err, &ae) {
		return classTransient, 0
	}
	switch c := ae.Code; {
	case c == http.StatusTooManyRequests:
		return classFlood, ae.RetryAfter()
	case c == http.StatusForbidden:
		return classBlocked, 0
	case c == http.StatusUnauthorized || c == http.StatusNotFound:
		return classAuth, 0
	case c == http.StatusConflict:
		return classConflict, 0
	case c >= 400 && c < 500:
		return classPermanent, 0
	}
	return classTransient, 0 // 5xx, or an answer without a code
}

// redact removes the token from an error. *url.Error is fixed in place (it
// was made for this one call); any other message containing the token is
// replaced by a copy that exposes only the context error underneath.
func redact(err error, token string) error {
	if err == nil || token == "" {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = strings.ReplaceAll(ue.URL, token, "<token>")
	}
	msg := err.Error()
	if !strings.Contains(msg, token) {
		return err
	}
	r := redactedError{msg: strings.ReplaceAll(msg, token, "<token>")}
	switch {
	case errors.Is(err, context.Canceled):
		r.cause = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		r.cause = context.DeadlineExceeded
	}
	return r
}

type redactedError struct {
	msg   string
	cause error
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.cause }
