package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xabot/internal/channel"
)

const (
	maxAnswer      = 4 << 20 // a Bot API answer is one update or a receipt
	maxDescription = 200     // runes of an error description kept in errors and logs
)

// envelope is every Bot API answer: {"ok":true,"result":...} or
// {"ok":false,"error_code":N,"description":"..."}. "errorCode" and a
// Telegram-style parameters.retry_after are read too, in case Zalo sends them.
type envelope struct {
	Ok          *bool           `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	ErrorCodeCC int             `json:"errorCode"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// call makes one Bot API call bound to ctx and decodes its result into out
// (nil: ignore it). Its error is a *channel.Error (see classify) around an
// *apiError (an API answer) or a *netError (transport), and never carries
// the token.
func (b *Bot) call(ctx context.Context, method string, params, out any) error {
	if err := b.exchange(ctx, method, params, out); err != nil {
		return classify(err)
	}
	return nil
}

// exchange is call's request and answer. The body is read whatever the
// HTTP status: whether Zalo sends its errors with status 200 or with the
// error code as status is not documented.
func (b *Bot) exchange(ctx context.Context, method string, params, out any) error {
	body := []byte("{}")
	if params != nil {
		var err error
		if body, err = json.Marshal(params); err != nil {
			return fmt.Errorf("%s: encode: %w", method, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base+"/bot"+b.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return b.netErr(method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := b.hc.Do(req)
	if err != nil {
		return b.netErr(method, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return b.netErr(method, err)
	}
	var env envelope
	if json.Unmarshal(raw, &env) != nil || env.Ok == nil {
		// A proxy's HTML page or an empty body: keep the status, never the
		// body (it may echo the request, which carries user text).
		if resp.StatusCode >= 300 {
			return &apiError{Method: method, Code: resp.StatusCode,
				Description: "HTTP " + resp.Status + " (not a Bot API answer)", Wait: retryHeader(resp)}
		}
		return &netError{method: method, msg: fmt.Sprintf("undecodable answer (HTTP %d)", resp.StatusCode)}
	}
	if !*env.Ok {
		code := env.ErrorCode
		if code == 0 {
			code = env.ErrorCodeCC
		}
		if code == 0 && resp.StatusCode >= 300 {
			code = resp.StatusCode
		}
		wait := time.Duration(env.Parameters.RetryAfter) * time.Second
		if wait <= 0 {
			wait = retryHeader(resp)
		}
		return &apiError{Method: method, Code: code, Description: b.clean(env.Description), Wait: wait}
	}
	if out == nil || len(env.Result) == 0 || string(env.Result) == "null" {
		return nil
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		return &netError{method: method, msg: "decode result: " + b.clean(err.Error())}
	}
	return nil
}

// clean makes a server-supplied string safe for errors and logs: valid
// UTF-8, no token, bounded length.
func (b *Bot) clean(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), b.token, "<token>")
	if utf8.RuneCountInString(s) > maxDescription {
		s = string([]rune(s)[:maxDescription]) + "…"
	}
	return s
}

// retryHeader reads a Retry-After header given in seconds.
func retryHeader(resp *http.Response) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After")))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

// apiError is a Bot API error answer (or an HTTP error status without one).
type apiError struct {
	Method      string
	Code        int
	Description string
	Wait        time.Duration // what a 429 asked to wait; 0 when it did not say
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s: %d %s", e.Method, e.Code, e.Description)
}

// netError is a failure to get an answer: connection refused, timeout,
// cancelled, undecodable. The request URL (which holds the token) is never
// part of it: *url.Error is unwrapped first.
type netError struct {
	method string
	msg    string
	cause  error
}

func (e *netError) Error() string { return e.method + ": " + e.msg }
func (e *netError) Unwrap() error { return e.cause }

func (b *Bot) netErr(method string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	if !strings.Contains(msg, b.token) {
		return &netError{method: method, msg: msg, cause: err}
	}
	// Keep only what callers test for, so the token cannot leak by Unwrap.
	ne := &netError{method: method, msg: strings.ReplaceAll(msg, b.token, "<token>")}
	switch {
	case errors.Is(err, context.Canceled):
		ne.cause = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		ne.cause = context.DeadlineExceeded
	}
	return ne
}

// classify sorts an error of exchange into the shared classes. Only 408
// (poll timeout) and the error envelope are documented; the other codes
// follow the Telegram Bot API, which Zalo's API copies in shape
// (channel.ByStatus; see zalofake/README.md). Assumed: a 4xx whose
// description names an invalid or expired token refuses the token, and
// one that says "block" is the user's doing, whatever its code (Zalo
// documents none for it). Anything that is not an answer is Transient.
func classify(err error) *channel.Error {
	var ae *apiError
	if !errors.As(err, &ae) {
		return channel.Fail(channel.Transient, 0, err)
	}
	d := strings.ToLower(ae.Description)
	c := channel.ByStatus(ae.Code)
	switch {
	case ae.Code == http.StatusRequestTimeout:
		c = channel.Timeout
	case c != channel.Permanent:
	case strings.Contains(d, "token") && (strings.Contains(d, "invalid") || strings.Contains(d, "expired")):
		c = channel.TokenRejected
	case strings.Contains(d, "block"):
		c = channel.ContactStopped
	case strings.Contains(d, "too long"):
		c = channel.TooLong
	}
	return channel.Fail(c, ae.Wait, ae)
}

// flexString reads a JSON string or number: the docs show ids as strings,
// but an id sent as a number must not fail the whole update.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

// flexInt reads a JSON number or a string holding one; anything else is 0.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		*f = 0
		return nil
	}
	*f = flexInt(n)
	return nil
}
