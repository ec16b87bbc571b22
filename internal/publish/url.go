package publish

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/passerelle-oss/passerelle"
)

// The addresses of a post on each platform (docs/publishing.md, with their sources).
var (
	weiboDesktop  = regexp.MustCompile(`^/(\d{5,20})/([0-9A-Za-z]{6,16})/?$`)
	weiboMobile   = regexp.MustCompile(`^/(?:status|detail)/(\d{10,20}|[0-9A-Za-z]{6,16})/?$`)
	xhsNote       = regexp.MustCompile(`^/(?:explore|discovery/item)/([0-9a-f]{24})/?$`)
	douyinVideo   = regexp.MustCompile(`^/(?:video|note)/(\d{19})/?$`)
	shortCode     = regexp.MustCompile(`^/[0-9A-Za-z_-]{4,32}/?$`)
	wechatArticle = regexp.MustCompile(`^/s/([0-9A-Za-z_-]{10,64})/?$`)
	channelsFeed  = regexp.MustCompile(`^[0-9A-Za-z_=+/-]{10,200}$`)
)

// PostURL checks that raw is the address of a post on platform and returns the
// normalised URL and the platform's id of the post (empty when the address does not
// carry it, as for short links). uid, when known, is the account's platform user id,
// which a Weibo desktop URL must name.
func PostURL(platform passerelle.Platform, raw, uid string) (string, string, error) {
	raw = strings.TrimSpace(raw)
	bad := func(msg string) (string, string, error) {
		return "", "", &passerelle.Error{Code: passerelle.EINVALID, Message: msg, Fields: map[string]string{"url": msg}}
	}
	if platform == passerelle.Channels && channelsFeed.MatchString(raw) && !strings.Contains(raw, "://") {
		return raw, raw, nil // a feed id pasted from the Channels assistant
	}
	u, err := url.Parse(raw)
	if err != nil || len(raw) > 2000 || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return bad("Give the post's address (https://…).")
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	u.Scheme, u.Fragment = "https", ""
	switch platform {
	case passerelle.Weibo:
		switch host {
		case "weibo.com":
			if m := weiboDesktop.FindStringSubmatch(u.Path); m != nil {
				if uid != "" && m[1] != uid {
					return bad("This Weibo post belongs to another account.")
				}
				return u.String(), m[2], nil
			}
			if m := weiboMobile.FindStringSubmatch(u.Path); m != nil {
				return u.String(), m[1], nil
			}
		case "m.weibo.cn":
			if m := weiboMobile.FindStringSubmatch(u.Path); m != nil {
				return u.String(), m[1], nil
			}
		}
		return bad("Not the address of a Weibo post (https://weibo.com/UID/ID or https://m.weibo.cn/status/ID).")
	case passerelle.WeChat:
		if host == "mp.weixin.qq.com" {
			if m := wechatArticle.FindStringSubmatch(u.Path); m != nil {
				return u.String(), m[1], nil
			}
			if u.Path == "/s" && u.Query().Get("__biz") != "" && u.Query().Get("mid") != "" {
				return u.String(), u.Query().Get("mid") + "_" + u.Query().Get("idx"), nil
			}
		}
		return bad("Not the address of a WeChat article (https://mp.weixin.qq.com/s/…).")
	case passerelle.Xiaohongshu:
		if host == "xiaohongshu.com" {
			if m := xhsNote.FindStringSubmatch(u.Path); m != nil {
				u.RawQuery = ""
				return u.String(), m[1], nil
			}
		}
		if host == "xhslink.com" && shortCode.MatchString(strings.TrimPrefix(u.Path, "/a")) {
			return u.String(), "", nil
		}
		return bad("Not the address of a Xiaohongshu note (https://www.xiaohongshu.com/explore/…).")
	case passerelle.Douyin:
		if host == "douyin.com" {
			if m := douyinVideo.FindStringSubmatch(u.Path); m != nil {
				u.RawQuery = ""
				return u.String(), m[1], nil
			}
		}
		if host == "v.douyin.com" && shortCode.MatchString(u.Path) {
			return u.String(), "", nil
		}
		return bad("Not the address of a Douyin video (https://www.douyin.com/video/…).")
	case passerelle.Channels:
		if host == "channels.weixin.qq.com" || strings.HasSuffix(host, ".channels.weixin.qq.com") {
			return u.String(), "", nil
		}
		return bad("Not the address or feed id of a WeChat Channels post.")
	}
	return bad("Unknown platform.")
}
