package web

import (
	"context"
	"slices"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// "My work" on the dashboard: the queues a person acts on, by their role in each
// institution:
//   - waiting for translation: translators (and admins, owners);
//   - waiting for review: whoever may approve (reviewers, admins, owners);
//   - approved but not scheduled: whoever may schedule (editors, admins, owners);
//   - overdue: a publication whose time has passed and that is not out yet
//     (published or cancelled), for whoever may schedule.

type workQueue struct {
	// Name is the queue's id and the end of its catalog keys (work.<name>).
	Name  string
	Link  string
	Items []workItem
	// More: the queue has more posts than shown.
	More bool
}

type workItem struct {
	Post *passerelle.Post
	// Due is an overdue publication's missed instant, in Zone's time.
	Due      *time.Time
	Zone     string
	Platform passerelle.Platform
}

// workLimit is how many posts a queue shows; the link lists them all.
const workLimit = 8

// overdueGrace: a publication is overdue once it is this late (the engine publishes
// within seconds; a minute late means something needs a person).
const overdueGrace = time.Minute

func translates(u *passerelle.User, instID int64) bool {
	r := u.RoleOn(instID)
	return r == passerelle.RoleTranslator || r == passerelle.RoleAdmin || r == passerelle.RoleOwner
}

// myWork returns the user's queues; zones are the institutions' time zones, by id.
func (h *handler) myWork(ctx context.Context, u *passerelle.User, zones map[int64]string) ([]workQueue, bool, error) {
	posts, err := h.Editorial.Posts(ctx, u, editorial.PostQuery{
		Statuses: []passerelle.Status{passerelle.StatusTranslation, passerelle.StatusReview, passerelle.StatusApproved, passerelle.StatusScheduled}, Limit: 500})
	if err != nil {
		return nil, false, err
	}
	now := h.Now()
	queues := []workQueue{
		{Name: "translation", Link: "/posts?status=translation"},
		{Name: "review", Link: "/posts?status=review"},
		{Name: "approved", Link: "/posts?status=approved"},
		{Name: "overdue", Link: "/outbox"},
	}
	has := false
	for _, id := range u.VisibleInstitutions() {
		has = has || translates(u, id) || u.Can(id, passerelle.PermReview) || u.Can(id, passerelle.PermSchedule)
	}
	if u.Owner {
		has = true
	}
	add := func(q *workQueue, it workItem) {
		if len(q.Items) >= workLimit {
			q.More = true
			return
		}
		q.Items = append(q.Items, it)
	}
	for _, p := range posts {
		switch {
		case p.Status == passerelle.StatusTranslation && translates(u, p.InstitutionID):
			add(&queues[0], workItem{Post: p})
		case p.Status == passerelle.StatusReview && u.Can(p.InstitutionID, passerelle.PermReview):
			add(&queues[1], workItem{Post: p})
		case p.Status == passerelle.StatusReview:
			// A network account's post featuring an institution the user reviews.
			if member, err := h.Editorial.ReviewsAsMember(ctx, u, p); err != nil {
				return nil, false, err
			} else if member != 0 {
				add(&queues[1], workItem{Post: p})
			}
		case p.Status == passerelle.StatusApproved && u.Can(p.InstitutionID, passerelle.PermSchedule):
			add(&queues[2], workItem{Post: p})
		}
		if !u.Can(p.InstitutionID, passerelle.PermSchedule) {
			continue
		}
		for _, b := range p.Publications {
			if b.ScheduledAt != nil && b.ScheduledAt.Before(now.Add(-overdueGrace)) &&
				b.State != passerelle.DeliveryPublished && b.State != passerelle.DeliveryCancelled {
				add(&queues[3], workItem{Post: p, Due: b.ScheduledAt, Zone: zones[p.InstitutionID], Platform: b.Platform})
			}
		}
	}
	// The most late first.
	slices.SortStableFunc(queues[3].Items, func(a, b workItem) int { return a.Due.Compare(*b.Due) })
	return queues, has, nil
}
