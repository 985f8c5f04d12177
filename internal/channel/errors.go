package channel

import (
	"errors"
	"time"

	"xabot/internal/chat"
)

// Class is what a failed call to a platform means to whoever made it. Each
// adapter sorts its platform's answers into these (its classify); the poll
// loops, the start-up retries and the callers of Send act on the class only.
type Class int

const (
	// Transient: the network, a 5xx, an answer that is not the API's. The
	// same call may succeed later.
	Transient Class = iota
	// Permanent: the platform refused the request itself (a 4xx). The same
	// call is refused again.
	Permanent
	// TooLong: a Permanent refusal of a text over the platform's limit.
	TooLong
	// Throttled: a 429; Error.Wait says how long the platform asked to wait.
	Throttled
	// ContactStopped: the person blocked the bot or the chat is gone;
	// sending there is pointless until they write again.
	ContactStopped
	// TokenRejected: the platform does not know the bot's token.
	TokenRejected
	// Conflict: a webhook is set, or another process polls (409).
	Conflict
	// Timeout: the platform ended the call without an answer (408; for
	// Zalo's getUpdates, a long poll that found no update).
	Timeout
)

var classNames = [...]string{"transient", "permanent", "too_long", "throttled", "contact_stopped", "token_rejected", "conflict", "timeout"}

func (c Class) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return "unknown"
	}
	return classNames[c]
}

// Retryable says whether the same call is worth making again after a wait.
func (c Class) Retryable() bool { return c == Transient || c == Throttled || c == Timeout }

// The classes as values for errors.Is. ErrContactStopped and ErrPermanent
// are chat.ErrBlocked and chat.ErrRejected themselves: the router and the
// outbox, which know no adapter, test for those.
var (
	ErrTransient      = errors.New("channel: transient failure")
	ErrPermanent      = chat.ErrRejected
	ErrTooLong        = errors.New("channel: text over the platform's limit")
	ErrThrottled      = errors.New("channel: throttled by the platform")
	ErrContactStopped = chat.ErrBlocked
	ErrTokenRejected  = errors.New("channel: token rejected")
	ErrConflict       = errors.New("channel: conflict (webhook set, or another poller)")
	ErrTimeout        = errors.New("channel: the platform timed out")
)

var classErrs = [...]error{ErrTransient, ErrPermanent, ErrTooLong, ErrThrottled, ErrContactStopped, ErrTokenRejected, ErrConflict, ErrTimeout}

// Error is a failed platform call with its class. Err is the adapter's own
// error (the API's answer or the transport's failure, without the token),
// whose text Error shows unchanged.
type Error struct {
	Class Class
	Wait  time.Duration // Throttled: how long to wait, at least a second
	Err   error
}

// Fail classifies err as c; a Throttled wait the platform did not give is
// a second (pace.FloodWait's rule, so every caller waits the same).
func Fail(c Class, wait time.Duration, err error) *Error {
	if c != Throttled {
		wait = 0
	} else if wait <= 0 {
		wait = time.Second
	}
	return &Error{Class: c, Wait: wait, Err: err}
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Is matches the class's value; TooLong is also Permanent.
func (e *Error) Is(target error) bool {
	if target == classErrs[e.Class] {
		return true
	}
	return e.Class == TooLong && target == ErrPermanent
}

// RetryAfter is how long the platform asked to wait: Wait for Throttled, 0
// otherwise. The outbox and chat.FloodWait read it by this method.
func (e *Error) RetryAfter() time.Duration {
	if e.Class != Throttled {
		return 0
	}
	return e.Wait
}

// ClassOf is err's class: Transient for an error no adapter classified
// (a cancelled context, an encoding failure).
func ClassOf(err error) Class {
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return Transient
}

// ByStatus is the class of an HTTP-like status as Telegram's Bot API, and
// Zalo's copy of it, use them; an adapter checks its own exceptions first.
func ByStatus(code int) Class {
	switch {
	case code == 429:
		return Throttled
	case code == 403:
		return ContactStopped
	case code == 401:
		return TokenRejected
	case code == 409:
		return Conflict
	case code >= 400 && code < 500:
		return Permanent
	}
	return Transient // 5xx, or an answer without a usable code
}
