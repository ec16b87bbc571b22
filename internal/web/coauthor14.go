package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// Co-created posts on the post page: the composer names partners of the directory
// as co-authors, the page shows each co-author's approval and publication and both
// sides' reach, a review link may be bound to a co-author, and an editor records the
// co-author's publication. The co-author's side of the review page is in review.go.

// coAuthorPanel is what the post page shows of co-authors.
type coAuthorPanel struct {
	// Choices are the directory's partners the composer offers, by name.
	Choices []coAuthorChoice
	// CoAuthors are the stored post's co-authors; Waiting names those whose
	// approval scheduling waits for.
	CoAuthors []*passerelle.CoAuthor
	Waiting   []string
	// Own and Partner are both sides' known views (Own… from the publications'
	// figures); …Lower say a count is "at least".
	OwnViews, PartnerViews int64
	OwnLower, PartnerLower bool
	// CanRecord: the user may record a co-author's publication.
	CanRecord bool
}

type coAuthorChoice struct {
	ID   int64
	Name string
}

const (
	coAuthorField = "coauthor_partner_id"
	coAuthorShown = "coauthors_shown"
	// maxCoAuthorChoices bounds the partners listed in the composer.
	maxCoAuthorChoices = 500
)

// fillCoAuthors loads the panel; nil when the organization has no partner and the
// post names none.
func (h *handler) fillCoAuthors(r *http.Request, p *postPage) error {
	if h.Partners == nil {
		return nil
	}
	ctx, u := r.Context(), server.User(r.Context())
	panel := &coAuthorPanel{}
	ps, err := h.Partners.Partners(ctx, u, partners.Search{Limit: maxCoAuthorChoices})
	if err != nil && passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
		return err
	}
	for _, pt := range ps {
		panel.Choices = append(panel.Choices, coAuthorChoice{ID: pt.ID, Name: partnerDisplay(pt)})
	}
	if p.Post != nil {
		if panel.CoAuthors, err = h.Editorial.CoAuthors(ctx, u, p.Post.ID); err != nil {
			return err
		}
		for _, c := range panel.CoAuthors {
			if !c.Approved {
				panel.Waiting = append(panel.Waiting, c.Display())
			}
			if c.URL != "" && c.Views != nil {
				panel.PartnerViews += *c.Views
				panel.PartnerLower = panel.PartnerLower || c.ViewsLowerBound
			}
			// A co-author named but no longer in the first page of the directory.
			if !slices.ContainsFunc(panel.Choices, func(x coAuthorChoice) bool { return x.ID == c.PartnerID }) {
				panel.Choices = append(panel.Choices, coAuthorChoice{ID: c.PartnerID, Name: c.Display()})
			}
		}
		if panel.OwnViews, panel.OwnLower, err = h.Editorial.OwnViews(ctx, u, p.Post.ID); err != nil {
			return err
		}
		panel.CanRecord = u.Can(p.Post.InstitutionID, passerelle.PermSchedule)
	}
	if len(panel.Choices) == 0 {
		return nil
	}
	slices.SortFunc(panel.Choices, func(a, b coAuthorChoice) int { return cmp.Compare(a.Name, b.Name) })
	p.CoAuthors = panel
	return nil
}

func partnerDisplay(pt *passerelle.Partner) string {
	if pt.NameZH != "" && pt.NameZH != pt.Name {
		return pt.Name + " · " + pt.NameZH
	}
	return pt.Name
}

// coAuthorValues puts the stored co-authors into the composer's form.
func coAuthorValues(p *postPage) {
	if p.CoAuthors == nil || p.Form == nil {
		return
	}
	for _, c := range p.CoAuthors.CoAuthors {
		p.Form.Values.Add(coAuthorField, strconv.FormatInt(c.PartnerID, 10))
	}
}

// coAuthorInput reads the co-authors of the form into in: only when the form showed
// the choice, so that a form without it leaves them as they are.
func coAuthorInput(v map[string][]string, in *editorial.PostInput, fe passerelle.FieldErrors) {
	if len(v[coAuthorShown]) == 0 {
		return
	}
	ids, ok := idList(v[coAuthorField])
	if !ok {
		fe.Add("coauthor_partner_ids", "Unknown partner.")
		return
	}
	in.CoAuthorPartnerIDs = &ids
}

// checkCoAuthors checks the co-authors given (editorial.CheckCoAuthors, as the API).
func (h *handler) checkCoAuthors(r *http.Request, in *editorial.PostInput, stored *passerelle.Post) error {
	if in.CoAuthorPartnerIDs == nil {
		return nil
	}
	return h.Editorial.CheckCoAuthors(r.Context(), server.User(r.Context()), *in.CoAuthorPartnerIDs, stored)
}

// setCoAuthors records the co-authors of a saved post.
func (h *handler) setCoAuthors(r *http.Request, postID int64, in *editorial.PostInput) error {
	if in.CoAuthorPartnerIDs == nil {
		return nil
	}
	return h.Editorial.SetCoAuthors(r.Context(), server.User(r.Context()), postID, *in.CoAuthorPartnerIDs)
}

// coAuthorPublicationForm reads a co-author's publication from a form: its address,
// and figures where typed.
func coAuthorPublicationForm(v map[string][]string) (editorial.CoAuthorPublication, error) {
	get := func(k string) string {
		if len(v[k]) == 0 {
			return ""
		}
		return strings.TrimSpace(v[k][0])
	}
	var out editorial.CoAuthorPublication
	if u := get("url"); u != "" {
		out.URL = &u
	}
	fe := passerelle.FieldErrors{}
	for _, f := range []struct {
		name string
		dst  **int64
	}{{"views", &out.Views}, {"reposts", &out.Reposts}, {"likes", &out.Likes}, {"comments", &out.Comments}} {
		s := strings.NewReplacer(",", "", " ", "", "\u00a0", "", "\u202f", "").Replace(get(f.name))
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fe.Add(f.name, "Use a whole number.")
			continue
		}
		*f.dst = &n
	}
	out.ViewsLowerBound = get("views_lower_bound") != ""
	return out, fe.Err()
}

// coAuthorRecord records, for an editor, a co-author's publication of the post.
func (h *handler) coAuthorRecord(w http.ResponseWriter, r *http.Request) {
	post, err := h.loadPost(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	partner, err := strconv.ParseInt(r.PathValue("partner_id"), 10, 64)
	if err != nil || partner <= 0 {
		h.notFound(w, r)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	back := postPath(post.ID) + "#coauthors"
	in, err := coAuthorPublicationForm(r.PostForm)
	if err == nil {
		_, err = h.Editorial.RecordCoAuthorPublication(r.Context(), server.User(r.Context()), post.ID, partner, in)
	}
	if err != nil {
		if passerelle.ErrorCode(err) == passerelle.ENOTFOUND || passerelle.ErrorCode(err) == passerelle.EFORBIDDEN {
			h.fail(w, r, err)
			return
		}
		h.redirectError(w, r, back, fieldMessage(err))
		return
	}
	h.redirect(w, r, back, "coauthor14.flash_recorded")
}

// reviewPublication records, through a co-author's review link, the co-author's
// publication of the post.
func (h *handler) reviewPublication(w http.ResponseWriter, r *http.Request) {
	noReferrer(w)
	token := r.PathValue("token")
	if err := parseForm(r); err != nil {
		h.failView(w, r, err, true)
		return
	}
	in, err := coAuthorPublicationForm(r.PostForm)
	if err == nil {
		_, err = h.Editorial.GuestRecordPublication(r.Context(), token, in)
	}
	if err != nil {
		h.guestRefusal(w, r, token, err)
		return
	}
	h.redirect(w, r, reviewPath(token)+"#coauthor-publication", "coauthor14.flash_recorded")
}
