package weibo

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle/internal/platform"
)

// Weibo error codes the client acts on (https://open.weibo.com/wiki/Error_code).
const (
	CodeSystemError        = 10001 // system error
	CodeServiceUnavailable = 10002 // service unavailable
	CodeRemoteServiceError = 10003 // remote service error
	CodeSystemBusy         = 10009 // too many pending tasks, system is busy
	CodeJobExpired         = 10010 // job expired
	CodeRPCError           = 10011 // RPC error
	CodeAppPermission      = 10014 // insufficient app permissions (statuses/update, upload…)
	CodeParamInvalid       = 10017 // parameter value invalid (e.g. URL not on the safe domain)
	CodeIPRateLimit        = 10022 // IP requests out of rate limit
	CodeUserRateLimit      = 10023 // user requests out of rate limit
	CodeAPIRateLimit       = 10024 // user requests for this API out of rate limit
	CodePostTooOften       = 20016 // posting too often
	CodeRepeated           = 20017 // repeated content
	CodeRepeatContent      = 20019 // repeated content
	CodeAuthFailed         = 21301 // auth failed
	CodeTokenUsed          = 21314 // token used
	CodeTokenExpired       = 21315 // token expired
	CodeTokenRevoked       = 21316 // token revoked
	CodeTokenRejected      = 21317 // token rejected
	CodeAccessorRevoked    = 21319 // accessor was revoked
	CodeInvalidGrant       = 21325 // invalid authorization code
	CodeExpiredToken       = 21327 // expired token
	CodeInvalidToken       = 21332 // invalid access token
)

// classify maps a Weibo error code to what the caller should do.
func classify(code int) platform.Kind {
	switch code {
	case CodeSystemError, CodeServiceUnavailable, CodeRemoteServiceError, CodeSystemBusy,
		CodeJobExpired, CodeRPCError:
		return platform.Retryable
	case CodeIPRateLimit, CodeUserRateLimit, CodeAPIRateLimit, CodePostTooOften:
		return platform.RateLimited
	case CodeAuthFailed, CodeTokenUsed, CodeTokenExpired, CodeTokenRevoked, CodeTokenRejected,
		CodeAccessorRevoked, CodeExpiredToken, CodeInvalidToken:
		return platform.AuthExpired
	default:
		// 20017/20019 duplicates, 10014 permission, 10017 invalid value and anything
		// unknown: retrying the same request cannot help.
		return platform.Permanent
	}
}

// nextHour is when Weibo's hourly quotas reset: the top of the next hour.
func nextHour(now time.Time) time.Time {
	return now.Truncate(time.Hour).Add(time.Hour)
}

func (c *Client) apiError(op string, code int, msg string) *platform.Error {
	e := &platform.Error{Platform: "weibo", Op: op, Kind: classify(code), Code: code, Message: msg}
	if e.Kind == platform.RateLimited {
		e.ResumeAt = nextHour(c.now())
		if code == CodePostTooOften {
			// "Posting too often" is about the gap between two posts, not the hourly
			// quota: try again a minute later.
			e.ResumeAt = c.now().Add(time.Minute)
		}
	}
	return e
}

func newError(op string, kind platform.Kind, msg string, err error) *platform.Error {
	return &platform.Error{Platform: "weibo", Op: op, Kind: kind, Message: msg, Err: err}
}

// transportError classifies a failure to get a response. A request that certainly never
// left (dial refused, DNS) is retryable; otherwise a non-idempotent call is ambiguous.
func transportError(op string, idempotent bool, err error) *platform.Error {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return newError(op, platform.Retryable, "cannot connect", err)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return newError(op, platform.Retryable, "cannot resolve host", err)
	}
	if !idempotent {
		return newError(op, platform.Ambiguous, "no response; the call may have taken effect", err)
	}
	return newError(op, platform.Retryable, "no response", err)
}

// statusError classifies a response that carries no Weibo error body.
func statusError(op string, idempotent bool, status int, body []byte) *platform.Error {
	snippet := strings.TrimSpace(string(body))
	if len(snippet) > 120 {
		snippet = snippet[:120] + "…"
	}
	msg := fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
	switch {
	case status == http.StatusTooManyRequests:
		return newError(op, platform.RateLimited, msg, nil)
	case status >= 500 && !idempotent:
		// A gateway error says nothing about whether the post went out.
		return newError(op, platform.Ambiguous, msg, nil)
	case status >= 500:
		return newError(op, platform.Retryable, msg, nil)
	default:
		return newError(op, platform.Permanent, msg+": "+snippet, nil)
	}
}
