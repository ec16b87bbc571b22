package publish

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/platform/weibo"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// ReconcileArgs is the periodic sweep that settles what crashes and lost answers left
// open: attempts abandoned by a dead worker, submitted WeChat publications to follow,
// publications in needs_check to look for on their platform, scheduled publications
// whose job is missing.
type ReconcileArgs struct{}

// Kind implements river.JobArgs.
func (ReconcileArgs) Kind() string { return "publish.reconcile" }

// Overdue is how long after its instant a scheduled publication's job is presumed dead.
const Overdue = 20 * time.Second

// ReconcileInsertOpts keeps one sweep queued at a time.
func ReconcileInsertOpts() *river.InsertOpts {
	return &river.InsertOpts{Queue: jobs.QueuePublish, UniqueOpts: river.UniqueOpts{ByPeriod: time.Second}}
}

// ReconcileWorker works ReconcileArgs.
type ReconcileWorker struct {
	river.WorkerDefaults[ReconcileArgs]
	Service *Service
}

// Work implements river.Worker.
func (w *ReconcileWorker) Work(ctx context.Context, _ *river.Job[ReconcileArgs]) error {
	_, err := w.Service.Reconcile(ctx)
	return err
}

// Reconcile settles what it can now and says how many publications it looked at.
func (s *Service) Reconcile(ctx context.Context) (int, error) {
	now := s.now()
	ids, err := s.db.StaleDeliveries(ctx, now.Add(-s.stale), now, now.Add(-Overdue), 500)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, id := range ids {
		if err := s.reconcileOne(ctx, id); err != nil {
			s.logger.WarnContext(ctx, "reconcile publication", "publication_id", id, "error", err)
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 && len(errs) == len(ids) {
		return len(ids), errors.Join(errs...)
	}
	return len(ids), nil
}

func (s *Service) reconcileOne(ctx context.Context, id int64) error {
	d, err := s.db.Delivery(ctx, id)
	if err != nil {
		return err
	}
	b := d.Publication
	switch b.State {
	case passerelle.DeliveryScheduled:
		if d.JobID != 0 && s.jobAlive(ctx, d.JobID) {
			return nil // late because the queue is busy, not lost
		}
		// Scheduled before the engine existed, or its job was lost, or its job died
		// with its process while waiting for the instant (River rescues such a job only
		// much later): a new generation and job; the old job, if it ever runs, finds its
		// generation stale and does nothing.
		_, err := s.db.Reschedule(ctx, id, []passerelle.DeliveryState{passerelle.DeliveryScheduled}, "", func(tx *store.Tx, gen int) (int64, error) {
			return s.enqueue(ctx, tx, id, gen, *b.ScheduledAt)
		})
		return err
	case passerelle.DeliveryPublishing:
		if d.JobRef != "" {
			return s.checkWeChatJob(ctx, d)
		}
		attempts, err := s.db.Attempts(ctx, id)
		if err != nil {
			return err
		}
		if len(attempts) == 0 || attempts[len(attempts)-1].Outcome != passerelle.OutcomeStarted || attempts[len(attempts)-1].StartedAt.After(s.now().Add(-s.stale)) {
			return nil
		}
		// Its worker died between the platform call and recording the answer.
		if _, err := s.db.FinishAttempt(ctx, id, b.Attempts, store.AttemptResult{Outcome: passerelle.OutcomeAmbiguous, State: passerelle.DeliveryNeedsCheck,
			Error: "The attempt was interrupted (the server stopped or lost the answer); looking for the post on the platform.", Notify: store.KindNeedsCheck, NextCheckAt: s.after(0)}); err != nil {
			return err
		}
		if d, err = s.db.Delivery(ctx, id); err != nil {
			return err
		}
		return s.lookFor(ctx, d)
	case passerelle.DeliveryNeedsCheck:
		if d.JobRef != "" {
			return s.checkWeChatJob(ctx, d)
		}
		return s.lookFor(ctx, d)
	}
	return nil
}

// jobAlive reports whether a delivery job will still run: waiting, available, or
// running recently enough to be in a live process (a job running since before its
// worker's timeout belongs to a process that died).
func (s *Service) jobAlive(ctx context.Context, id int64) bool {
	j, err := s.jobs.Get(ctx, id)
	if err != nil {
		return false
	}
	switch j.State {
	case "available", "scheduled", "retryable", "pending":
		return true
	case "running":
		return j.AttemptedAt != nil && s.now().Sub(*j.AttemptedAt) < s.lead+jobWork+10*time.Second
	}
	return false
}

// checkWeChatJob follows a submitted WeChat publication by its publish_id.
func (s *Service) checkWeChatJob(ctx context.Context, d *store.Delivery) error {
	c, err := s.clients.WeChat(ctx, d.Publication.AccountID)
	if err != nil {
		return s.db.SetNextCheck(ctx, d.Publication.ID, s.after(s.settle))
	}
	if msgID, ok := massJobMsgID(d.JobRef); ok {
		status, err := c.MassStatus(ctx, msgID)
		if err != nil || status == wechat.MassSending {
			return s.db.SetNextCheck(ctx, d.Publication.ID, s.after(s.pollEvery))
		}
		_, err = s.db.FinishAttempt(ctx, d.Publication.ID, d.Publication.Attempts, s.massStatus(status, d.Ref["msg_data_id"], ""))
		return err
	}
	st, err := c.GetPublish(ctx, d.JobRef)
	if err != nil {
		return s.db.SetNextCheck(ctx, d.Publication.ID, s.after(s.pollEvery))
	}
	_, err = s.db.FinishAttempt(ctx, d.Publication.ID, d.Publication.Attempts, s.publishStatus(st.Status, st.ArticleID, firstURL(st.Articles)))
	return err
}

// lookFor looks for a publication whose outcome is unknown on its platform: found, it
// is published; proved absent once the platform had Settle to apply a lost request, it
// goes back on the schedule; otherwise it waits for the next look or a person.
func (s *Service) lookFor(ctx context.Context, d *store.Delivery) error {
	b := d.Publication
	attempts, err := s.db.Attempts(ctx, b.ID)
	if err != nil || len(attempts) == 0 {
		return err
	}
	last := attempts[len(attempts)-1]
	if b.Platform == passerelle.WeChat && b.MassSend && d.Ref["publish_id"] == "" {
		return s.repeatMass(ctx, d, last)
	}
	var found *store.AttemptResult
	var absent bool
	switch b.Platform {
	case passerelle.Weibo:
		found, absent, err = s.lookOnWeibo(ctx, d, last.StartedAt)
	case passerelle.WeChat:
		found, absent, err = s.lookOnWeChat(ctx, d, last.StartedAt)
	default:
		return nil
	}
	if err != nil {
		return s.db.SetNextCheck(ctx, b.ID, s.after(s.settle))
	}
	if found != nil {
		found.Outcome = passerelle.OutcomePublished
		_, err := s.db.FinishAttempt(ctx, b.ID, b.Attempts, *found)
		return err
	}
	if absent && s.now().Sub(last.StartedAt) >= s.settle {
		_, err := s.db.Reschedule(ctx, b.ID, []passerelle.DeliveryState{passerelle.DeliveryNeedsCheck},
			"Not found on the platform: published again.", func(tx *store.Tx, gen int) (int64, error) {
				return s.jobs.InsertTxID(ctx, tx.Tx, DeliverArgs{PublicationID: b.ID, Generation: gen}, &river.InsertOpts{Queue: jobs.QueuePublish})
			})
		return err
	}
	next := last.StartedAt.Add(s.settle)
	if !next.After(s.now()) {
		next = s.now().Add(s.settle)
	}
	return s.db.SetNextCheck(ctx, b.ID, &next)
}

// timeline is the lookup a Weibo client offers once it can list the account's posts.
type timeline interface {
	UserTimeline(ctx context.Context, accessToken, uid string, count int) ([]weibo.Status, error)
}

// lookOnWeibo reads the account's latest posts and matches the text sent. The answer
// is absent only when the page reaches back before the attempt (nothing newer hides).
func (s *Service) lookOnWeibo(ctx context.Context, d *store.Delivery, since time.Time) (*store.AttemptResult, bool, error) {
	c, token, err := s.clients.Weibo(ctx, d.Publication.AccountID)
	if err != nil {
		return nil, false, err
	}
	var tl timeline = c
	conn, err := s.db.Connection(ctx, d.Publication.AccountID)
	if err != nil {
		return nil, false, err
	}
	const page = 100
	sts, err := tl.UserTimeline(ctx, token, conn.PlatformUID, page)
	if err != nil {
		return nil, false, err
	}
	want := fingerprint(weiboText(d))
	from := since.Add(-5 * time.Minute)
	reachesBack := len(sts) < page
	for _, st := range sts {
		if !st.CreatedAt.IsZero() && st.CreatedAt.Before(from) {
			reachesBack = true
			continue
		}
		if fingerprint(st.Text) == want {
			at := st.CreatedAt.UTC()
			if at.IsZero() {
				at = s.now().UTC()
			}
			return &store.AttemptResult{State: passerelle.DeliveryPublished, PlatformPostID: st.ID, URL: WeiboURL(st.ID), PublishedAt: &at}, false, nil
		}
	}
	return nil, reachesBack, nil
}

// lookOnWeChat matches the article's title among the account's publications.
func (s *Service) lookOnWeChat(ctx context.Context, d *store.Delivery, since time.Time) (*store.AttemptResult, bool, error) {
	if d.Ref["publish_id"] != "" {
		c, err := s.clients.WeChat(ctx, d.Publication.AccountID)
		if err != nil {
			return nil, false, err
		}
		st, err := c.GetPublish(ctx, d.Ref["publish_id"])
		if err != nil {
			return nil, false, err
		}
		r := s.publishStatus(st.Status, st.ArticleID, firstURL(st.Articles))
		if r.State == passerelle.DeliveryPublished {
			return &r, false, nil
		}
		return nil, false, errors.New("still publishing")
	}
	return s.lookOnWeChatRecords(ctx, d, since)
}

// fingerprint compares texts as a platform may return them: spacing folded.
func fingerprint(s string) string { return strings.Join(strings.Fields(s), " ") }

// repeatMass settles a mass send whose outcome is unknown (its worker died around the
// call): within massRepeatWindow it is sent again at once under the same clientmsgid,
// which WeChat refuses (45065, proof that the first went out) or accepts (the first
// never reached it); later, a person decides.
func (s *Service) repeatMass(ctx context.Context, d *store.Delivery, last *passerelle.Attempt) error {
	b := d.Publication
	if s.now().Sub(last.StartedAt) >= massRepeatWindow {
		return s.db.SetNextCheck(ctx, b.ID, nil)
	}
	_, err := s.db.Reschedule(ctx, b.ID, []passerelle.DeliveryState{passerelle.DeliveryNeedsCheck},
		"The mass send's outcome was unknown: sent again under the same clientmsgid, which WeChat refuses if the first went out.", func(tx *store.Tx, gen int) (int64, error) {
			return s.jobs.InsertTxID(ctx, tx.Tx, DeliverArgs{PublicationID: b.ID, Generation: gen}, &river.InsertOpts{Queue: jobs.QueuePublish})
		})
	return err
}
