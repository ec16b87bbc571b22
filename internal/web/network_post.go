package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// The post editor's part for network accounts: a post with a publication on a
// network account names the member institutions it features. The choices are the
// members (the user can see) of the network accounts among the editor's targets;
// they are checked and saved by internal/partners, as the API does.

// featuredPanel is what the editor shows of a post's featured institutions.
type featuredPanel struct {
	// Members are the institutions that can be featured, in name order.
	Members []featuredMember
	// Saved are the stored post's featured institutions, by name.
	Saved   []string
	SavedID []int64
}

type featuredMember struct {
	ID   int64
	Name string
	// Accounts name the network accounts the institution is a member of.
	Accounts []string
}

// featuredField is the form's checkbox name; featuredShown says the form had the
// checkboxes (so that none ticked clears the list).
const (
	featuredField = "featured_institution_id"
	featuredShown = "featured_shown"
)

// fillFeatured loads the panel; nil when no target of the editor is a network
// account and the post features nothing.
func (h *handler) fillFeatured(r *http.Request, p *postPage) error {
	if h.Partners == nil {
		return nil
	}
	ctx, u := r.Context(), server.User(r.Context())
	insts, err := h.Tenancy.Institutions(ctx, u, false, tenancy.Page{})
	if err != nil {
		return err
	}
	lang := h.localizer(r).Lang
	names := map[int64]string{}
	for _, in := range insts {
		names[in.ID] = instName(in, lang)
	}
	panel := &featuredPanel{}
	byID := map[int64]int{}
	for _, a := range p.Accounts {
		ids, err := h.Partners.Members(ctx, u, a.ID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			name, ok := names[id]
			if !ok {
				continue
			}
			k, seen := byID[id]
			if !seen {
				k = len(panel.Members)
				byID[id] = k
				panel.Members = append(panel.Members, featuredMember{ID: id, Name: name})
			}
			panel.Members[k].Accounts = append(panel.Members[k].Accounts, p.AccountNames[a.ID])
		}
	}
	slices.SortFunc(panel.Members, func(a, b featuredMember) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	if p.Post != nil {
		if panel.SavedID, err = h.Partners.Featured(ctx, u, p.Post.ID); err != nil {
			return err
		}
		for _, id := range panel.SavedID {
			if n, ok := names[id]; ok {
				panel.Saved = append(panel.Saved, n)
			} else {
				panel.Saved = append(panel.Saved, "#"+strconv.FormatInt(id, 10))
			}
		}
	}
	if len(panel.Members) > 0 || len(panel.Saved) > 0 {
		p.Featured = panel
	}
	return nil
}

// featuredValues puts the stored featured institutions into the editor's form.
func featuredValues(p *postPage) {
	if p.Featured == nil || p.Form == nil {
		return
	}
	for _, id := range p.Featured.SavedID {
		p.Form.Values.Add(featuredField, strconv.FormatInt(id, 10))
	}
}

// featuredInput reads the featured institutions of the form into in: only when the
// form had the checkboxes, so that a form without them changes nothing.
func featuredInput(v map[string][]string, in *editorial.PostInput, fe passerelle.FieldErrors) {
	if len(v[featuredShown]) == 0 {
		return
	}
	ids, ok := idList(v[featuredField])
	if !ok {
		fe.Add("featured_institution_ids", "Unknown institution.")
		return
	}
	in.FeaturedInstitutionIDs = &ids
}

// checkFeatured checks the featured institutions against the network accounts of
// the publications given (internal/partners.CheckFeatured, as the API).
func (h *handler) checkFeatured(r *http.Request, in *editorial.PostInput) error {
	if in.FeaturedInstitutionIDs == nil || len(*in.FeaturedInstitutionIDs) == 0 {
		return nil
	}
	if h.Partners == nil {
		return passerelle.ErrNotFound
	}
	var accounts []int64
	if in.Publications != nil {
		for _, b := range *in.Publications {
			accounts = append(accounts, b.AccountID)
		}
	}
	return h.Partners.CheckFeatured(r.Context(), server.User(r.Context()), accounts, *in.FeaturedInstitutionIDs)
}

// setFeatured records the featured institutions of a saved post.
func (h *handler) setFeatured(r *http.Request, postID int64, in *editorial.PostInput) error {
	if in.FeaturedInstitutionIDs == nil || h.Partners == nil {
		return nil
	}
	return h.Partners.SetFeatured(r.Context(), server.User(r.Context()), postID, *in.FeaturedInstitutionIDs)
}
