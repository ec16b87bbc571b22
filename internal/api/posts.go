package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/checks"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Editorial serves the editorial workflow: posts and their publications, checks,
// transitions, history, comments, guest review links, the glossary and the sensitive
// vocabulary, the media library and the calendar.
type Editorial struct {
	srv *server.Server
	svc *editorial.Service
	// partners checks and records the institutions a post on a network account
	// features (RegisterPartners sets it).
	partners *partners.Service
}

// uploadLimit bounds a media upload's body: the largest image plus room for a
// multipart envelope.
const uploadLimit = media.DefaultMaxBytes + 1<<20

// RegisterEditorial adds the editorial routes.
func RegisterEditorial(srv *server.Server, svc *editorial.Service) *Editorial {
	e := &Editorial{srv: srv, svc: svc}
	srv.HandleFunc("GET /api/v1/posts", server.API, e.listPosts)
	srv.HandleFunc("POST /api/v1/posts", server.API, e.createPost)
	srv.HandleFunc("GET /api/v1/posts/{id}", server.API, e.getPost)
	srv.HandleFunc("PATCH /api/v1/posts/{id}", server.API, e.updatePost)
	srv.HandleFunc("DELETE /api/v1/posts/{id}", server.API, e.deletePost)
	srv.HandleFunc("POST /api/v1/posts/{id}/checks", server.API, e.checkPost)
	srv.HandleFunc("POST /api/v1/posts/{id}/transitions", server.API, e.transition)
	srv.HandleFunc("GET /api/v1/posts/{id}/history", server.API, e.history)
	srv.HandleFunc("GET /api/v1/posts/{id}/comments", server.API, e.listComments)
	srv.HandleFunc("POST /api/v1/posts/{id}/comments", server.API, e.addComment)
	srv.HandleFunc("GET /api/v1/posts/{id}/guest-links", server.API, e.listGuestLinks)
	srv.HandleFunc("POST /api/v1/posts/{id}/guest-links", server.API, e.createGuestLink)
	srv.HandleFunc("DELETE /api/v1/posts/{id}/guest-links/{link}", server.API, e.revokeGuestLink)
	srv.HandleFunc("PUT /api/v1/publications/{id}/schedule", server.API, e.schedule)

	srv.HandleFunc("GET /api/v1/guest/{token}", server.Public, e.guestView)
	srv.HandleFunc("POST /api/v1/guest/{token}/decision", server.Public, e.guestDecision)
	srv.HandleFunc("POST /api/v1/guest/{token}/comments", server.Public, e.guestComment)
	srv.HandleFunc("GET /api/v1/guest/{token}/media/{media}/{spec}", server.Public, e.guestMedia)
	srv.HandleFunc("PUT /api/v1/guest/{token}/publication", server.Public, e.guestPublication)
	srv.HandleFunc("PUT /api/v1/posts/{id}/coauthors/{partner_id}/publication", server.API, e.coAuthorPublication)

	srv.HandleFunc("GET /api/v1/glossary", server.API, e.listGlossary)
	srv.HandleFunc("POST /api/v1/glossary", server.API, e.createTerm)
	srv.HandleFunc("PATCH /api/v1/glossary/{id}", server.API, e.updateTerm)
	srv.HandleFunc("DELETE /api/v1/glossary/{id}", server.API, e.deleteTerm)
	srv.HandleFunc("POST /api/v1/glossary/import", server.API, e.importGlossary, server.BodyLimit(editorial.MaxImportBytes))
	srv.HandleFunc("GET /api/v1/glossary/export", server.API, e.exportGlossary)
	srv.HandleFunc("GET /api/v1/lexicon", server.API, e.listLexicon)
	srv.HandleFunc("POST /api/v1/lexicon", server.API, e.addLexicon)
	srv.HandleFunc("DELETE /api/v1/lexicon/{id}", server.API, e.deleteLexicon)
	srv.HandleFunc("POST /api/v1/lexicon/import", server.API, e.importLexicon, server.BodyLimit(editorial.MaxImportBytes))
	srv.HandleFunc("GET /api/v1/lexicon/export", server.API, e.exportLexicon)
	srv.HandleFunc("GET /api/v1/themes", server.API, e.getThemes)
	srv.HandleFunc("PUT /api/v1/themes", server.API, e.putThemes)
	srv.HandleFunc("PUT /api/v1/institutions/{id}/editorial", server.API, e.putInstitutionSettings)
	srv.HandleFunc("GET /api/v1/institutions/{id}/quiet-hours", server.API, e.getQuietHours)
	srv.HandleFunc("PUT /api/v1/institutions/{id}/quiet-hours", server.API, e.putQuietHours)
	srv.HandleFunc("POST /api/v1/institutions/{id}/schedule-import", server.API, e.importSchedule, server.BodyLimit(editorial.MaxScheduleImportBytes))

	srv.HandleFunc("GET /api/v1/institutions/{id}/media", server.API, e.listMedia)
	srv.HandleFunc("POST /api/v1/institutions/{id}/media", server.API, e.upload, server.BodyLimit(uploadLimit))
	srv.HandleFunc("GET /api/v1/media/{id}", server.API, e.getMedia)
	srv.HandleFunc("PATCH /api/v1/media/{id}", server.API, e.updateMedia)
	srv.HandleFunc("GET /api/v1/media/{id}/file", server.API, e.mediaFile)
	srv.HandleFunc("GET /api/v1/media/{id}/renditions/{spec}", server.API, e.rendition)

	srv.HandleFunc("GET /api/v1/calendar", server.API, e.calendar)
	srv.HandleFunc("PUT /api/v1/accounts/{id}/cadence", server.API, e.putCadence)
	return e
}

func (e *Editorial) fail(w http.ResponseWriter, r *http.Request, err error) { e.srv.Error(w, r, err) }

// lang is the language of messages: ?lang=, else the user's, else the browser's.
func lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); passerelle.ValidLocale(l) && l != "" {
		return l
	}
	if u := server.User(r.Context()); u != nil && u.Locale != "" {
		return u.Locale
	}
	al := r.Header.Get("Accept-Language")
	first, _, _ := strings.Cut(al, ",")
	first, _, _ = strings.Cut(first, ";")
	return strings.TrimSpace(first)
}

// withLocale gives the service the request's language for messages.
func withLocale(r *http.Request) *passerelle.User {
	u := *server.User(r.Context())
	u.Locale = lang(r)
	return &u
}

// postBody is a post with what its last save found.
type postBody struct {
	*passerelle.Post
	Findings []checks.Finding    `json:"findings"`
	Removed  []editorial.Removal `json:"removed"`
	// Featured are the member institutions a post on a network account features.
	Featured []int64 `json:"featured_institution_ids"`
	coAuthorsBody
}

// coAuthorsBody is what a post's body says of its co-authors: their partner ids and
// each one's approval and publication.
type coAuthorsBody struct {
	CoAuthorIDs []int64                `json:"coauthor_partner_ids"`
	CoAuthors   []*passerelle.CoAuthor `json:"coauthors"`
}

func queryInt(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, paramErr(map[string]string{name: "Use a positive integer."})
	}
	return n, nil
}

func statuses(r *http.Request) []passerelle.Status {
	var out []passerelle.Status
	for _, s := range r.URL.Query()["status"] {
		for part := range strings.SplitSeq(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, passerelle.Status(part))
			}
		}
	}
	return out
}

func (e *Editorial) listPosts(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	inst, err := queryInt(r, "institution_id")
	if err != nil {
		e.fail(w, r, err)
		return
	}
	items, err := e.svc.Posts(r.Context(), server.User(r.Context()), editorial.PostQuery{InstitutionID: inst, Statuses: statuses(r), Theme: r.URL.Query().Get("theme"), AfterID: p.AfterID, Limit: p.Limit + 1})
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, paged(items, p.Limit, func(p *passerelle.Post) int64 { return p.ID }))
}

func (e *Editorial) createPost(w http.ResponseWriter, r *http.Request) {
	var in editorial.PostInput
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	if err := e.checkFeatured(r, &in, nil); err != nil {
		e.fail(w, r, err)
		return
	}
	if err := e.checkCoAuthors(r, &in, nil); err != nil {
		e.fail(w, r, err)
		return
	}
	s, err := e.svc.CreatePost(r.Context(), withLocale(r), &in)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	featured, err := e.setFeatured(r, s.Post, &in)
	var co coAuthorsBody
	if err == nil {
		co, err = e.setCoAuthors(r, s.Post, &in)
	}
	if err != nil {
		// Nothing of a refused request stays: the post just made goes.
		e.svc.DeletePost(r.Context(), server.User(r.Context()), s.Post.ID)
		e.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/posts/"+itoa(s.Post.ID))
	server.WriteJSON(w, http.StatusCreated, postBody{s.Post, s.Findings, s.Removed, featured, co})
}

// checkFeatured checks a post's featured institutions against the network accounts
// of its publications (those of the input, else those of the stored post).
func (e *Editorial) checkFeatured(r *http.Request, in *editorial.PostInput, stored *passerelle.Post) error {
	if in.FeaturedInstitutionIDs == nil || len(*in.FeaturedInstitutionIDs) == 0 {
		return nil
	}
	if e.partners == nil {
		return paramErr(map[string]string{"featured_institution_ids": "Network accounts are not available on this server."})
	}
	var accounts []int64
	if in.Publications != nil {
		for _, b := range *in.Publications {
			accounts = append(accounts, b.AccountID)
		}
	} else if stored != nil {
		for _, b := range stored.Publications {
			accounts = append(accounts, b.AccountID)
		}
	}
	return e.partners.CheckFeatured(r.Context(), server.User(r.Context()), accounts, *in.FeaturedInstitutionIDs)
}

// setFeatured records the featured institutions given, and returns the post's.
func (e *Editorial) setFeatured(r *http.Request, p *passerelle.Post, in *editorial.PostInput) ([]int64, error) {
	if e.partners == nil {
		return []int64{}, nil
	}
	u := server.User(r.Context())
	if in.FeaturedInstitutionIDs != nil {
		if err := e.partners.SetFeatured(r.Context(), u, p.ID, *in.FeaturedInstitutionIDs); err != nil {
			return nil, err
		}
	}
	return e.partners.Featured(r.Context(), u, p.ID)
}

// checkCoAuthors checks the co-authors a post is to name (editorial.CheckCoAuthors).
func (e *Editorial) checkCoAuthors(r *http.Request, in *editorial.PostInput, stored *passerelle.Post) error {
	if in.CoAuthorPartnerIDs == nil {
		return nil
	}
	return e.svc.CheckCoAuthors(r.Context(), server.User(r.Context()), *in.CoAuthorPartnerIDs, stored)
}

// setCoAuthors records the co-authors given, and returns the post's.
func (e *Editorial) setCoAuthors(r *http.Request, p *passerelle.Post, in *editorial.PostInput) (coAuthorsBody, error) {
	u := server.User(r.Context())
	if in.CoAuthorPartnerIDs != nil {
		if err := e.svc.SetCoAuthors(r.Context(), u, p.ID, *in.CoAuthorPartnerIDs); err != nil {
			return coAuthorsBody{}, err
		}
	}
	return e.coAuthors(r, p.ID)
}

func (e *Editorial) coAuthors(r *http.Request, postID int64) (coAuthorsBody, error) {
	cs, err := e.svc.CoAuthors(r.Context(), server.User(r.Context()), postID)
	if err != nil {
		return coAuthorsBody{}, err
	}
	b := coAuthorsBody{CoAuthorIDs: make([]int64, len(cs)), CoAuthors: cs}
	for i, c := range cs {
		b.CoAuthorIDs[i] = c.PartnerID
	}
	return b, nil
}

func (e *Editorial) getPost(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var p *passerelle.Post
		if p, err = e.svc.Post(r.Context(), server.User(r.Context()), id); err == nil {
			var co coAuthorsBody
			if co, err = e.coAuthors(r, p.ID); err == nil {
				server.WriteJSON(w, http.StatusOK, struct {
					*passerelle.Post
					coAuthorsBody
				}{p, co})
				return
			}
		}
	}
	e.fail(w, r, err)
}

func (e *Editorial) updatePost(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	// An invisible post answers 404 before the body is judged.
	stored, err := e.svc.Post(r.Context(), server.User(r.Context()), id)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	var in editorial.PostInput
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	if err := e.checkFeatured(r, &in, stored); err != nil {
		e.fail(w, r, err)
		return
	}
	if err := e.checkCoAuthors(r, &in, stored); err != nil {
		e.fail(w, r, err)
		return
	}
	s, err := e.svc.UpdatePost(r.Context(), withLocale(r), id, &in)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	featured, err := e.setFeatured(r, s.Post, &in)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	co, err := e.setCoAuthors(r, s.Post, &in)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, postBody{s.Post, s.Findings, s.Removed, featured, co})
}

func (e *Editorial) deletePost(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = e.svc.DeletePost(r.Context(), server.User(r.Context()), id)
	}
	if err != nil {
		e.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (e *Editorial) checkPost(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	fs, err := e.svc.Check(r.Context(), server.User(r.Context()), id, lang(r))
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"findings": fs, "blocking": checks.HasBlocking(fs)})
}

type transitionInput struct {
	To      *string `json:"to"`
	Comment string  `json:"comment"`
}

func (e *Editorial) transition(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	if _, err := e.svc.Post(r.Context(), server.User(r.Context()), id); err != nil {
		e.fail(w, r, err)
		return
	}
	var in transitionInput
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	if in.To == nil {
		e.fail(w, r, paramErr(map[string]string{"to": "Required."}))
		return
	}
	p, err := e.svc.Transition(r.Context(), withLocale(r), id, passerelle.Status(*in.To), in.Comment)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, p)
}

func (e *Editorial) history(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var h *editorial.History
		if h, err = e.svc.History(r.Context(), server.User(r.Context()), id); err == nil {
			server.WriteJSON(w, http.StatusOK, h)
			return
		}
	}
	e.fail(w, r, err)
}

func (e *Editorial) listComments(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var cs []*passerelle.Comment
		if cs, err = e.svc.Comments(r.Context(), server.User(r.Context()), id); err == nil {
			if cs == nil {
				cs = []*passerelle.Comment{}
			}
			server.WriteJSON(w, http.StatusOK, list[*passerelle.Comment]{Items: cs})
			return
		}
	}
	e.fail(w, r, err)
}

type commentInput struct {
	Body     string `json:"body"`
	ParentID int64  `json:"parent_id"`
	// Name is who a guest says they are (guest links only).
	Name string `json:"name"`
}

func (e *Editorial) addComment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	if _, err := e.svc.Post(r.Context(), server.User(r.Context()), id); err != nil {
		e.fail(w, r, err)
		return
	}
	var in commentInput
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	c := &passerelle.Comment{PostID: id, ParentID: in.ParentID, Body: in.Body}
	if err := e.svc.AddComment(r.Context(), server.User(r.Context()), c); err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusCreated, c)
}

type guestLinkInput struct {
	Label    string `json:"label"`
	TTLHours *int   `json:"ttl_hours"`
	// PartnerID binds the link to a co-author of the post.
	PartnerID int64 `json:"partner_id"`
}

func (e *Editorial) createGuestLink(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	if _, err := e.svc.Post(r.Context(), server.User(r.Context()), id); err != nil {
		e.fail(w, r, err)
		return
	}
	var in guestLinkInput
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	var ttl time.Duration
	if in.TTLHours != nil {
		if *in.TTLHours < 1 || *in.TTLHours > 90*24 {
			e.fail(w, r, paramErr(map[string]string{"ttl_hours": "Choose from 1 hour to 90 days."}))
			return
		}
		ttl = time.Duration(*in.TTLHours) * time.Hour
	}
	var g *store.GuestLink
	var token string
	if in.PartnerID != 0 {
		g, token, err = e.svc.CreateCoAuthorLink(r.Context(), server.User(r.Context()), id, in.PartnerID, in.Label, ttl)
	} else {
		g, token, err = e.svc.CreateGuestLink(r.Context(), server.User(r.Context()), id, in.Label, ttl)
	}
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusCreated, map[string]any{"link": g, "token": token, "path": "/review/" + token})
}

func (e *Editorial) listGuestLinks(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		links, lerr := e.svc.GuestLinks(r.Context(), server.User(r.Context()), id)
		if err = lerr; err == nil {
			if links == nil {
				links = []*store.GuestLink{}
			}
			server.WriteJSON(w, http.StatusOK, list[*store.GuestLink]{Items: links})
			return
		}
	}
	e.fail(w, r, err)
}

func (e *Editorial) revokeGuestLink(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	link, perr := strconv.ParseInt(r.PathValue("link"), 10, 64)
	if perr != nil || link <= 0 {
		e.fail(w, r, passerelle.ErrNotFound)
		return
	}
	if err := e.svc.RevokeGuestLink(r.Context(), server.User(r.Context()), id, link); err != nil {
		e.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type scheduleInput struct {
	// ScheduledAt is an RFC 3339 instant, or null to clear.
	ScheduledAt *time.Time `json:"scheduled_at"`
}

func (e *Editorial) schedule(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	var raw map[string]json.RawMessage
	if err := decode(r, &raw); err != nil {
		e.fail(w, r, err)
		return
	}
	v, ok := raw["scheduled_at"]
	if !ok || len(raw) != 1 {
		e.fail(w, r, paramErr(map[string]string{"scheduled_at": "Send {\"scheduled_at\": an RFC 3339 time, or null}."}))
		return
	}
	var in scheduleInput
	if err := json.Unmarshal([]byte(`{"scheduled_at":`+string(v)+`}`), &in); err != nil {
		e.fail(w, r, paramErr(map[string]string{"scheduled_at": "Use an RFC 3339 time such as 2030-06-01T10:00:00+08:00, or null."}))
		return
	}
	p, err := e.svc.Schedule(r.Context(), server.User(r.Context()), id, in.ScheduledAt)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, p)
}

func (e *Editorial) guestView(w http.ResponseWriter, r *http.Request) {
	v, err := e.svc.OpenGuest(r.Context(), r.PathValue("token"))
	if err != nil {
		e.fail(w, r, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	server.WriteJSON(w, http.StatusOK, v)
}

type decisionInput struct {
	To      *string `json:"to"`
	Comment string  `json:"comment"`
	Name    string  `json:"name"`
}

func (e *Editorial) guestDecision(w http.ResponseWriter, r *http.Request) {
	var in decisionInput
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	if in.To == nil {
		e.fail(w, r, paramErr(map[string]string{"to": "Required: approved or draft."}))
		return
	}
	p, err := e.svc.GuestDecision(r.Context(), r.PathValue("token"), passerelle.Status(*in.To), in.Comment, in.Name, lang(r))
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"status": p.Status, "approval_step": p.ApprovalStep})
}

func (e *Editorial) guestComment(w http.ResponseWriter, r *http.Request) {
	var in commentInput
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	c := &passerelle.Comment{ParentID: in.ParentID, Body: in.Body}
	if err := e.svc.GuestComment(r.Context(), r.PathValue("token"), c, in.Name); err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusCreated, c)
}

func (e *Editorial) guestMedia(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("media"), 10, 64)
	if err != nil || id <= 0 {
		e.fail(w, r, passerelle.ErrNotFound)
		return
	}
	rend, rc, err := e.svc.GuestMedia(r.Context(), r.PathValue("token"), id, r.PathValue("spec"))
	if err != nil {
		e.fail(w, r, err)
		return
	}
	defer rc.Close()
	serveBytes(w, rend.MIME, rend.Bytes, rc)
}

// coAuthorPublicationInput is a co-author's publication of a joint post: its
// address and its figures.
type coAuthorPublicationInput struct {
	URL             *string `json:"url"`
	Views           *int64  `json:"views"`
	ViewsLowerBound bool    `json:"views_lower_bound"`
	Reposts         *int64  `json:"reposts"`
	Likes           *int64  `json:"likes"`
	Comments        *int64  `json:"comments"`
}

func (in coAuthorPublicationInput) publication() editorial.CoAuthorPublication {
	return editorial.CoAuthorPublication{URL: in.URL, CoAuthorFigures: passerelle.CoAuthorFigures{Views: in.Views, ViewsLowerBound: in.ViewsLowerBound,
		Reposts: in.Reposts, Likes: in.Likes, Comments: in.Comments}}
}

// coAuthorPublication records, for an editor, a co-author's publication of the post.
func (e *Editorial) coAuthorPublication(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	partner, err := strconv.ParseInt(r.PathValue("partner_id"), 10, 64)
	if err != nil || partner <= 0 {
		e.fail(w, r, passerelle.ErrNotFound)
		return
	}
	// An invisible post answers 404 before the body is judged.
	if _, err := e.svc.Post(r.Context(), server.User(r.Context()), id); err != nil {
		e.fail(w, r, err)
		return
	}
	var in coAuthorPublicationInput
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	c, err := e.svc.RecordCoAuthorPublication(r.Context(), server.User(r.Context()), id, partner, in.publication())
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, c)
}

// guestPublication records, through a co-author's review link, the co-author's
// publication of the post once it is out.
func (e *Editorial) guestPublication(w http.ResponseWriter, r *http.Request) {
	var in coAuthorPublicationInput
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	c, err := e.svc.GuestRecordPublication(r.Context(), r.PathValue("token"), in.publication())
	if err != nil {
		e.fail(w, r, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	server.WriteJSON(w, http.StatusOK, c)
}
