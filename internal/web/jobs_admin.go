package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// The admin jobs page: the publish queue's River jobs, for owners and institution
// admins. A delivery job is shown to those who manage its publication's institution;
// the engine's own jobs (the reconciler) to owners only. River's table is shared by
// every organization of the instance, so each job is checked against the user.

// jobRow is a job with the publication it delivers, if any.
type jobRow struct {
	*jobs.Job
	Publication *store.PublicationRow
}

type jobsPage struct {
	Jobs      []*jobRow
	Available bool
}

// jobsLimit bounds the page: the newest jobs of the queue.
const jobsLimit = 200

// canAdminJobs reports whether u may open the jobs page at all.
func canAdminJobs(u *passerelle.User) bool {
	return u.Owner || u.CanAnywhere(passerelle.PermManage)
}

// jobFor returns the job as u may see it, or not found.
func (h *handler) jobFor(ctx context.Context, u *passerelle.User, j *jobs.Job) (*jobRow, error) {
	row := &jobRow{Job: j}
	var args struct {
		PublicationID int64 `json:"publication_id"`
	}
	_ = json.Unmarshal(j.Args, &args)
	if args.PublicationID == 0 {
		// The engine's periodic jobs run every few seconds: only their failures say
		// anything.
		if !u.Owner || j.State == "completed" {
			return nil, passerelle.ErrNotFound
		}
		return row, nil
	}
	pub, _, err := h.Publish.Publication(ctx, u, args.PublicationID)
	if err != nil {
		return nil, err
	}
	if !u.Can(pub.InstitutionID, passerelle.PermManage) {
		return nil, passerelle.ErrNotFound
	}
	row.Publication = pub
	return row, nil
}

func (h *handler) jobList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := server.User(ctx)
	if !canAdminJobs(u) {
		h.fail(w, r, passerelle.ErrForbidden)
		return
	}
	p := &jobsPage{Available: h.Jobs != nil}
	if h.Jobs != nil {
		list, err := h.Jobs.List(ctx, jobs.QueuePublish, jobsLimit)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, j := range list {
			row, err := h.jobFor(ctx, u, j)
			if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
				continue
			}
			if err != nil {
				h.fail(w, r, err)
				return
			}
			p.Jobs = append(p.Jobs, row)
		}
	}
	h.render(w, r, view{name: "jobs", title: "jobs.title", nav: "jobs"}, p)
}

// jobAction loads the job named by the form's id for an action, refusing anyone who
// may not see it: River's ids are the instance's, so the id goes in the body and a
// job of another organization answers not found.
func (h *handler) jobAction(w http.ResponseWriter, r *http.Request, act func(context.Context, int64) error, flashKey string) {
	ctx := r.Context()
	u := server.User(ctx)
	if !canAdminJobs(u) {
		h.fail(w, r, passerelle.ErrForbidden)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PostForm.Get("id"), 10, 64)
	if err != nil || id <= 0 || h.Jobs == nil {
		h.fail(w, r, passerelle.ErrNotFound)
		return
	}
	j, err := h.Jobs.Get(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.jobFor(ctx, u, j); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := act(ctx, id); err != nil {
		h.redirectError(w, r, "/jobs", err)
		return
	}
	h.redirect(w, r, "/jobs", flashKey)
}

func (h *handler) jobRetry(w http.ResponseWriter, r *http.Request) {
	h.jobAction(w, r, func(ctx context.Context, id int64) error { return h.Jobs.Retry(ctx, id) }, "jobs.flash.retried")
}

func (h *handler) jobCancel(w http.ResponseWriter, r *http.Request) {
	h.jobAction(w, r, func(ctx context.Context, id int64) error { return h.Jobs.Cancel(ctx, id) }, "jobs.flash.cancelled")
}
