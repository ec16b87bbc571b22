package desk

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// beijing is the zone of WeChat's audience days and of the rules' active hours.
var beijing = time.FixedZone("Asia/Shanghai", 8*3600)

// Rule limits.
const (
	maxKeywords     = 20
	maxKeywordChars = 30 // WeChat's own keyword limit
)

// Match modes.
const (
	MatchExact    = "exact"
	MatchContains = "contains"
)

// RuleInput is a new reply rule as the API and the UI send it.
type RuleInput struct {
	Keywords   []string `json:"keywords"`
	Match      string   `json:"match"`
	Text       string   `json:"text"`
	Priority   int      `json:"priority"`
	ActiveFrom string   `json:"active_from"`
	ActiveTo   string   `json:"active_to"`
	Default    bool     `json:"default"`
}

// validText refuses control characters other than newlines and tabs, and invalid UTF-8.
func validText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return false
		}
	}
	return true
}

// CheckReplyText checks a text sent to a follower (passive reply, customer-service
// message) against WeChat's limit.
func CheckReplyText(field, s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return fieldErr(field, "Write the text.")
	case len(s) > wechat.MaxReplyBytes:
		return fieldErr(field, fmt.Sprintf("WeChat takes at most %d bytes (about %d Chinese characters).", wechat.MaxReplyBytes, wechat.MaxReplyBytes/3))
	case !validText(s):
		return fieldErr(field, "Plain text only: no control characters.")
	}
	return nil
}

func parseClock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// rule builds a validated store rule.
func (in *RuleInput) rule(accountID int64) (*store.ReplyRule, error) {
	f := passerelle.FieldErrors{}
	r := &store.ReplyRule{AccountID: accountID, Match: in.Match, Text: in.Text, Priority: in.Priority,
		ActiveFrom: in.ActiveFrom, ActiveTo: in.ActiveTo, Default: in.Default, Keywords: []string{}}
	if r.Match == "" {
		r.Match = MatchContains
	}
	if r.Match != MatchExact && r.Match != MatchContains {
		f.Add("match", "Use exact or contains.")
	}
	if !in.Default && len(in.Keywords) == 0 {
		f.Add("keywords", "Give at least one keyword (or make it the default reply).")
	}
	if len(in.Keywords) > maxKeywords {
		f.Add("keywords", fmt.Sprintf("At most %d keywords.", maxKeywords))
	}
	seen := map[string]bool{}
	for _, k := range in.Keywords {
		k = strings.TrimSpace(k)
		switch {
		case k == "" || utf8.RuneCountInString(k) > maxKeywordChars || !validText(k):
			f.Add("keywords", fmt.Sprintf("Each keyword has 1 to %d characters of plain text.", maxKeywordChars))
		case !seen[strings.ToLower(k)]:
			seen[strings.ToLower(k)] = true
			r.Keywords = append(r.Keywords, k)
		}
	}
	if err := CheckReplyText("text", in.Text); err != nil {
		for k, v := range passerelle.ErrorFields(err) {
			f.Add(k, v)
		}
	}
	if in.Priority < 0 || in.Priority > 1000 {
		f.Add("priority", "Use a number from 0 to 1000 (0 is tried first).")
	}
	if (in.ActiveFrom == "") != (in.ActiveTo == "") {
		f.Add("active_from", "Give both ends of the active hours, or neither.")
	}
	for name, v := range map[string]string{"active_from": in.ActiveFrom, "active_to": in.ActiveTo} {
		if _, ok := parseClock(v); v != "" && !ok {
			f.Add(name, "Use HH:MM (Beijing time).")
		}
	}
	return r, f.Err()
}

// compiled is a rule ready for matching.
type compiled struct {
	keywords []string // lower-cased
	exact    bool
	text     string
	from, to int // minutes of the Beijing day; from == to == -1 all day
	def      bool
}

func compile(r *store.ReplyRule) compiled {
	c := compiled{exact: r.Match == MatchExact, text: r.Text, from: -1, to: -1, def: r.Default}
	for _, k := range r.Keywords {
		c.keywords = append(c.keywords, strings.ToLower(k))
	}
	if f, ok := parseClock(r.ActiveFrom); ok {
		if t, ok := parseClock(r.ActiveTo); ok {
			c.from, c.to = f, t
		}
	}
	return c
}

func (c *compiled) active(minute int) bool {
	switch {
	case c.from < 0:
		return true
	case c.from <= c.to:
		return minute >= c.from && minute < c.to
	default: // past midnight
		return minute >= c.from || minute < c.to
	}
}

func (c *compiled) matches(text string) bool {
	for _, k := range c.keywords {
		if c.exact && text == k || !c.exact && strings.Contains(text, k) {
			return true
		}
	}
	return false
}

// ruleSet is an account's rules in the order they are tried.
type ruleSet []compiled

// answer returns the reply to text at instant now: the first active rule with a
// matching keyword, else the first active default reply, else "".
func (rs ruleSet) answer(text string, now time.Time) string {
	text = strings.ToLower(strings.TrimSpace(text))
	local := now.In(beijing)
	minute := local.Hour()*60 + local.Minute()
	fallback := ""
	for i := range rs {
		c := &rs[i]
		if !c.active(minute) {
			continue
		}
		if c.def {
			if fallback == "" {
				fallback = c.text
			}
			continue
		}
		if text != "" && c.matches(text) {
			return c.text
		}
	}
	return fallback
}
