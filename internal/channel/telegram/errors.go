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

	"xabot/internal/channel"
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

func (e *apiError) Error() string {
	return fmt.Sprintf("%s: %d %s", e.Method, e.Code, e.Description)
}

// apiErr converts a library error into a classified one: an API answer is
// sorted by classify, anything else (connection refused, timeout, JSON
// syntax error from a non-Telegram body) is Transient, with the token
// redacted. The library returns *tgbotapi.Error (pointer) from
// MakeRequest; the value form is accepted too in case that ever changes.
func (b *Bot) apiErr(method string, err error) error {
	var pe *tgbotapi.Error
	var ve tgbotapi.Error
	switch {
	case errors.As(err, &pe):
		return classify(newAPIError(method, *pe, b.token))
	case errors.As(err, &ve):
		return classify(newAPIError(method, ve, b.token))
	}
	return channel.Fail(channel.Transient, 0, redact(err, b.token))
}

func newAPIError(method string, e tgbotapi.Error, token string) *apiError {
	return &apiError{
		Method:      method,
		Code:        e.Code,
		Description: strings.ReplaceAll(e.Message, token, "<token>"),
		Wait:        time.Duration(e.RetryAfter) * time.Second,
	}
}

// classify sorts a Bot API answer into the shared classes: by status
// (channel.ByStatus), but 404 is a bad token (Telegram answers it for
// unknown tokens), and a 400 "chat not found" is a chat gone, as
// pointless to send to again as one that blocked the bot.
func classify(ae *apiError) *channel.Error {
	c := channel.ByStatus(ae.Code)
	d := strings.ToLower(ae.Description)
	switch {
	case ae.Code == http.StatusNotFound:
		c = channel.TokenRejected
	case c == channel.Permanent && strings.Contains(d, "chat not found"):
		c = channel.ContactStopped
	case c == channel.Permanent && strings.Contains(d, "message is too long"):
		c = channel.TooLong
	}
	return channel.Fail(c, ae.Wait, ae)
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
