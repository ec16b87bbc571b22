package web

import (
	"cmp"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/checks"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// The composer's live side: while one types, the page posts the form here (debounced)
// and gets back, for the draft as typed (nothing is saved):
//   - the findings, each with the id of its field;
//   - each publication's length, counted by the server's own rule (Weibo's units,
//     characters elsewhere), with the limit, shown beside the publication's text;
//   - the glossary terms of the source text with their approved renderings, and
//     whether the Chinese text already carries one;
//   - each publication as the phone will show it (the Weibo status with the offset of
//     the "全文" fold, the WeChat article with its body cleaned as it will be saved,
//     the assisted platforms' note).

type liveFinding struct {
	Field    string `json:"field"` // the form input's id
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Where    string `json:"where"`
}

// liveCount is one length beside one field: Target is the id of the element that
// shows it, Label the sentence it shows.
type liveCount struct {
	Target  string `json:"target"`
	Account string `json:"account"`
	Label   string `json:"label"`
	Length  int    `json:"length"`
	Limit   int    `json:"limit"`
}

type liveTerm struct {
	checks.SourceTerm
	// Rendered: the post's Chinese text carries the rendering or an accepted one.
	Rendered bool `json:"rendered"`
}

// livePreview is a publication as the phone shows it. Fold is the rune offset of Text
// from which Weibo's feed hides the rest behind "全文" (-1: all shown).
type livePreview struct {
	Account  int64               `json:"account"`
	Platform passerelle.Platform `json:"platform"`
	Format   string              `json:"format"`
	Name     string              `json:"name"`
	Text     string              `json:"text"`
	Fold     int                 `json:"fold"`
	Title    string              `json:"title,omitempty"`
	Author   string              `json:"author,omitempty"`
	Digest   string              `json:"digest,omitempty"`
	Body     string              `json:"body,omitempty"`
	Cover    string              `json:"cover,omitempty"`
	// Media are the images' ids; the page shows the thumbnails it already has.
	Media []int64 `json:"media"`
}

type liveChecks struct {
	Findings []liveFinding `json:"findings"`
	Counts   []liveCount   `json:"counts"`
	Blocking int           `json:"blocking"`
	Terms    []liveTerm    `json:"terms"`
	Previews []livePreview `json:"previews"`
	// Source is the source text the terms' offsets point into.
	Source string `json:"source"`
	// Rights warns of images whose rights end before a publication that uses them.
	Rights []string `json:"rights"`
}

// weiboFeedFold is how many characters of a status Weibo's feed shows before "全文".
const weiboFeedFold = 140

// postCheck answers the live checks of a saved post's form.
func (h *handler) postCheck(w http.ResponseWriter, r *http.Request) {
	post, err := h.loadPost(r)
	if err != nil {
		h.srv.Error(w, r, err)
		return
	}
	h.liveCheck(w, r, post.InstitutionID, func(in *editorial.PostInput, lang string) ([]checks.Finding, map[int64]int, *passerelle.Post, error) {
		return h.Editorial.CheckDraft(r.Context(), server.User(r.Context()), post.ID, in, lang)
	})
}

// newPostCheck answers the live checks of the form of a post not saved yet, in the
// institution of the path.
func (h *handler) newPostCheck(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.srv.Error(w, r, err)
		return
	}
	if _, err := h.Tenancy.Institution(r.Context(), server.User(r.Context()), id); err != nil {
		h.srv.Error(w, r, err)
		return
	}
	h.liveCheck(w, r, id, func(in *editorial.PostInput, lang string) ([]checks.Finding, map[int64]int, *passerelle.Post, error) {
		return h.Editorial.CheckNewDraft(r.Context(), server.User(r.Context()), id, in, lang)
	})
}

// liveCheck reads the composer's form for a post of the institution, has check run the
// checks on the draft it describes, and answers the live result.
func (h *handler) liveCheck(w http.ResponseWriter, r *http.Request, institutionID int64, check func(*editorial.PostInput, string) ([]checks.Finding, map[int64]int, *passerelle.Post, error)) {
	if err := parseForm(r); err != nil {
		h.srv.Error(w, r, err)
		return
	}
	u := server.User(r.Context())
	accs, err := h.managedTargets(r.Context(), u.OrgID, institutionID)
	if err != nil {
		h.srv.Error(w, r, err)
		return
	}
	in, _, fe := postInput(r.PostForm, accs)
	if err := fe.Err(); err != nil {
		h.srv.Error(w, r, err)
		return
	}
	in.Version = nil
	l := h.localizer(r)
	fs, lengths, draft, err := check(in, l.Lang)
	if err != nil {
		h.srv.Error(w, r, err)
		return
	}
	checker, err := h.Editorial.Checker(r.Context(), draft.OrgID, draft.InstitutionID)
	if err != nil {
		h.srv.Error(w, r, err)
		return
	}
	out := liveResult(l, draft, accs, lengths, checker)
	out.Rights, fs = splitRights(fs)
	for _, f := range fs {
		if f.Blocking() {
			out.Blocking++
		}
	}
	accounts := make([]int64, len(draft.Publications))
	platforms := map[int64]passerelle.Platform{}
	for i, b := range draft.Publications {
		accounts[i], platforms[b.AccountID] = b.AccountID, b.Platform
	}
	for _, f := range fs {
		x := finding{Finding: f}
		locate(l, &x, accounts, names(accs), platforms)
		out.Findings = append(out.Findings, liveFinding{Field: x.Anchor, Severity: f.Severity, Message: f.Message, Where: x.Where})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(out)
}

// liveResult computes the counts, terms and previews of a draft.
func liveResult(l *localizer, draft *passerelle.Post, accs []*passerelle.Account, weiboLengths map[int64]int, checker *checks.Checker) *liveChecks {
	out := &liveChecks{Findings: []liveFinding{}, Counts: []liveCount{}, Terms: []liveTerm{}, Previews: []livePreview{}}
	names := names(accs)
	lim := checks.DefaultLimits()
	count := func(target string, b *passerelle.Publication, key string, n, limit int) {
		out.Counts = append(out.Counts, liveCount{Target: target, Account: l.T("platform."+string(b.Platform)) + " " + names[b.AccountID],
			Label: l.T(key, n, limit), Length: n, Limit: limit})
	}
	for _, b := range draft.Publications {
		pre := "count-pub_" + strconv.FormatInt(b.AccountID, 10)
		pv := livePreview{Account: b.AccountID, Platform: b.Platform, Format: b.Format, Name: names[b.AccountID], Fold: -1, Media: b.MediaIDs}
		switch {
		case b.Platform == passerelle.Weibo:
			limit := lim.WeiboLong
			if b.Mode == passerelle.ModeAPI {
				limit = lim.WeiboAPI
			}
			count(pre, b, "composer.count", weiboLengths[b.AccountID], limit)
			pv.Text = editorial.WeiboStatus(b, draft)
			pv.Fold = checks.WeiboFold(pv.Text, weiboFeedFold)
		case b.WeChat != nil:
			a := b.WeChat
			count(pre+"-title", b, "composer.count_title", utf8.RuneCountInString(a.Title), lim.WeChatTitle)
			count(pre+"-digest", b, "composer.count_digest", utf8.RuneCountInString(a.Digest), lim.WeChatDigest)
			pv.Title, pv.Author, pv.Digest = a.Title, a.Author, a.Digest
			pv.Body, _ = checks.SanitizeWeChatHTML(a.BodyHTML, checks.HostedImage)
			if a.CoverMediaID > 0 {
				pv.Cover = "/media/" + strconv.FormatInt(a.CoverMediaID, 10) + "/wechat_cover_235?x=" + fraction(a.Crop235.X) + "&y=" + fraction(a.Crop235.Y)
			}
		default:
			// The assisted platforms: the kit's text, counted as the kit counts it.
			k := publish.BuildKit(draft, b, nil)
			if k.Rule.TitleMax > 0 {
				count(pre+"-title", b, "composer.count_title", utf8.RuneCountInString(k.Title), k.Rule.TitleMax)
			}
			count(pre, b, "composer.count", utf8.RuneCountInString(k.Copy), k.Rule.TextMax)
			pv.Title, pv.Text = k.Title, k.Copy
			if len(pv.Media) == 0 {
				pv.Media = draft.MediaIDs
			}
		}
		if pv.Media == nil {
			pv.Media = []int64{}
		}
		out.Previews = append(out.Previews, pv)
	}
	out.Source = draft.SourceText
	for _, t := range checker.SourceTerms(draft.SourceText) {
		lt := liveTerm{SourceTerm: t}
		for _, z := range append([]string{t.ZH}, t.Accepted...) {
			if z != "" && strings.Contains(draft.TextZH, z) {
				lt.Rendered = true
			}
		}
		out.Terms = append(out.Terms, lt)
	}
	return out
}

// names are the accounts' names by id.
func names(accs []*passerelle.Account) map[int64]string {
	out := map[int64]string{}
	for _, a := range accs {
		out[a.ID] = cmp.Or(a.DisplayName, a.Handle)
	}
	return out
}
