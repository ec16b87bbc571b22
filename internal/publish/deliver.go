package publish

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/platform"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/platform/weibo"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// DeliverWorker works DeliverArgs.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	Service *Service
}

// jobWork bounds a delivery job's platform calls (WeChat's token, cover, draft and
// submit, each under the clients' timeout).
const jobWork = 90 * time.Second

// Timeout covers the wait for the due instant and the platform calls.
func (w *DeliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	return w.Service.lead + jobWork
}

// Work waits for the publication's instant, then delivers it. It is idempotent: a
// stale generation, or a publication no longer scheduled, does nothing; a WeChat
// publication already submitted is followed up, never submitted again.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	via := "job"
	if job.JobRow != nil {
		via += " " + strconv.FormatInt(job.ID, 10)
	}
	// The dispatcher may already be delivering this generation here: the job then
	// waits for that delivery and ends as it did (a WeChat job being published is
	// followed by this job's snoozes).
	s := w.Service
	f := flight{job.Args.PublicationID, job.Args.Generation}
	c, first := s.flights.join(f)
	if !first {
		return c.wait(ctx)
	}
	err := s.deliver(ctx, job.Args, via)
	s.flights.done(f, c, err)
	return err
}

// deliver delivers one generation of a publication; via says who claims its attempt
// (a job, or this instance's dispatcher), recorded on the attempt with the process.
func (s *Service) deliver(ctx context.Context, args DeliverArgs, via string) error {
	d, err := s.db.Delivery(ctx, args.PublicationID)
	if errors.Is(err, passerelle.ErrNotFound) {
		return nil // the post was deleted
	}
	if err != nil {
		return err
	}
	b := d.Publication
	if b.Generation != args.Generation {
		return nil
	}
	switch b.State {
	case passerelle.DeliveryPublishing:
		if d.JobRef != "" {
			return s.followWeChat(ctx, d)
		}
		return nil
	case passerelle.DeliveryScheduled, passerelle.DeliveryPending:
	default:
		return nil
	}
	due := s.now()
	if b.ScheduledAt != nil {
		due = *b.ScheduledAt
	}
	if b.Mode == passerelle.ModeAssisted {
		if err := s.sleepUntil(ctx, due); err != nil {
			return err
		}
		if stop, err := s.readOnlyNow(ctx, d); stop || err != nil {
			return err
		}
		_, err := s.db.MoveDelivery(ctx, b.ID, []passerelle.DeliveryState{passerelle.DeliveryScheduled, passerelle.DeliveryPending},
			passerelle.DeliveryAwaitingManual, "", store.KindKitDue)
		return err
	}
	// The attempt is claimed and everything harmless to repeat is done Ahead before
	// the instant (the credentials read and decrypted, the image read, WeChat's cover
	// and draft uploaded), so that at the instant only the one call that makes the
	// post public remains: its lateness is that call's, not the database's.
	if err := s.sleepUntil(ctx, due.Add(-s.ahead)); err != nil {
		return err
	}
	if stop, err := s.readOnlyNow(ctx, d); stop || err != nil {
		return err
	}
	number, err := s.db.ClaimAttempt(ctx, b.ID, args.Generation, s.holder+" "+via)
	if passerelle.ErrorCode(err) == passerelle.ECONFLICT {
		return nil
	}
	if err != nil {
		return err
	}
	var send sender
	var res store.AttemptResult
	switch b.Platform {
	case passerelle.Weibo:
		send, res = s.prepareWeibo(ctx, d)
	case passerelle.WeChat:
		send, res = s.prepareWeChat(ctx, d, b.Mode == passerelle.ModeWeChatDraft)
	default:
		res = store.AttemptResult{Outcome: passerelle.OutcomeFailed, State: passerelle.DeliveryFailed, Error: "This platform has no publishing API: use an assisted kit.", Notify: store.KindFailed}
	}
	if send != nil {
		if err := s.sleepUntil(ctx, due); err != nil {
			// Stopped before the call: nothing was sent, so the attempt ends and the
			// publication goes back on the schedule for its instant.
			res = store.AttemptResult{Outcome: passerelle.OutcomeRetry, State: passerelle.DeliveryScheduled, Error: "Stopped before sending.", NextCheckAt: &due}
		} else {
			res = send(ctx)
		}
	}
	// The outcome is written even if the job's context ended: a lost "published" mark
	// would become a needs_check.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if res.State == passerelle.DeliveryScheduled {
		// Retryable: the attempt ends, and the publication goes back on the schedule
		// under a new generation with a job at the retry instant.
		return s.retry(wctx, d, number, res)
	}
	if _, err := s.db.FinishAttempt(wctx, b.ID, number, res); err != nil {
		return err
	}
	if res.State == passerelle.DeliveryPublishing && res.JobRef != "" {
		return river.JobSnooze(s.pollEvery)
	}
	return nil
}

// retry ends an attempt whose failure was harmless and puts the publication back on
// the schedule at the retry instant (res.NextCheckAt), or fails it after MaxAttempts.
func (s *Service) retry(ctx context.Context, d *store.Delivery, number int, res store.AttemptResult) error {
	b := d.Publication
	if number >= MaxAttempts {
		res.State, res.Outcome, res.Notify = passerelle.DeliveryFailed, passerelle.OutcomeFailed, store.KindFailed
		res.Error = fmt.Sprintf("Gave up after %d attempts: %s", number, res.Error)
		res.NextCheckAt = nil
		_, err := s.db.FinishAttempt(ctx, b.ID, number, res)
		return err
	}
	at := s.now().Add(s.retryBase << (number - 1))
	if res.NextCheckAt != nil {
		at = *res.NextCheckAt
	}
	// The publication stays publishing until Reschedule moves it back on the schedule.
	if _, err := s.db.FinishAttempt(ctx, b.ID, number, store.AttemptResult{Outcome: res.Outcome, State: passerelle.DeliveryPublishing, Error: res.Error}); err != nil {
		return err
	}
	_, err := s.db.Reschedule(ctx, b.ID, []passerelle.DeliveryState{passerelle.DeliveryPublishing}, res.Error, func(tx *store.Tx, gen int) (int64, error) {
		return s.jobs.InsertTxID(ctx, tx.Tx, DeliverArgs{PublicationID: b.ID, Generation: gen}, &river.InsertOpts{Queue: jobs.QueuePublish, ScheduledAt: at})
	})
	return err
}

// classify turns a platform error into the attempt's result. final says whether the
// call that failed was the non-idempotent one that makes the post public: only then is
// an unknown outcome a needs_check; before it, a lost answer is harmless.
func (s *Service) classify(err error, final bool) store.AttemptResult {
	msg := err.Error()
	if pe := (*passerelle.Error)(nil); errors.As(err, &pe) && pe.Code == passerelle.EINVALID {
		return store.AttemptResult{Outcome: passerelle.OutcomeFailed, State: passerelle.DeliveryFailed, Error: pe.Message, Notify: store.KindFailed}
	}
	switch platform.KindOf(err) {
	case platform.RateLimited:
		at := s.now().Add(time.Hour)
		var pe *platform.Error
		if errors.As(err, &pe) && !pe.ResumeAt.IsZero() {
			at = pe.ResumeAt
		}
		return store.AttemptResult{Outcome: passerelle.OutcomeRateLimited, State: passerelle.DeliveryScheduled, Error: msg, NextCheckAt: &at}
	case platform.AuthExpired:
		return store.AttemptResult{Outcome: passerelle.OutcomeNeedsReauth, State: passerelle.DeliveryNeedsReauth, Error: msg, Notify: store.KindNeedsReauth}
	case platform.Retryable:
		return store.AttemptResult{Outcome: passerelle.OutcomeRetry, State: passerelle.DeliveryScheduled, Error: msg}
	case platform.Ambiguous:
		if final {
			return store.AttemptResult{Outcome: passerelle.OutcomeAmbiguous, State: passerelle.DeliveryNeedsCheck, Error: msg, Notify: store.KindNeedsCheck, NextCheckAt: s.after(s.settle)}
		}
		return store.AttemptResult{Outcome: passerelle.OutcomeRetry, State: passerelle.DeliveryScheduled, Error: msg}
	}
	return store.AttemptResult{Outcome: passerelle.OutcomeFailed, State: passerelle.DeliveryFailed, Error: msg, Notify: store.KindFailed}
}

func (s *Service) after(d time.Duration) *time.Time {
	t := s.now().Add(d)
	return &t
}

// weiboText is what a Weibo API post says: the publication's text.
func weiboText(d *store.Delivery) string {
	return strings.TrimSpace(d.Publication.Text(d.Post))
}

// readOnlyNow fails a scheduled publication whose account or institution was archived,
// or whose account became watched, since it was scheduled: it does not go out, and the
// institution's publishers are told why (true: the delivery stops here).
func (s *Service) readOnlyNow(ctx context.Context, d *store.Delivery) (bool, error) {
	err := s.ReadOnlyAccount(ctx, d.Post.OrgID, d.Publication.AccountID)
	if passerelle.ErrorCode(err) != passerelle.EINVALID {
		return false, err
	}
	var pe *passerelle.Error
	errors.As(err, &pe)
	_, err = s.db.MoveDelivery(ctx, d.Publication.ID, []passerelle.DeliveryState{passerelle.DeliveryScheduled}, passerelle.DeliveryFailed, pe.Message, store.KindFailed)
	return true, err
}

// sender makes the one non-idempotent call that makes a publication public.
type sender func(ctx context.Context) store.AttemptResult

// sleepUntil waits for t, or for the end of ctx.
func (s *Service) sleepUntil(ctx context.Context, t time.Time) error {
	wait := t.Sub(s.now())
	if wait <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// prepareWeibo builds the client and the share (text, first image); its sender shares.
func (s *Service) prepareWeibo(ctx context.Context, d *store.Delivery) (sender, store.AttemptResult) {
	c, token, err := s.clients.Weibo(ctx, d.Publication.AccountID)
	if err != nil {
		return nil, s.classify(err, false)
	}
	share := weiboShare(weiboText(d), s.rip)
	if pic := s.firstImage(ctx, d); pic != nil {
		share.Picture = pic
	}
	return func(ctx context.Context) store.AttemptResult {
		st, err := c.ShareStatus(ctx, token, share)
		if err != nil {
			return s.classify(err, true)
		}
		now := s.now().UTC()
		return store.AttemptResult{Outcome: passerelle.OutcomePublished, State: passerelle.DeliveryPublished, PlatformPostID: st.ID,
			URL: WeiboURL(st.ID), PublishedAt: &now}
	}, store.AttemptResult{}
}

// WeiboURL is a post's address on Weibo's mobile site, which takes the numeric id.
func WeiboURL(id string) string {
	return "https://m.weibo.cn/status/" + id
}

// firstImage reads the publication's first image (or the post's), under Weibo's 5 MB.
func (s *Service) firstImage(ctx context.Context, d *store.Delivery) []byte {
	ids := d.Publication.MediaIDs
	if len(ids) == 0 {
		ids = d.Post.MediaIDs
	}
	if len(ids) == 0 || s.media == nil {
		return nil
	}
	return s.readMedia(ctx, d.Post.OrgID, d.Post.InstitutionID, ids[0], "image/", 5<<20-1)
}

func (s *Service) readMedia(ctx context.Context, orgID, institutionID, id int64, mimePrefix string, max int64) []byte {
	assets, err := s.db.MediaAssets(ctx, store.MediaFilter{OrgID: orgID, InstitutionID: institutionID, IDs: []int64{id}})
	if err != nil || len(assets) == 0 || !strings.HasPrefix(assets[0].MIME, mimePrefix) || assets[0].Bytes > max {
		return nil
	}
	r, err := s.media.Open(ctx, assets[0].StorageKey)
	if err != nil {
		return nil
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil || int64(len(b)) > max {
		return nil
	}
	return b
}

// prepareWeChat uploads the cover and adds the draft; unless draftOnly, its sender
// submits it. Everything before the submit is harmless to repeat (a spare draft); the
// submit is the final, non-idempotent call, whose publish_id is kept to follow it.
func (s *Service) prepareWeChat(ctx context.Context, d *store.Delivery, draftOnly bool) (sender, store.AttemptResult) {
	c, err := s.clients.WeChat(ctx, d.Publication.AccountID)
	if err != nil {
		return nil, s.classify(err, false)
	}
	// A mass send is reserved within the account's quota before anything is uploaded:
	// over quota, the publication is refused with the reason, WeChat is not called.
	var mass *store.MassSend
	if d.Publication.MassSend && !draftOnly {
		var done *store.AttemptResult
		if mass, done = s.reserveMass(ctx, d); done != nil {
			return nil, *done
		}
	}
	a := d.Publication.WeChat
	if a == nil {
		a = &passerelle.Article{}
	}
	art := wechat.Article{Title: a.Title, Author: a.Author, Digest: a.Digest, Content: a.BodyHTML, ContentSourceURL: a.SourceURL,
		NeedOpenComment: wechat.Flag(a.CommentsOpen), OnlyFansCanComment: wechat.Flag(a.FansOnlyReply)}
	if art.Title == "" {
		art.Title = d.Post.Title
	}
	if art.Content == "" {
		art.Content = "<p>" + htmlEscape(d.Publication.Text(d.Post)) + "</p>"
	}
	if a.CoverMediaID > 0 {
		img := s.readMedia(ctx, d.Post.OrgID, d.Post.InstitutionID, a.CoverMediaID, "image/", 10<<20)
		if img != nil {
			m, err := c.AddMaterial(ctx, wechat.MaterialImage, "cover.jpg", img, nil)
			if err != nil {
				return nil, s.classify(err, false)
			}
			art.ThumbMediaID = m.MediaID
		}
	}
	mediaID, err := c.AddDraft(ctx, []wechat.Article{art})
	if err != nil {
		return nil, s.classify(err, false)
	}
	if draftOnly {
		return nil, store.AttemptResult{Outcome: passerelle.OutcomeDraftUploaded, State: passerelle.DeliveryDraftUploaded, Ref: map[string]string{"media_id": mediaID},
			Notify: store.KindDraftReady}
	}
	if d.Publication.MassSend {
		return s.massSender(c, d, mediaID, mass), store.AttemptResult{}
	}
	return func(ctx context.Context) store.AttemptResult {
		pub, err := c.SubmitPublish(ctx, mediaID)
		if err != nil {
			r := s.classify(err, true)
			r.Ref = map[string]string{"media_id": mediaID}
			return r
		}
		return store.AttemptResult{Outcome: passerelle.OutcomeSubmitted, State: passerelle.DeliveryPublishing, JobRef: pub.PublishID,
			Ref: map[string]string{"media_id": mediaID, "publish_id": pub.PublishID, "msg_data_id": pub.MsgDataID}, NextCheckAt: s.after(s.pollEvery)}
	}, store.AttemptResult{}
}

// followWeChat checks a submitted publication (freepublish/get, or message/mass/get for
// a mass send) and ends it when the platform has; until then the job snoozes. The
// PUBLISHJOBFINISH or MASSSENDJOBFINISH push ends it too, whichever comes first.
func (s *Service) followWeChat(ctx context.Context, d *store.Delivery) error {
	c, err := s.clients.WeChat(ctx, d.Publication.AccountID)
	if err != nil {
		return err
	}
	if msgID, ok := massJobMsgID(d.JobRef); ok {
		return s.followMass(ctx, c, d, msgID)
	}
	st, err := c.GetPublish(ctx, d.JobRef)
	if err != nil {
		if platform.KindOf(err) == platform.AuthExpired || platform.KindOf(err) == platform.Permanent {
			return err
		}
		return river.JobSnooze(s.pollEvery)
	}
	if st.Status == wechat.PublishPublishing {
		if d.StateAt != nil && s.now().Sub(*d.StateAt) > 30*time.Minute {
			_, err := s.db.FinishAttempt(ctx, d.Publication.ID, d.Publication.Attempts, store.AttemptResult{Outcome: passerelle.OutcomeAmbiguous,
				State: passerelle.DeliveryNeedsCheck, Error: "WeChat was still publishing after 30 minutes.", Notify: store.KindNeedsCheck, NextCheckAt: s.after(s.settle)})
			return err
		}
		return river.JobSnooze(s.pollEvery)
	}
	_, err = s.db.FinishAttempt(ctx, d.Publication.ID, d.Publication.Attempts, s.publishStatus(st.Status, st.ArticleID, firstURL(st.Articles)))
	return err
}

func firstURL(as []wechat.ArticleURL) string {
	if len(as) == 0 {
		return ""
	}
	return as[0].URL
}

// publishStatus maps WeChat's publish_status to the publication's end.
func (s *Service) publishStatus(status int, articleID, url string) store.AttemptResult {
	switch status {
	case wechat.PublishSuccess:
		now := s.now().UTC()
		return store.AttemptResult{Outcome: passerelle.OutcomePublished, State: passerelle.DeliveryPublished, PlatformPostID: articleID, URL: url, PublishedAt: &now}
	case wechat.PublishPublishing:
		return store.AttemptResult{Outcome: passerelle.OutcomeSubmitted, State: passerelle.DeliveryPublishing, NextCheckAt: s.after(s.pollEvery)}
	}
	return store.AttemptResult{Outcome: passerelle.OutcomeFailed, State: passerelle.DeliveryFailed, Error: PublishStatusMessage(status), Notify: store.KindFailed}
}

// PublishStatusMessage says what a failed WeChat publish status means.
func PublishStatusMessage(status int) string {
	switch status {
	case 2:
		return "WeChat refused the article: the originality check failed (publish status 2)."
	case 3:
		return "WeChat could not publish the article (publish status 3); publish it again from the draft box or reschedule it."
	case 4:
		return "WeChat's review rejected the article (publish status 4); change it and schedule it again."
	case 5:
		return "The article was deleted after publishing (publish status 5)."
	case 6:
		return "The article was banned after publishing (publish status 6)."
	}
	return fmt.Sprintf("WeChat answered publish status %d.", status)
}

// PublishFinishedTx ends a publication from WeChat's PUBLISHJOBFINISH push, in the
// transaction that processes the event. A push for no publication Passerelle is
// waiting for (an article published from the console) changes nothing.
func (s *Service) PublishFinishedTx(ctx context.Context, tx *store.Tx, accountID int64, ev *wechat.PublishEventInfo) error {
	if ev == nil || ev.PublishID == "" || ev.PublishStatus == wechat.PublishPublishing {
		return nil
	}
	_, err := tx.FinishJobRef(ctx, accountID, ev.PublishID, s.publishStatus(ev.PublishStatus, ev.ArticleID, firstURL(ev.Articles)))
	return err
}

func htmlEscape(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "\n", "<br>")
}

func weiboShare(text, rip string) weibo.Share { return weibo.Share{Status: text, RIP: rip} }
