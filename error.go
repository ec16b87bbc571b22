// Package passerelle holds the domain of Passerelle: the types an agency works with
// (organizations, institutions, accounts, users and their roles), the rules that keep
// them valid, and the one error type every layer speaks. It does no I/O and imports
// nothing from internal/.
package passerelle

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in internal/server; only EINTERNAL is
// logged as an error.
const (
	EINVALID         = "invalid"
	ENOTFOUND        = "not_found"
	ECONFLICT        = "conflict"
	EFORBIDDEN       = "forbidden"
	EUNAUTHENTICATED = "unauthenticated"
	ERATELIMITED     = "rate_limited"
	EUNAVAILABLE     = "unavailable"
	ETOOLARGE        = "too_large"
	EUNSUPPORTED     = "unsupported"
	EINTERNAL        = "internal"
)

// Error is the error type of the domain. Message is safe to show to the user; Fields
// names the invalid inputs (field name → message) for EINVALID.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	// Err is the underlying cause, never shown to users.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted, user-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other
// non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns the per-field messages of an EINVALID error.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Sentinel errors the store returns once driver errors are interpreted.
var (
	ErrNotFound = &Error{Code: ENOTFOUND, Message: "Not found."}
	ErrConflict = &Error{Code: ECONFLICT, Message: "Conflicts with existing data."}
	// ErrForbidden: the user sees the object but their role does not allow the action.
	ErrForbidden = &Error{Code: EFORBIDDEN, Message: "Your role does not allow this."}
)

// FieldErrors collects per-field validation messages.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns nil when there are no messages, else an EINVALID *Error.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "Some fields are invalid.", Fields: f}
}
