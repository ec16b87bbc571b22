package weibo_test

import (
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle/internal/platform/weibo"
)

// knownMids are pairs of a post's base62 mid (weibo.com/UID/MID) and its numeric id,
// as published in public converters (the mid of the widely quoted 2012 example, and
// the test pairs of psubnwell/arsenal's crawler/weibo/base62.py and of a TypeScript
// converter quoting 4885639100630954 ↔ MzVRA2E8G).
var knownMids = []struct{ mid, id string }{
	{"z0JH2lOMb", "3501756485200075"},
	{"yCirT0Iox", "3491273850170657"},
	{"MzVRA2E8G", "4885639100630954"},
	{"Bh0tgako3U", "231101124784859058"},
}

func TestStatusIDKnownPairs(t *testing.T) {
	for _, p := range knownMids {
		if got := weibo.StatusID(p.mid); got != p.id {
			t.Errorf("StatusID(%q) = %q, want %q", p.mid, got, p.id)
		}
		if got := weibo.Mid(p.id); got != p.mid {
			t.Errorf("Mid(%q) = %q, want %q", p.id, got, p.mid)
		}
		if got := weibo.StatusID(p.id); got != p.id {
			t.Errorf("StatusID(%q) = %q, want the id itself", p.id, got)
		}
	}
	for _, bad := range []string{"", " ", "z0JH2l-Mb", "４５６", "zzzzzzzzzzzzzzzzz", "123456789012345678901"} {
		if got := weibo.StatusID(bad); got != "" {
			t.Errorf("StatusID(%q) = %q, want nothing", bad, got)
		}
	}
	// A group of seven zeros in the middle is four zeros in the mid.
	if got := weibo.Mid("3500000000200075"); weibo.StatusID(got) != "3500000000200075" || !strings.Contains(got, "0000") {
		t.Errorf("Mid with a zero group: %q", got)
	}
}

// FuzzStatusID: any text gives a numeric id of at most 20 digits without leading
// zero, or nothing, never a panic; an id's mid gives the id back.
func FuzzStatusID(f *testing.F) {
	for _, p := range knownMids {
		f.Add(p.mid)
		f.Add(p.id)
	}
	for _, s := range []string{"", "Ht4", "0000", "a_b", "４５６", "00000000000000000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id := weibo.StatusID(s)
		if id == "" {
			return
		}
		if len(id) > 20 || strings.Trim(id, "0123456789") != "" || id[0] == '0' {
			t.Fatalf("%q gave %q", s, id)
		}
		if len(id) <= 16 {
			if back := weibo.StatusID(weibo.Mid(id)); back != id {
				t.Fatalf("%q: Mid(%q) = %q gives %q back", s, id, weibo.Mid(id), back)
			}
		}
	})
}
