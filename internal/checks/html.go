package checks

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// What a WeChat article body may contain. WeChat's editor accepts inline styles and
// plain structural HTML; it drops scripts, embedded objects and images it does not
// host. The lists are deliberately short: anything else is unwrapped (its text kept).
var (
	wechatElements = []string{
		"a", "b", "big", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
		"del", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
		"hr", "i", "img", "ins", "li", "mark", "ol", "p", "pre", "q", "s", "section", "small",
		"span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
		"tr", "u", "ul",
	}
	// Elements removed with their content: they run code, embed other documents, or
	// hold no article text.
	droppedElements = map[string]string{
		"script": "script", "style": "style", "noscript": "script", "template": "script",
		"iframe": "embed", "frame": "embed", "frameset": "embed", "object": "embed", "embed": "embed",
		"applet": "embed", "svg": "embed", "math": "embed", "video": "embed", "audio": "embed",
		"canvas": "embed", "head": "element", "title": "element", "textarea": "embed", "select": "embed",
		"input": "embed", "button": "embed", "link": "style", "meta": "element", "base": "element",
		"param": "embed", "source": "embed", "track": "embed", "area": "element", "map": "element",
	}
	// Elements whose tags vanish silently: a pasted page's wrappers.
	silentElements = []string{"html", "body"}
	voidElements   = []string{"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
	// Elements that break a text into separate runs for the language checks.
	blockElements = []string{
		"address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt",
		"figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
		"ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
	}
	wechatStyles = []string{
		"background-color", "border", "border-bottom", "border-color", "border-left", "border-radius",
		"border-right", "border-style", "border-top", "border-width", "box-sizing", "color", "display",
		"font-size", "font-style", "font-weight", "height", "letter-spacing", "line-height", "margin",
		"margin-bottom", "margin-left", "margin-right", "margin-top", "max-width", "padding",
		"padding-bottom", "padding-left", "padding-right", "padding-top", "text-align",
		"text-decoration", "text-indent", "vertical-align", "width", "word-break",
	}
)

// allowedAttr reports whether attribute name may stay on element tag.
func allowedAttr(tag, name string) bool {
	switch name {
	case "style":
		return true
	case "href", "title":
		return tag == "a"
	case "src", "alt":
		return tag == "img"
	case "width", "height":
		return tag == "img" || tag == "table" || tag == "td" || tag == "th" || tag == "col"
	case "align":
		return tag == "p" || tag == "div" || tag == "td" || tag == "th" || tag == "table" || tag == "section"
	case "colspan", "rowspan":
		return tag == "td" || tag == "th"
	case "start":
		return tag == "ol"
	}
	return false
}

// Removal is one kind of content the sanitiser removed, for telling the editor.
type Removal struct {
	// Kind is script, event_handler, javascript_url, embed, external_image,
	// element, attribute or style.
	Kind string `json:"kind"`
	// Count is how many were removed; Details lists what (tag or attribute names,
	// image URLs), without repeats, at most a few.
	Count   int      `json:"count"`
	Details []string `json:"details,omitempty"`
}

// Message describes the removal in lang ("fr", "en", "zh-Hans").
func (r Removal) Message(lang string) string {
	return message(lang, "removed."+r.Kind, map[string]string{
		"count": strconv.Itoa(r.Count), "detail": strings.Join(r.Details, ", "),
	})
}

// HostedImage reports whether an image URL is already hosted where WeChat keeps
// it: WeChat's image CDN (what media/uploadimg returns). Passerelle's own media
// (relative URLs) are re-hosted at publication, so they count as hosted too.
func HostedImage(src string) bool {
	u, err := url.Parse(strings.TrimSpace(src))
	if err != nil {
		return false
	}
	if u.Scheme == "" && u.Host == "" {
		return strings.HasPrefix(u.Path, "/")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	h := strings.ToLower(u.Hostname())
	return h == "mmbiz.qpic.cn" || h == "mmbiz.qlogo.cn" || strings.HasSuffix(h, ".mmbiz.qpic.cn")
}

// SanitizeWeChatHTML returns body reduced to the HTML a WeChat article accepts and
// the list of what was removed: scripts, event handlers, javascript: links,
// embedded objects, images isHosted rejects (nil means HostedImage), unsupported
// elements (their text is kept), attributes and styles. The result then goes
// through a bluemonday allow-list as a second line of defence.
func SanitizeWeChatHTML(body string, isHosted func(src string) bool) (clean string, removed []Removal) {
	if isHosted == nil {
		isHosted = HostedImage
	}
	w := walkHTML(body, isHosted, true)
	return wechatPolicy().Sanitize(w.out.String()), w.removals()
}

var wechatPolicy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements(wechatElements...)
	p.AllowAttrs("href", "title").OnElements("a")
	p.AllowAttrs("src", "alt").OnElements("img")
	p.AllowAttrs("width", "height").OnElements("img", "table", "td", "th", "col")
	p.AllowAttrs("align").OnElements("p", "div", "td", "th", "table", "section")
	p.AllowAttrs("colspan", "rowspan").OnElements("td", "th")
	p.AllowAttrs("start").OnElements("ol")
	p.AllowStyles(wechatStyles...).Globally()
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.RequireParseableURLs(true)
	return p
})

// htmlIssue is something in a body that WeChat refuses, at rune offsets of the body.
type htmlIssue struct {
	kind, detail string
	start, end   int
}

type htmlLink struct {
	href       string
	start, end int
}

// htmlWalk is one pass over an article body: its text for the language checks
// (with each rune's span in the body), its links, what WeChat refuses and, when
// asked, the cleaned HTML.
type htmlWalk struct {
	text   textView
	links  []htmlLink
	issues []htmlIssue
	images int // images kept
	out    strings.Builder
}

func (w *htmlWalk) removals() []Removal {
	var out []Removal
	for _, is := range w.issues {
		i := slices.IndexFunc(out, func(r Removal) bool { return r.Kind == is.kind })
		if i < 0 {
			out = append(out, Removal{Kind: is.kind})
			i = len(out) - 1
		}
		out[i].Count++
		if is.detail != "" && len(out[i].Details) < 5 && !slices.Contains(out[i].Details, is.detail) {
			out[i].Details = append(out[i].Details, is.detail)
		}
	}
	return out
}

// walkHTML tokenizes body once. Offsets are tracked through the tokenizer's raw
// bytes, which cover the input exactly.
func walkHTML(body string, isHosted func(string) bool, emit bool) *htmlWalk {
	w := &htmlWalk{}
	n := utf8.RuneCountInString(body)
	w.text.runes = make([]rune, 0, n)
	w.text.srcStart = make([]int32, 0, n)
	w.text.srcEnd = make([]int32, 0, n)
	z := html.NewTokenizer(strings.NewReader(body))
	bytePos, runePos := 0, 0
	var skip string // element whose content is being dropped
	skipDepth := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw()
		start := runePos
		bytePos += len(raw)
		runePos += utf8.RuneCount(raw)
		end := runePos
		if tt == html.TextToken {
			if skip == "" {
				w.text.appendHTMLText(raw, start)
				if emit {
					w.out.WriteString(html.EscapeString(string(z.Text())))
				}
			}
			continue
		}
		tok := z.Token()
		name := tok.Data
		if skip != "" {
			switch {
			case tt == html.StartTagToken && name == skip:
				skipDepth++
			case tt == html.EndTagToken && name == skip:
				skipDepth--
				if skipDepth == 0 {
					skip = ""
				}
			}
			continue
		}
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			if slices.Contains(blockElements, name) {
				w.text.appendBreak(start, end)
			}
			if kind, drop := droppedElements[name]; drop {
				w.issues = append(w.issues, htmlIssue{kind: kind, detail: "<" + name + ">", start: start, end: end})
				if tt == html.StartTagToken && !slices.Contains(voidElements, name) {
					skip, skipDepth = name, 1
				}
				continue
			}
			if slices.Contains(silentElements, name) {
				continue
			}
			if !slices.Contains(wechatElements, name) {
				w.issues = append(w.issues, htmlIssue{kind: "element", detail: "<" + name + ">", start: start, end: end})
				continue
			}
			w.startTag(tok, isHosted, start, end, emit)
		case html.EndTagToken:
			if slices.Contains(blockElements, name) {
				w.text.appendBreak(start, end)
			}
			if emit && slices.Contains(wechatElements, name) && !slices.Contains(voidElements, name) {
				w.out.WriteString("</" + name + ">")
			}
		}
	}
	return w
}

// startTag records and, when emit is set, writes an allowed element with the
// attributes it may keep.
func (w *htmlWalk) startTag(tok html.Token, isHosted func(string) bool, start, end int, emit bool) {
	name := tok.Data
	var kept []html.Attribute
	for _, a := range tok.Attr {
		key := strings.ToLower(a.Key)
		switch {
		case strings.HasPrefix(key, "on"):
			w.issues = append(w.issues, htmlIssue{kind: "event_handler", detail: key, start: start, end: end})
			continue
		case isScriptURL(a.Val) && (key == "href" || key == "src" || key == "data-src" || key == "action" || key == "formaction" || key == "xlink:href"):
			w.issues = append(w.issues, htmlIssue{kind: "javascript_url", detail: key, start: start, end: end})
			continue
		case name == "img" && key == "data-src":
			// Pasted WeChat articles carry lazy-loaded images in data-src: keep the
			// address as src when there is none.
			if !slices.ContainsFunc(tok.Attr, func(b html.Attribute) bool { return strings.EqualFold(b.Key, "src") }) {
				kept = append(kept, html.Attribute{Key: "src", Val: a.Val})
			}
			continue
		case key == "style":
			v, dropped := filterStyle(a.Val)
			if dropped != "" {
				w.issues = append(w.issues, htmlIssue{kind: "style", detail: dropped, start: start, end: end})
			}
			if v != "" {
				kept = append(kept, html.Attribute{Key: key, Val: v})
			}
			continue
		case !allowedAttr(name, key):
			w.issues = append(w.issues, htmlIssue{kind: "attribute", detail: key, start: start, end: end})
			continue
		}
		kept = append(kept, html.Attribute{Key: key, Val: a.Val})
	}
	switch name {
	case "img":
		src := ""
		for _, a := range kept {
			if a.Key == "src" {
				src = strings.TrimSpace(a.Val)
			}
		}
		if src == "" || !isHosted(src) {
			w.issues = append(w.issues, htmlIssue{kind: "external_image", detail: shorten(src, 80), start: start, end: end})
			return
		}
		w.images++
	case "a":
		for _, a := range kept {
			if a.Key == "href" {
				w.links = append(w.links, htmlLink{href: a.Val, start: start, end: end})
			}
		}
	}
	if !emit {
		return
	}
	w.out.WriteString("<" + name)
	for _, a := range kept {
		w.out.WriteString(" " + a.Key + `="` + html.EscapeString(a.Val) + `"`)
	}
	w.out.WriteString(">")
}

// isScriptURL reports whether a URL runs code when followed. Browsers ignore
// control characters and spaces inside the scheme, so they are removed first.
func isScriptURL(v string) bool {
	var b strings.Builder
	for _, r := range v {
		if r > ' ' {
			b.WriteRune(r)
		}
		if b.Len() > 16 {
			break
		}
	}
	s := strings.ToLower(b.String())
	return strings.HasPrefix(s, "javascript:") || strings.HasPrefix(s, "vbscript:") || strings.HasPrefix(s, "data:text/html")
}

// filterStyle keeps the declarations of an inline style whose property is allowed
// and whose value loads nothing; it returns the kept style and the dropped
// property names.
func filterStyle(style string) (kept, dropped string) {
	var k, d []string
	for decl := range strings.SplitSeq(style, ";") {
		prop, val, ok := strings.Cut(decl, ":")
		prop = strings.ToLower(strings.TrimSpace(prop))
		val = strings.TrimSpace(val)
		if !ok && prop == "" {
			continue
		}
		lv := strings.ToLower(val)
		if !ok || val == "" || !slices.Contains(wechatStyles, prop) || strings.Contains(lv, "url(") ||
			strings.Contains(lv, "expression") || strings.Contains(lv, "javascript") || strings.ContainsAny(val, `<>"\`) {
			if prop != "" && !slices.Contains(d, prop) {
				d = append(d, prop)
			}
			continue
		}
		k = append(k, prop+": "+val)
	}
	return strings.Join(k, "; "), strings.Join(d, ", ")
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
