package web

import (
	"html/template"
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// The WeChat body of a preview is its own document in a sandboxed frame: WeChat
// renders the inline styles the sanitiser keeps (colour, alignment), which the pages'
// policy forbids, so the body gets a policy of its own that allows those styles and
// nothing executable. The frame is sandboxed (no scripts, no forms, no navigation of
// the page) and same-origin only so the page can size it to its content.

// articleCSP allows inline styles and this origin's images; nothing else.
const articleCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-same-origin"

var articleDoc = template.Must(template.New("article").Parse(`<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<style>html{color-scheme:light}body{margin:0;padding:0 2px;font:16px/1.75 -apple-system,"PingFang SC","Hiragino Sans GB","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#333;overflow-wrap:anywhere}img{max-width:100%;height:auto}p{margin:0 0 1em}</style>
</head><body>{{.}}</body></html>
`))

// postArticle is the framed WeChat body of a post's preview.
func (h *handler) postArticle(w http.ResponseWriter, r *http.Request) {
	post, err := h.loadPost(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeArticle(w, r, post, false)
}

// writeArticle answers the body of the post's WeChat publication named by ?pub.
func (h *handler) writeArticle(w http.ResponseWriter, r *http.Request, post *passerelle.Post, bare bool) {
	id, _ := strconv.ParseInt(r.URL.Query().Get("pub"), 10, 64)
	for _, pv := range editorial.Previews(post) {
		if pv.PublicationID != id || pv.Platform != passerelle.WeChat {
			continue
		}
		hd := w.Header()
		hd.Set("Content-Security-Policy", articleCSP)
		hd.Set("Content-Type", "text/html; charset=utf-8")
		hd.Set("Cache-Control", "no-store")
		articleDoc.Execute(w, safeArticle(pv.BodyHTML))
		return
	}
	h.failView(w, r, passerelle.ErrNotFound, bare)
}

// articleFrame is an empty article document under the article's own policy: the
// composer's live WeChat preview writes the cleaned body into it as one types (the
// frame is sandboxed and same-origin, so nothing in it runs and the page can reach it).
func (h *handler) articleFrame(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", articleCSP)
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	articleDoc.Execute(w, template.HTML(""))
}
