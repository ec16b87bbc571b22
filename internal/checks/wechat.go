package checks

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// checkWeChat checks an article's fields and body, and returns the Chinese fields
// the language checks should read (title, digest and the body's text).
func (c *Checker) checkWeChat(r *reporter, idx int, p *PublicationInput) []zhField {
	w := p.WeChat
	lim := c.limits
	length := func(rule, code, name, value string, limit int) {
		n := utf8.RuneCountInString(value)
		if n > limit {
			r.add(rule, SeverityError, code, p.ID, pubField(idx, "wechat."+name), limit, n,
				"length", strconv.Itoa(n), "limit", strconv.Itoa(limit))
		}
	}
	if strings.TrimSpace(w.Title) == "" {
		r.add(RuleWeChatTitleLength, SeverityError, "wechat_title_length.empty", p.ID, pubField(idx, "wechat.title"), 0, 0)
	}
	length(RuleWeChatTitleLength, "wechat_title_length.too_long", "title", w.Title, lim.WeChatTitle)
	length(RuleWeChatAuthorLength, "wechat_author_length.too_long", "author", w.Author, lim.WeChatAuthor)
	length(RuleWeChatDigestLength, "wechat_digest_length.too_long", "digest", w.Digest, lim.WeChatDigest)
	if !w.CoverSet {
		r.add(RuleWeChatCover, SeverityError, "wechat_cover.missing", p.ID, pubField(idx, "wechat.cover"), 0, 0)
	}
	if s := strings.TrimSpace(w.SourceURL); s != "" && !validWebURL(s) {
		r.add(RuleLink, SeverityError, "link.invalid", p.ID, pubField(idx, "wechat.source_url"), 0, utf8.RuneCountInString(w.SourceURL), "url", s)
	}

	bodyField := pubField(idx, "wechat.body_html")
	n := utf8.RuneCountInString(w.BodyHTML)
	if n >= lim.WeChatBodyChars {
		r.add(RuleWeChatBodyLength, SeverityError, "wechat_body_length.too_long", p.ID, bodyField, lim.WeChatBodyChars-1, n,
			"length", strconv.Itoa(n), "limit", strconv.Itoa(lim.WeChatBodyChars))
	}
	if len(w.BodyHTML) >= lim.WeChatBodyBytes {
		r.add(RuleWeChatBodyLength, SeverityError, "wechat_body_length.too_large", p.ID, bodyField, 0, 0,
			"size", strconv.Itoa(len(w.BodyHTML)), "limit", strconv.Itoa(lim.WeChatBodyBytes))
	}
	walk := walkHTML(w.BodyHTML, c.hosted, false)
	if strings.TrimSpace(string(walk.text.runes)) == "" && walk.images == 0 {
		r.add(RuleWeChatBodyLength, SeverityError, "wechat_body_length.empty", p.ID, bodyField, 0, 0)
	}
	for _, is := range walk.issues {
		switch is.kind {
		case "script":
			r.add(RuleWeChatScript, SeverityError, "wechat_script.script", p.ID, bodyField, is.start, is.end)
		case "event_handler":
			r.add(RuleWeChatScript, SeverityError, "wechat_script.event_handler", p.ID, bodyField, is.start, is.end, "attr", is.detail)
		case "javascript_url":
			r.add(RuleWeChatScript, SeverityError, "wechat_script.javascript_url", p.ID, bodyField, is.start, is.end)
		case "embed":
			r.add(RuleWeChatScript, SeverityError, "wechat_script.embed", p.ID, bodyField, is.start, is.end,
				"tag", strings.Trim(is.detail, "<>"))
		case "external_image":
			r.add(RuleWeChatExternalImage, SeverityError, "wechat_external_image.found", p.ID, bodyField, is.start, is.end, "src", is.detail)
		}
	}
	for _, l := range walk.links {
		href := strings.TrimSpace(l.href)
		switch {
		case strings.HasPrefix(href, "#"):
		case !validWebURL(href):
			r.add(RuleLink, SeverityError, "link.invalid", p.ID, bodyField, l.start, l.end, "url", shorten(href, 80))
		case !isWeChatArticleURL(href):
			r.add(RuleLink, SeverityWarning, "link.not_wechat", p.ID, bodyField, l.start, l.end, "url", shorten(href, 80))
		}
	}
	fields := []zhField{
		{pubID: p.ID, name: pubField(idx, "wechat.title"), view: plainView(w.Title)},
		{pubID: p.ID, name: pubField(idx, "wechat.digest"), view: plainView(w.Digest)},
		{pubID: p.ID, name: bodyField, view: walk.text, html: true},
	}
	return fields
}

// isWeChatArticleURL reports whether href points to a WeChat article, the only
// links WeChat keeps clickable in an article body.
func isWeChatArticleURL(href string) bool {
	u, err := url.Parse(href)
	return err == nil && strings.EqualFold(u.Hostname(), "mp.weixin.qq.com")
}
