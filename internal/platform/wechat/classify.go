package wechat

import (
	"errors"
	"regexp"
	"time"

	"github.com/passerelle-oss/passerelle/internal/i18n"
	"github.com/passerelle-oss/passerelle/internal/platform"
)

// WeChat errcodes Passerelle acts on. The full list is WeChat's; these are the ones
// that change what the caller does.
const (
	CodeBusy               = -1
	CodeInvalidCredential  = 40001 // token invalid, or (on stable_token) AppSecret wrong
	CodeInvalidAppID       = 40013
	CodeInvalidToken       = 40014
	CodeInvalidMediaID     = 40007
	CodeInvalidAppSecret   = 40125
	CodeIPNotWhitelisted   = 40164
	CodeTokenExpired       = 42001
	CodeUnauthorized       = 48001 // API not granted: account not verified
	CodeAPIForbidden       = 48004
	CodeDailyQuota         = 45009
	CodeMinuteQuota        = 45011
	CodeMassSendQuota      = 45028
	CodeForceRefreshLimit  = 45033 // force_refresh too often (reported by stable_token)
	CodeDuplicateClientMsg = 45065 // mass send: clientmsgid already used
	CodeInvalidArticleID   = 53600
)

// tokenCodes are the answers that mean "this access_token is no good": refresh, retry once.
func isTokenCode(code int) bool {
	return code == CodeInvalidCredential || code == CodeInvalidToken || code == CodeTokenExpired
}

// beijing is China Standard Time; China has no daylight saving, so a fixed zone is exact
// and needs no tzdata.
var beijing = time.FixedZone("CST", 8*60*60)

// nextBeijingMidnight is when WeChat's daily quotas reset.
func nextBeijingMidnight(now time.Time) time.Time {
	t := now.In(beijing)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, beijing)
}

// classify turns a non-zero errcode into a platform error.
func classify(op string, code int, msg string, now time.Time) *platform.Error {
	e := &platform.Error{Platform: "wechat", Op: op, Code: code, Message: msg, Kind: platform.Permanent}
	switch code {
	case CodeBusy:
		e.Kind = platform.Retryable
	case CodeDailyQuota, CodeMassSendQuota:
		e.Kind = platform.RateLimited
		e.ResumeAt = nextBeijingMidnight(now)
	case CodeMinuteQuota:
		e.Kind = platform.RateLimited
		e.ResumeAt = now.Add(time.Minute)
	case CodeForceRefreshLimit:
		e.Kind = platform.RateLimited
		e.ResumeAt = now.Add(30 * time.Second)
	case CodeInvalidCredential, CodeInvalidToken, CodeTokenExpired:
		e.Kind = platform.AuthExpired
	}
	return e
}

// Diagnosis is a plain-language explanation of a failure for the "Test connection" button.
type Diagnosis struct {
	// Key names the situation for code that branches on it: "ip_whitelist",
	// "not_verified", "credentials", "unreachable", "rate_limited", "busy", "other", or
	// "ok" for a nil error.
	Key string
	// Message is the explanation in the requested language.
	Message string
	// AssistedOnly is set when publishing must fall back to assisted mode.
	AssistedOnly bool
}

var ipInMessage = regexp.MustCompile(`\b(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:]+)\b`)

// Diagnose explains err in lang ("fr", "en" or "zh-Hans"; anything else gives English).
func Diagnose(err error, lang string) Diagnosis {
	if err == nil {
		return Diagnosis{Key: "ok", Message: diag(lang, "ok", nil)}
	}
	var pe *platform.Error
	if !errors.As(err, &pe) {
		return Diagnosis{Key: "other", Message: diag(lang, "other", nil)}
	}
	switch {
	case pe.Code == CodeIPNotWhitelisted:
		ip := ipInMessage.FindString(pe.Message)
		msg := diag(lang, "ip", nil)
		if ip != "" {
			msg += " " + diag(lang, "ip_seen", map[string]string{"ip": ip})
		}
		return Diagnosis{Key: "ip_whitelist", Message: msg}
	case pe.Code == CodeUnauthorized || pe.Code == CodeAPIForbidden:
		return Diagnosis{Key: "not_verified", Message: diag(lang, "unverified", nil), AssistedOnly: true}
	case pe.Code == CodeInvalidCredential || pe.Code == CodeInvalidAppSecret ||
		pe.Code == CodeInvalidAppID || pe.Kind == platform.AuthExpired:
		return Diagnosis{Key: "credentials", Message: diag(lang, "credentials", nil)}
	case pe.Kind == platform.RateLimited:
		return Diagnosis{Key: "rate_limited", Message: diag(lang, "rate", nil)}
	case pe.Code == CodeBusy:
		return Diagnosis{Key: "busy", Message: diag(lang, "busy", nil)}
	case pe.Code == 0 && (pe.Kind == platform.Retryable || pe.Kind == platform.Ambiguous):
		return Diagnosis{Key: "unreachable", Message: diag(lang, "unreachable", nil)}
	}
	return Diagnosis{Key: "other", Message: diag(lang, "other", nil)}
}

// diag returns the catalog message "wechat.diag."+key (internal/i18n) in lang.
func diag(lang, key string, params map[string]string) string {
	return i18n.Shared().Localizer(lang).Fill("wechat.diag."+key, params)
}
