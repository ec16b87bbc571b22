package api

import (
	"bytes"
	"context"
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/csvout"
	"github.com/passerelle-oss/passerelle/internal/desk"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// The inbox's working tools: assignees, canned answers, glossary suggestions,
// followers worth knowing with their tags and CSV export, and deleting the menu.
func (d *Desk) registerInboxTools() {
	srv, svc := d.srv, d.svc
	srv.HandleFunc("GET /api/v1/accounts/{id}/assignees", server.API, byID(srv, http.StatusOK, d.listAssignees))
	srv.HandleFunc("GET /api/v1/accounts/{id}/answers", server.API, byID(srv, http.StatusOK, d.listAnswers))
	srv.HandleFunc("POST /api/v1/accounts/{id}/answers", server.API, byIDWith(srv, http.StatusCreated, d.accountVisible, svc.CreateCannedAnswer))
	srv.HandleFunc("DELETE /api/v1/accounts/{id}/answers/{answer}", server.API, d.deleteAnswer)
	srv.HandleFunc("POST /api/v1/conversations/{id}/suggestions", server.API, byIDWith(srv, http.StatusOK, d.conversationVisible, d.suggestions))
	srv.HandleFunc("GET /api/v1/conversations/{id}/tags", server.API, byID(srv, http.StatusOK, d.getTags))
	srv.HandleFunc("PUT /api/v1/conversations/{id}/tags", server.API, byIDWith(srv, http.StatusOK, d.conversationVisible, d.putTags))
	srv.HandleFunc("GET /api/v1/accounts/{id}/followers", server.API, d.listFollowers)
	srv.HandleFunc("GET /api/v1/accounts/{id}/followers.csv", server.API, d.followersCSV)
	srv.HandleFunc("DELETE /api/v1/accounts/{id}/menu", server.API, d.deleteMenu)
}

// assignee is a member a conversation can be assigned to.
type assignee struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func (d *Desk) listAssignees(ctx context.Context, u *passerelle.User, id int64) (list[assignee], error) {
	ms, err := d.svc.Assignees(ctx, u, id)
	out := list[assignee]{Items: []assignee{}}
	for _, m := range ms {
		out.Items = append(out.Items, assignee{ID: m.ID, Name: m.Name})
	}
	return out, err
}

func (d *Desk) listAnswers(ctx context.Context, u *passerelle.User, id int64) (list[*store.CannedAnswer], error) {
	as, err := d.svc.CannedAnswers(ctx, u, id)
	if as == nil {
		as = []*store.CannedAnswer{}
	}
	return list[*store.CannedAnswer]{Items: as}, err
}

func (d *Desk) deleteAnswer(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	answer, err := strconv.ParseInt(r.PathValue("answer"), 10, 64)
	if err != nil || answer <= 0 {
		d.fail(w, r, passerelle.ErrNotFound)
		return
	}
	if err := d.svc.DeleteCannedAnswer(r.Context(), server.User(r.Context()), id, answer); err != nil {
		d.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// draftInput is staff's draft reply, for the glossary's suggestions.
type draftInput struct {
	Text string `json:"text"`
}

func (d *Desk) suggestions(ctx context.Context, u *passerelle.User, id int64, in draftInput) (list[desk.Suggestion], error) {
	s, err := d.svc.Suggestions(ctx, u, id, in.Text)
	return list[desk.Suggestion]{Items: s}, err
}

// tagsJSON is the tags of a conversation's follower.
type tagsJSON struct {
	Tags []string `json:"tags"`
}

func (d *Desk) getTags(ctx context.Context, u *passerelle.User, id int64) (tagsJSON, error) {
	t, err := d.svc.FollowerTags(ctx, u, id)
	return tagsJSON{Tags: t}, err
}

func (d *Desk) putTags(ctx context.Context, u *passerelle.User, id int64, in tagsJSON) (tagsJSON, error) {
	t, err := d.svc.SetFollowerTags(ctx, u, id, in.Tags)
	return tagsJSON{Tags: t}, err
}

func (d *Desk) listFollowers(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	fs, err := d.svc.Followers(r.Context(), server.User(r.Context()), id, r.URL.Query().Get("tag"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, list[*store.Follower]{Items: fs})
}

// followersCSV is the account's own export of its followers, openids included
// (managers only); the file is written whole before anything is sent.
func (d *Desk) followersCSV(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	q := r.URL.Query()
	if err := d.svc.FollowersCSV(r.Context(), server.User(r.Context()), id, q.Get("tag"), &buf, csvout.FromQuery(q, q.Get("lang"))); err != nil {
		d.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="followers-`+itoa(id)+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

func (d *Desk) deleteMenu(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = d.svc.DeleteMenu(r.Context(), server.User(r.Context()), id)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
