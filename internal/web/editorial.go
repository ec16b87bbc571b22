package web

import (
	"context"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/checks"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// The editorial pages: posts and their workflow, the calendar, the media library, the
// glossary and the sensitive vocabulary, and the public guest review page. Every rule
// (who may do what, what is valid) is the editorial service's; the pages only choose
// which buttons to show.

// uploadLimit bounds a media upload's body: the largest file plus room for the
// multipart envelope, as the JSON API does.
const uploadLimit = media.DefaultMaxBytes + 1<<20

func (h *handler) editorialRoutes() {
	s, pub, in := h.srv, server.Public, server.SignedIn

	s.HandleFunc("GET /posts", in, h.postList)
	s.HandleFunc("GET /posts/new", in, h.postNew)
	s.HandleFunc("POST /posts", in, h.postCreate, server.BodyLimit(postBodyLimit))
	s.HandleFunc("GET /posts/{id}", in, h.postEdit)
	s.HandleFunc("POST /posts/{id}", in, h.postUpdate, server.BodyLimit(postBodyLimit))
	s.HandleFunc("POST /posts/{id}/delete", in, h.postDelete)
	s.HandleFunc("POST /posts/{id}/transition", in, h.postTransition)
	s.HandleFunc("POST /posts/{id}/comments", in, h.postComment)
	s.HandleFunc("GET /posts/{id}/history", in, h.postHistory)
	s.HandleFunc("GET /posts/{id}/article", in, h.postArticle)
	s.HandleFunc("GET /article-frame", in, h.articleFrame)
	s.HandleFunc("POST /posts/{id}/check", in, h.postCheck, server.BodyLimit(postBodyLimit))
	s.HandleFunc("POST /institutions/{id}/posts/check", in, h.newPostCheck, server.BodyLimit(postBodyLimit))
	s.HandleFunc("POST /posts/{id}/guest-links", in, h.guestLinkCreate)
	s.HandleFunc("POST /posts/{id}/guest-links/{link}/revoke", in, h.guestLinkRevoke)
	s.HandleFunc("POST /posts/{id}/coauthors/{partner_id}/publication", in, h.coAuthorRecord)
	s.HandleFunc("POST /publications/{id}/schedule", in, h.publicationSchedule)
	s.HandleFunc("POST /themes", in, h.themesSave)

	s.HandleFunc("GET /calendar", in, h.calendar)
	s.HandleFunc("POST /accounts/{id}/cadence", in, h.cadenceSave)

	s.HandleFunc("GET /institutions/{id}/media", in, h.mediaList)
	s.HandleFunc("POST /institutions/{id}/media", in, h.mediaUpload, server.BodyLimit(uploadLimit))
	s.HandleFunc("POST /media/{id}", in, h.mediaUpdate)
	s.HandleFunc("GET /media/{id}/{spec}", in, h.mediaRendition)

	s.HandleFunc("GET /glossary", in, h.glossaryPage)
	s.HandleFunc("POST /glossary", in, h.termCreate)
	s.HandleFunc("GET /glossary/{id}/edit", in, h.termEdit)
	s.HandleFunc("POST /glossary/{id}", in, h.termUpdate)
	s.HandleFunc("POST /glossary/{id}/delete", in, h.termDelete)
	s.HandleFunc("POST /glossary/import", in, h.glossaryImport, server.BodyLimit(editorial.MaxImportBytes+1<<16))
	s.HandleFunc("GET /glossary/export", in, h.glossaryExport)
	s.HandleFunc("GET /lexicon", in, h.lexiconPage)
	s.HandleFunc("POST /lexicon", in, h.lexiconAdd)
	s.HandleFunc("POST /lexicon/{id}/delete", in, h.lexiconDelete)
	s.HandleFunc("POST /lexicon/import", in, h.lexiconImport, server.BodyLimit(editorial.MaxImportBytes+1<<16))
	s.HandleFunc("GET /lexicon/export", in, h.lexiconExport)

	s.HandleFunc("GET /review/{token}", pub, h.reviewPage)
	s.HandleFunc("POST /review/{token}/decision", pub, h.reviewDecision)
	s.HandleFunc("POST /review/{token}/comments", pub, h.reviewComment)
	s.HandleFunc("GET /review/{token}/article", pub, h.reviewArticle)
	s.HandleFunc("GET /review/{token}/media/{media}/{spec}", pub, h.reviewMedia)
	s.HandleFunc("POST /review/{token}/publication", pub, h.reviewPublication)
}

// localUser is the signed-in user with the page's language, so that the service's
// messages (findings, removals) come in the language the page is shown in.
func (h *handler) localUser(r *http.Request) *passerelle.User {
	u := *server.User(r.Context())
	u.Locale = h.localizer(r).Lang
	return &u
}

// moveButton is a workflow move the page offers.
type moveButton struct {
	To passerelle.Status
	// Comment: the move needs a reason (a rejection).
	Comment bool
}

// moves lists the moves the user may take on p. It asks the domain rather than
// repeating its table: each status is tried on a copy of the post; the server decides
// again when the button is pressed.
func (h *handler) moves(ctx context.Context, u *passerelle.User, p *passerelle.Post) ([]moveButton, error) {
	twoStep, err := h.DB.TwoStepApproval(ctx, u.OrgID, p.InstitutionID)
	if err != nil {
		return nil, err
	}
	actor, err := h.Editorial.MoveActor(ctx, u, p)
	if err != nil {
		return nil, err
	}
	var out []moveButton
	for _, to := range passerelle.Statuses {
		q := passerelle.Post{ID: p.ID, Status: p.Status, ApprovalStep: p.ApprovalStep}
		_, err := q.Move(to, actor, "", twoStep)
		switch {
		case err == nil:
			out = append(out, moveButton{To: to})
		case passerelle.ErrorCode(err) == passerelle.EINVALID && passerelle.ErrorFields(err)["comment"] != "":
			out = append(out, moveButton{To: to, Comment: true})
		}
	}
	return out, nil
}

// managedTargets are the accounts a post can target: every managed account of the
// institution on a platform that takes posts (passerelle.Formats): Weibo and WeChat,
// and Douyin, Xiaohongshu and WeChat Channels in assisted mode. The caller has
// checked that the user sees the institution.
func (h *handler) managedTargets(ctx context.Context, orgID, institutionID int64) ([]*passerelle.Account, error) {
	all, err := h.DB.Accounts(ctx, store.AccountFilter{OrgID: orgID, InstitutionID: institutionID})
	if err != nil {
		return nil, err
	}
	out := all[:0:0]
	for _, a := range all {
		if _, ok := passerelle.Formats[a.Platform]; ok && a.Kind == passerelle.AccountManaged {
			out = append(out, a)
		}
	}
	return out, nil
}

// finding is a check's result as the page shows it: the excerpt around the span, so
// that the reader sees what the rule points at.
type finding struct {
	checks.Finding
	Before, Match, After string
	Blocking             bool
	// Where names the publication and the field, and Anchor is the field's id, for
	// the list of all findings beside the form.
	Where, Anchor string
}

// findingLabels are the catalog keys of the editor's fields, by form input suffix.
var findingLabels = map[string]string{
	"title": "post.field.title", "source_text": "post.field.source_text", "text_zh": "post.field.text_zh", "text_zh_hant": "post.field.text_zh_hant",
	"topics": "pub.topics", "repost_url": "pub.repost_url", "format": "pub.format", "mode": "pub.mode", "media_ids": "pub.media",
	"wechat_title": "wx.title", "wechat_author": "wx.author", "wechat_digest": "wx.digest", "wechat_body_html": "wx.body",
	"wechat_source_url": "wx.source_url", "wechat_cover_media_id": "wx.cover",
	"scheduled_at": "schedule.title",
}

// locate fills where a finding is: the publication (platform and account) and the
// field, translated, with the id of the field's input.
func locate(l *localizer, f *finding, accounts []int64, names map[int64]string, platforms map[int64]passerelle.Platform) {
	key := formField(f.Field, accounts)
	f.Anchor = "f-" + key
	field := key
	var parts []string
	if rest, ok := strings.CutPrefix(key, "pub_"); ok {
		id, tail, _ := strings.Cut(rest, ".")
		n, _ := strconv.ParseInt(id, 10, 64)
		parts = append(parts, l.T("platform."+string(platforms[n]))+" "+names[n])
		field = tail
	}
	if k, ok := findingLabels[field]; ok {
		parts = append(parts, l.T(k))
	}
	f.Where = strings.Join(parts, " · ")
}

// excerptRunes is how much text is shown on each side of a finding's span.
const excerptRunes = 24

// highlight cuts the text of a finding around its span; a span outside the text
// (the text changed since) is shown without an excerpt.
func highlight(f checks.Finding, text string) finding {
	out := finding{Finding: f, Blocking: f.Blocking()}
	rs := []rune(text)
	if f.Start < 0 || f.End <= f.Start || f.End > len(rs) {
		return out
	}
	from, to := max(0, f.Start-excerptRunes), min(len(rs), f.End+excerptRunes)
	out.Before, out.Match, out.After = string(rs[from:f.Start]), string(rs[f.Start:f.End]), string(rs[f.End:to])
	if from > 0 {
		out.Before = "…" + out.Before
	}
	if to < len(rs) {
		out.After += "…"
	}
	return out
}

// formField turns the name of a checked or validated field of the service, such as
// publications[2].wechat.title or publications[0].topics[1], into the name of the
// form's input: pub_17.wechat_title, pub_12.topics (publications are shown per
// account, their fields with underscores).
func formField(name string, accounts []int64) string {
	rest, ok := strings.CutPrefix(name, "publications[")
	if !ok {
		return name
	}
	idx, tail, ok := strings.Cut(rest, "]")
	i, err := strconv.Atoi(idx)
	if !ok || err != nil || i < 0 || i >= len(accounts) {
		return "publications"
	}
	tail = strings.TrimPrefix(tail, ".")
	if j := strings.IndexByte(tail, '['); j >= 0 {
		tail = tail[:j]
	}
	tail = strings.ReplaceAll(tail, ".", "_")
	switch tail {
	case "text":
		tail = "text_zh"
	case "images", "videos":
		tail = "media_ids"
	case "wechat_cover":
		tail = "wechat_cover_media_id"
	case "":
		tail = "account_id"
	}
	return "pub_" + strconv.FormatInt(accounts[i], 10) + "." + tail
}

// findingsByField groups findings by the form input they concern, with excerpts of
// the texts that carry offsets.
func findingsByField(p *passerelle.Post, fs []checks.Finding) map[string][]finding {
	accounts := make([]int64, len(p.Publications))
	texts := map[string]string{"source_text": p.SourceText, "text_zh": p.TextZH}
	for i, b := range p.Publications {
		accounts[i] = b.AccountID
		prefix := "publications[" + strconv.Itoa(i) + "]."
		if b.Platform == passerelle.Weibo {
			texts[prefix+"text"] = editorial.WeiboStatus(b, p)
		}
		if a := b.WeChat; a != nil {
			w := prefix + "wechat."
			texts[w+"title"], texts[w+"author"], texts[w+"digest"] = a.Title, a.Author, a.Digest
		}
	}
	out := map[string][]finding{}
	for _, f := range fs {
		key := formField(f.Field, accounts)
		out[key] = append(out[key], highlight(f, texts[f.Field]))
	}
	return out
}

// parseLocalTime reads a datetime-local value ("2030-06-01T10:00", seconds allowed)
// in the institution's zone (passerelle.LocalInstant: a time skipped by a
// daylight-saving change is refused, a repeated one is its first occurrence).
func parseLocalTime(v string, loc *time.Location) (time.Time, error) {
	t, err := passerelle.LocalInstant(v, loc)
	if err != nil {
		return time.Time{}, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"at": passerelle.ErrorMessage(err)}}
	}
	return t, nil
}

// idList reads the positive integers of a multi-valued field, refusing anything else.
func idList(values []string) ([]int64, bool) {
	out := make([]int64, 0, len(values))
	for _, v := range values {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, false
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, true
}

// queryID reads an optional positive id of the query string; anything else is 0.
func queryID(r *http.Request, name string) int64 {
	n, err := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// Has reports whether a multi-valued field (checkboxes) holds value.
func (f *form) Has(name string, value any) bool {
	if f == nil || f.Values == nil {
		return false
	}
	return slices.Contains(f.Values[name], toString(value))
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case passerelle.Platform:
		return string(x)
	case passerelle.Status:
		return string(x)
	}
	return ""
}

// Or translates prefix+value when the catalog has it, else shows value as it is: the
// names of the organization's own themes are theirs.
func (l *localizer) Or(prefix, value string) string {
	if s, ok := l.messages[prefix+value]; ok {
		return s
	}
	return value
}

// safeArticle renders a WeChat article body. It was sanitised when saved; it is
// sanitised again here so that the page's safety never rests on what is stored.
func safeArticle(body string) template.HTML {
	clean, _ := checks.SanitizeWeChatHTML(body, checks.HostedImage)
	return template.HTML(clean)
}
