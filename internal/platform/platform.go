// Package platform holds what the platform clients (weibo, wechat) share: the
// classification of their failures. Each client package turns every failure of its
// platform into an *Error of one Kind, so the publishing code decides what to do
// (retry, wait, ask for re-authorisation, give up) without knowing platform codes.
package platform

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies a platform failure by what the caller should do about it.
type Kind string

const (
	// Retryable: a transient fault (network, 5xx, "system busy"); safe reads may retry.
	Retryable Kind = "retryable"
	// RateLimited: quota or rate limit reached; retry after ResumeAt.
	RateLimited Kind = "rate_limited"
	// AuthExpired: the token or credentials no longer work; ask for re-authorisation.
	AuthExpired Kind = "auth_expired"
	// Permanent: the request will never succeed as it is (content refused, permission
	// missing, account not verified…).
	Permanent Kind = "permanent"
	// Ambiguous: the request may or may not have taken effect (timeout after sending a
	// non-idempotent call). Never retried blindly.
	Ambiguous Kind = "ambiguous"
)

// Error is a classified platform failure.
type Error struct {
	Platform string // "weibo" or "wechat"
	Op       string // the API path or operation, e.g. "statuses/share"
	Kind     Kind
	// Code is the platform's own error code (errcode / error_code), 0 when none.
	Code int
	// Message is the platform's message, or a description of the transport failure.
	Message string
	// ResumeAt is when a RateLimited call may be tried again (zero if unknown).
	ResumeAt time.Time
	Err      error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s %s: %s", e.Platform, e.Op, e.Kind)
	if e.Code != 0 {
		s += fmt.Sprintf(" (code %d)", e.Code)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of err's *Error, or "" when err is not a platform error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// CodeOf returns the platform code of err's *Error, or 0.
func CodeOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}
