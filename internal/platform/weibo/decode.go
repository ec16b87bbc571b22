package weibo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// The Weibo API is loose with types: the same field is a number on one page and a quoted
// number on another ("expires_in": 7200 and "expires_in": "7200"; "error_code": 21327
// and "error_code": "21327"), and ids exceed 2^53. These two types accept both forms and
// never go through float64.

// idString is an id or any scalar kept as its exact decimal text.
type idString string

func (s *idString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*s = ""
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = idString(v)
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		// A JSON number literal, kept verbatim (exact, whatever its size).
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*s = idString(n.String())
	default:
		return fmt.Errorf("weibo: expected an id, got %.20s", b)
	}
	return nil
}

// flexInt is an integer sent as a number or as a quoted number. An empty string or null
// is 0.
type flexInt int64

var errNotInteger = errors.New("not an integer")

func (n *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*n = 0
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			*n = 0
			return nil
		}
		b = []byte(s)
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("weibo: %w: %.20q", errNotInteger, b)
	}
	*n = flexInt(v)
	return nil
}

// weiboTime parses Weibo's created_at ("Wed Oct 24 23:49:17 +0800 2012"); a value that
// does not parse is the zero time rather than an error, since no caller depends on it.
func weiboTime(s string) time.Time {
	t, err := time.Parse("Mon Jan 02 15:04:05 -0700 2006", s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// validID reports whether s is a plausible Weibo id: 1 to 20 decimal digits.
func validID(s string) bool {
	if len(s) == 0 || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
