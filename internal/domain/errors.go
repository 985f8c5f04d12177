package domain

import "errors"

// Error classes. Callers test them with errors.Is; one place in the bot turns
// each into a message in the user's language.
var (
	ErrNotFound    = errors.New("not found")
	ErrForbidden   = errors.New("forbidden")
	ErrRateLimited = errors.New("rate limited")
	ErrConflict    = errors.New("conflict")
)

// InvalidError reports bad input from a person. Key is the locale key of the
// message that explains it; Args fill its placeholders.
type InvalidError struct {
	Key  string
	Args map[string]string
}

func (e *InvalidError) Error() string { return "invalid input: " + e.Key }

// Invalid returns an *InvalidError for key with args given as name, value pairs.
func Invalid(key string, kv ...string) *InvalidError {
	e := &InvalidError{Key: key}
	if len(kv) > 1 {
		e.Args = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			e.Args[kv[i]] = kv[i+1]
		}
	}
	return e
}
