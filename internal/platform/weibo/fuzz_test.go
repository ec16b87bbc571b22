package weibo

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle/internal/platform"
)

// FuzzDecode feeds arbitrary answers to the response decoder of every endpoint: the
// outcome is a decoded value with valid ids or a classified *platform.Error, never a
// panic, and a write whose answer cannot be read is never reported as plainly failed.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(200, b)
		f.Add(400, b)
	}
	f.Add(200, []byte(`{"idstr":"123456789012345678901234567890"}`))
	f.Add(200, []byte(`[{"id":12345678901234567890123,"comments":"x"}]`))
	f.Add(502, []byte(`<html><title>502 Bad Gateway</title></html>`))
	f.Add(200, []byte(strings.Repeat("[", 10000)))
	f.Add(200, []byte(`{"error_code":"abc","error":"x"}`))
	f.Add(200, []byte(`{"error_code":1e400}`))
	f.Add(200, []byte(`{"id":9007199254740993,"idstr":"9007199254740993"}`))

	c, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		check := func(idempotent bool, out any, ok func() bool) {
			err := c.decode("op", idempotent, status, body, out)
			if err == nil {
				if !ok() {
					t.Fatalf("decoded without error but invalid: %+v", out)
				}
				return
			}
			var pe *platform.Error
			if !errors.As(error(err), &pe) || pe.Kind == "" {
				t.Fatalf("unclassified error %v", err)
			}
			if !idempotent && status >= 200 && status < 300 && pe.Code == 0 && pe.Kind != platform.Ambiguous {
				t.Fatalf("unreadable 2xx answer to a write classified %s", pe.Kind)
			}
		}
		var st statusResponse
		check(false, &st, func() bool { return validID(string(st.IDStr)) || validID(string(st.ID)) })
		var tl timelineResponse
		check(true, &tl, func() bool {
			for _, st := range tl.Statuses {
				if !validID(string(st.IDStr)) && !validID(string(st.ID)) {
					return false
				}
			}
			return true
		})
		var counts countResponse
		check(true, &counts, func() bool {
			for _, it := range counts {
				if !validID(string(it.ID)) {
					return false
				}
			}
			return true
		})
		var tok tokenResponse
		check(false, &tok, func() bool { return tok.AccessToken != "" && tok.ExpiresIn != nil && *tok.ExpiresIn > 0 })
		var info tokenInfoResponse
		check(true, &info, func() bool { return info.ExpireIn != nil || info.ExpiresIn != nil })
		var u userResponse
		check(true, &u, func() bool { return validID(string(u.ID)) || validID(string(u.IDStr)) })
		var uc userCountsResponse
		check(true, &uc, func() bool { return true })
	})
}

func TestIDsKeepPrecision(t *testing.T) {
	t.Parallel()
	c, _ := New(Config{})
	var st statusResponse
	// 2^53 + 1 is the first integer a float64 cannot hold.
	if err := c.decode("op", false, 200, []byte(`{"id":9007199254740993}`), &st); err != nil {
		t.Fatal(err)
	}
	if st.ID != "9007199254740993" {
		t.Errorf("id = %s", st.ID)
	}
}
