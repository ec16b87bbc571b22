package partners_test

import (
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/partners"
)

// TestWeiboStatusID: every address form of a Weibo post gives the numeric id
// statuses/count takes; anything else is invalid (the relay URLs' 422).
func TestWeiboStatusID(t *testing.T) {
	for _, c := range []struct{ name, url, id string }{
		{"desktop with base62 mid", "https://weibo.com/1642088277/z0JH2lOMb", "3501756485200075"},
		{"desktop, www, query and fragment", "https://www.weibo.com/1642088277/MzVRA2E8G?pagetype=profilefeed#_rnd1700000000000", "4885639100630954"},
		{"desktop with the numeric id", "http://weibo.com/1642088277/4885639100630954", "4885639100630954"},
		{"desktop detail", "https://weibo.com/detail/3491273850170657?from=page_100", "3491273850170657"},
		{"mobile status by id", "https://m.weibo.cn/status/4885639100630954", "4885639100630954"},
		{"mobile status by mid, trailing slash", "https://m.weibo.cn/status/yCirT0Iox/?sourceType=weixin#comment", "3491273850170657"},
		{"mobile detail", "https://m.weibo.cn/detail/3501756485200075", "3501756485200075"},
		{"spaces around", "  https://m.weibo.cn/detail/3501756485200075  ", "3501756485200075"},
	} {
		t.Run(c.name, func(t *testing.T) {
			id, err := partners.WeiboStatusID(c.url)
			if err != nil || id != c.id {
				t.Fatalf("%q: %q %v, want %q", c.url, id, err, c.id)
			}
		})
	}
	for _, bad := range []string{
		"", "weibo.com/1642088277/z0JH2lOMb", "https://weibo.com/1642088277", "https://weibo.com/u/1642088277",
		"https://weibo.com/1642088277/z0JH2l-Mb", "https://m.weibo.cn/status/", "https://m.weibo.cn/profile/1642088277",
		"https://evil.example/1642088277/z0JH2lOMb", "https://weibo.com.evil.example/1642088277/z0JH2lOMb",
		"https://user@weibo.com/1642088277/z0JH2lOMb", "ftp://weibo.com/1642088277/z0JH2lOMb",
		"https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOp", "https://weibo.com/1642088277/" + strings.Repeat("z", 17),
	} {
		if id, err := partners.WeiboStatusID(bad); err == nil || passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Errorf("%q: %q %v, want invalid", bad, id, err)
		}
	}
}

// FuzzWeiboStatusID: any text is a numeric id of 1 to 20 digits without a leading
// zero, or an invalid-input error; never a panic nor another error.
func FuzzWeiboStatusID(f *testing.F) {
	for _, s := range []string{"https://weibo.com/1642088277/z0JH2lOMb", "https://m.weibo.cn/status/4885639100630954?a=b#c",
		"https://weibo.com/detail/3491273850170657", "https://m.weibo.cn/detail/yCirT0Iox", "https://weibo.com/%zz", "http://[::1]/status/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, err := partners.WeiboStatusID(raw)
		if err != nil {
			if passerelle.ErrorCode(err) != passerelle.EINVALID || id != "" {
				t.Fatalf("%q: %q %v", raw, id, err)
			}
			return
		}
		if id == "" || len(id) > 20 || strings.Trim(id, "0123456789") != "" || id[0] == '0' {
			t.Fatalf("%q gave %q", raw, id)
		}
	})
}
