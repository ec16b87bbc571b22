package checks

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// weiboURLUnits is what one http(s) URL counts, whatever its length: Weibo shortens
// links to t.cn addresses.
const weiboURLUnits = 20

// WeiboLength returns the length of s as Weibo counts it (PLATFORMS.md): an ASCII
// character is one unit, any other character two, each http(s) URL twenty; the
// length is ceil(units / 2).
func WeiboLength(s string) int {
	rs := []rune(s)
	units, _ := weiboUnits(rs, findURLs(rs), -1)
	return (units + 1) / 2
}

// weiboUnits counts the units of rs. When limit ≥ 0 it also returns the offset of
// the first rune past limit characters (len(rs) when the text fits).
func weiboUnits(rs []rune, urls [][2]int, limit int) (units, overflowAt int) {
	overflowAt = len(rs)
	u := 0
	for i := 0; i < len(rs); i++ {
		if u < len(urls) && urls[u][0] == i {
			units += weiboURLUnits
			i = urls[u][1] - 1
			u++
		} else if rs[i] < utf8.RuneSelf {
			units++
		} else {
			units += 2
		}
		if limit >= 0 && overflowAt == len(rs) && units > 2*limit {
			overflowAt = i
			if u > 0 && urls[u-1][1]-1 == i {
				overflowAt = urls[u-1][0]
			}
		}
	}
	return units, overflowAt
}

// maxTopicRunes bounds a Weibo topic; longer ones are not linked by Weibo.
const maxTopicRunes = 32

func (c *Checker) checkWeibo(r *reporter, idx int, p *PublicationInput) {
	field := pubField(idx, "text")
	rs := []rune(p.Text)
	urls := findURLs(rs)
	api := p.Mode == ModeAPI
	limit := c.limits.WeiboLong
	if api {
		limit = c.limits.WeiboAPI
	}
	if units, at := weiboUnits(rs, urls, limit); (units+1)/2 > limit {
		r.add(RuleWeiboLength, SeverityError, "weibo_length.too_long", p.ID, field, at, len(rs),
			"length", strconv.Itoa((units+1)/2), "limit", strconv.Itoa(limit))
	}

	imgField := pubField(idx, "images")
	maxImages := c.limits.WeiboImages
	switch {
	case api && (p.Images > c.limits.WeiboAPIImages || p.Videos > 0):
		r.add(RuleWeiboImages, SeverityError, "weibo_images.api", p.ID, imgField, 0, 0)
	case p.Images > 0 && p.Videos > 0:
		r.add(RuleWeiboImages, SeverityError, "weibo_images.mixed", p.ID, imgField, 0, 0)
	case p.Images > maxImages:
		r.add(RuleWeiboImages, SeverityError, "weibo_images.too_many", p.ID, imgField, 0, 0,
			"count", strconv.Itoa(p.Images), "limit", strconv.Itoa(maxImages))
	case p.Videos > 1:
		r.add(RuleWeiboImages, SeverityError, "weibo_images.too_many_videos", p.ID, imgField, 0, 0,
			"count", strconv.Itoa(p.Videos))
	}

	c.checkTopics(r, idx, p, rs, urls)

	if api {
		c.checkSafeDomain(r, idx, p, rs, urls)
	}
	for _, u := range urls {
		if !validWebURL(string(rs[u[0]:u[1]])) {
			r.add(RuleLink, SeverityError, "link.invalid", p.ID, field, u[0], u[1], "url", string(rs[u[0]:u[1]]))
		}
	}
}

// checkTopics checks the #话题# of the text and the publication's topic list.
func (c *Checker) checkTopics(r *reporter, idx int, p *PublicationInput, rs []rune, urls [][2]int) {
	field := pubField(idx, "text")
	api := p.Mode == ModeAPI
	open := -1
	u := 0
	for i := 0; i < len(rs); i++ {
		if u < len(urls) && urls[u][0] == i {
			i = urls[u][1] - 1
			u++
			continue
		}
		switch rs[i] {
		case '＃':
			r.add(RuleWeiboTopic, SeverityWarning, "weibo_topic.fullwidth", p.ID, field, i, i+1)
		case '\n', '\r':
			if open >= 0 {
				r.add(RuleWeiboTopic, SeverityWarning, "weibo_topic.unclosed", p.ID, field, open, open+1)
				open = -1
			}
		case '#':
			switch {
			case open < 0:
				open = i
			case i == open+1:
				r.add(RuleWeiboTopic, SeverityWarning, "weibo_topic.empty", p.ID, field, open, i+1)
				open = -1
			default:
				if api {
					r.add(RuleWeiboTopic, SeverityError, "weibo_topic.api", p.ID, field, open, i+1)
				}
				open = -1
			}
		}
	}
	if open >= 0 {
		r.add(RuleWeiboTopic, SeverityWarning, "weibo_topic.unclosed", p.ID, field, open, open+1)
	}
	for j, t := range p.Topics {
		tf := pubField(idx, "topics["+strconv.Itoa(j)+"]")
		t = strings.TrimSpace(t)
		n := utf8.RuneCountInString(t)
		if t == "" || strings.ContainsAny(t, "#＃\r\n") || n > maxTopicRunes {
			r.add(RuleWeiboTopic, SeverityError, "weibo_topic.invalid", p.ID, tf, 0, 0,
				"topic", t, "limit", strconv.Itoa(maxTopicRunes))
			continue
		}
		if api {
			r.add(RuleWeiboTopic, SeverityError, "weibo_topic.api", p.ID, tf, 0, 0)
		}
	}
}

// checkSafeDomain requires, for a post sent by API, a URL on the account's safe
// domain (or a subdomain of it).
func (c *Checker) checkSafeDomain(r *reporter, idx int, p *PublicationInput, rs []rune, urls [][2]int) {
	field := pubField(idx, "text")
	domain := strings.ToLower(strings.TrimSpace(p.SafeDomain))
	domain = strings.TrimPrefix(strings.TrimPrefix(domain, "https://"), "http://")
	domain = strings.TrimSuffix(domain, "/")
	if domain == "" {
		r.add(RuleWeiboSafeDomain, SeverityError, "weibo_safe_domain.no_domain", p.ID, field, 0, 0)
		return
	}
	for _, u := range urls {
		pu, err := url.Parse(string(rs[u[0]:u[1]]))
		if err != nil {
			continue
		}
		h := strings.ToLower(pu.Hostname())
		if h == domain || strings.HasSuffix(h, "."+domain) {
			return
		}
	}
	r.add(RuleWeiboSafeDomain, SeverityError, "weibo_safe_domain.missing_url", p.ID, field, 0, 0, "domain", domain)
}

// validWebURL reports whether s is an absolute http(s) URL with a host.
func validWebURL(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	h := u.Hostname()
	return h != "" && !strings.ContainsAny(h, " _") && !strings.HasPrefix(h, ".") && !strings.HasSuffix(h, "..")
}
