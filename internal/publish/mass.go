package publish

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/platform"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// WeChat mass send (群发). A publication that asks for it is sent to every follower with
// message/mass/sendall (the draft's media_id) instead of freepublish/submit, which
// notifies nobody; WeChat then lists it among the account's mass sends. The send is
// reserved within the account's quota before anything is uploaded (over quota: refused
// with the reason, WeChat never called), and carries a clientmsgid derived from the
// publication, so that a repeat after a lost answer, a crash or a retry is refused by
// WeChat (45065) instead of reaching the followers twice: that refusal proves the
// earlier send and ends the publication as sent. The send job is then followed like a
// publish job: message/mass/get polling and the MASSSENDJOBFINISH push.

// massJobPrefix marks a publication's job_ref that is a mass send's msg_id (a
// freepublish publish_id has none).
const massJobPrefix = "mass:"

func massJobMsgID(ref string) (string, bool) {
	return strings.CutPrefix(ref, massJobPrefix)
}

// massRepeatWindow is how long after a mass send its clientmsgid surely still guards
// against a double (WeChat keeps it 24 hours): a send whose outcome is unknown is
// repeated automatically only within it.
const massRepeatWindow = 20 * time.Hour

// reserveMass reserves the publication's mass send. done is set when the delivery ends
// here: over quota (failed, with the reason), or already sent by an earlier attempt
// whose answer was recorded (followed, not sent again).
func (s *Service) reserveMass(ctx context.Context, d *store.Delivery) (*store.MassSend, *store.AttemptResult) {
	b := d.Publication
	at := s.now()
	if b.ScheduledAt != nil && b.ScheduledAt.After(at) {
		at = *b.ScheduledAt
	}
	m, err := s.db.ReserveMassSend(ctx, b.AccountID, b.ID, passerelle.MassClientMsgID(b.ID), at)
	if errors.Is(err, store.ErrMassQuota) {
		r := store.AttemptResult{Outcome: passerelle.OutcomeFailed, State: passerelle.DeliveryFailed, Error: passerelle.ErrorMessage(err), Notify: store.KindFailed}
		return nil, &r
	}
	if err != nil {
		r := store.AttemptResult{Outcome: passerelle.OutcomeRetry, State: passerelle.DeliveryScheduled, Error: "Could not reserve the mass send: " + err.Error()}
		return nil, &r
	}
	if m.State == store.MassSent && m.MsgID != "" {
		r := s.massSubmitted(m.MsgID, m.MsgDataID, "")
		return m, &r
	}
	return m, nil
}

// massSubmitted is the result of an accepted mass send: publishing until WeChat's send
// job ends.
func (s *Service) massSubmitted(msgID, msgDataID, mediaID string) store.AttemptResult {
	ref := map[string]string{"mass_send": "1", "msg_id": msgID, "msg_data_id": msgDataID}
	if mediaID != "" {
		ref["media_id"] = mediaID
	}
	return store.AttemptResult{Outcome: passerelle.OutcomeSubmitted, State: passerelle.DeliveryPublishing, JobRef: massJobPrefix + msgID,
		Ref: ref, NextCheckAt: s.after(s.pollEvery)}
}

// massSender sends the draft to all followers under the publication's clientmsgid.
func (s *Service) massSender(c *wechat.Client, d *store.Delivery, mediaID string, m *store.MassSend) sender {
	b := d.Publication
	clientID := passerelle.MassClientMsgID(b.ID)
	return func(ctx context.Context) store.AttemptResult {
		res, err := c.SendAll(ctx, wechat.MassSend{MediaID: mediaID, ClientMsgID: clientID})
		// The record is written even if the job's context ended.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err == nil {
			if m != nil && res.MsgID == "" {
				res.MsgID, res.MsgDataID = m.MsgID, m.MsgDataID
			}
			if ferr := s.db.FinishMassSend(wctx, b.AccountID, clientID, store.MassSent, res.MsgID, res.MsgDataID); ferr != nil {
				s.logger.WarnContext(ctx, "record mass send", "publication_id", b.ID, "error", ferr)
			}
			if res.MsgID == "" {
				// A duplicate without the earlier send's ids: it went out, but it
				// cannot be followed.
				now := s.now().UTC()
				return store.AttemptResult{Outcome: passerelle.OutcomePublished, State: passerelle.DeliveryPublished, PublishedAt: &now,
					Ref: map[string]string{"mass_send": "1", "media_id": mediaID, "duplicate": "1"}}
			}
			r := s.massSubmitted(res.MsgID, res.MsgDataID, mediaID)
			if res.Duplicate {
				r.Ref["duplicate"] = "1"
			}
			return r
		}
		ref := map[string]string{"mass_send": "1", "media_id": mediaID}
		if platform.CodeOf(err) == wechat.CodeMassSendQuota {
			// WeChat counts sends made outside Passerelle (the console) too.
			_ = s.db.FinishMassSend(wctx, b.AccountID, clientID, store.MassFailed, "", "")
			return store.AttemptResult{Outcome: passerelle.OutcomeFailed, State: passerelle.DeliveryFailed, Ref: ref, Notify: store.KindFailed,
				Error: "WeChat refused the mass send: the account has no mass-send quota left (45028; sends made in the WeChat console count too). Untick the mass send or move the publication."}
		}
		if platform.KindOf(err) == platform.Ambiguous {
			// The send may have happened: repeating it under the same clientmsgid is
			// safe (WeChat refuses a double with 45065), so it is retried, not left to
			// needs_check. The reservation stays, counting against the quota.
			return store.AttemptResult{Outcome: passerelle.OutcomeRetry, State: passerelle.DeliveryScheduled, Ref: ref, NextCheckAt: s.after(s.retryBase),
				Error: "The answer to the mass send was lost (" + err.Error() + "); it is repeated under the same clientmsgid, which WeChat refuses if the first went out."}
		}
		r := s.classify(err, true)
		r.Ref = ref
		if r.State == passerelle.DeliveryFailed || r.State == passerelle.DeliveryNeedsReauth || platform.KindOf(err) == platform.Retryable || platform.KindOf(err) == platform.RateLimited {
			// WeChat refused the request: no message went out, the quota is free again.
			_ = s.db.FinishMassSend(wctx, b.AccountID, clientID, store.MassFailed, "", "")
		}
		return r
	}
}

// followMass checks a mass send's job (message/mass/get); until it ends the job snoozes.
func (s *Service) followMass(ctx context.Context, c *wechat.Client, d *store.Delivery, msgID string) error {
	status, err := c.MassStatus(ctx, msgID)
	if err != nil {
		if platform.KindOf(err) == platform.AuthExpired || platform.KindOf(err) == platform.Permanent {
			return err
		}
		return river.JobSnooze(s.pollEvery)
	}
	if status == wechat.MassSending {
		if d.StateAt != nil && s.now().Sub(*d.StateAt) > 30*time.Minute {
			_, err := s.db.FinishAttempt(ctx, d.Publication.ID, d.Publication.Attempts, store.AttemptResult{Outcome: passerelle.OutcomeAmbiguous,
				State: passerelle.DeliveryNeedsCheck, Error: "WeChat was still mass-sending after 30 minutes.", Notify: store.KindNeedsCheck, NextCheckAt: s.after(s.settle)})
			return err
		}
		return river.JobSnooze(s.pollEvery)
	}
	_, err = s.db.FinishAttempt(ctx, d.Publication.ID, d.Publication.Attempts, s.massStatus(status, d.Ref["msg_data_id"], ""))
	return err
}

// massStatus maps a mass send's end (message/mass/get's msg_status, or the push's
// Status) to the publication's.
func (s *Service) massStatus(status, msgDataID, url string) store.AttemptResult {
	switch status {
	case wechat.MassSendSuccess, "send success":
		now := s.now().UTC()
		return store.AttemptResult{Outcome: passerelle.OutcomePublished, State: passerelle.DeliveryPublished, PlatformPostID: msgDataID, URL: url, PublishedAt: &now}
	case wechat.MassSending:
		return store.AttemptResult{Outcome: passerelle.OutcomeSubmitted, State: passerelle.DeliveryPublishing, NextCheckAt: s.after(s.pollEvery)}
	case wechat.MassDeleted:
		return store.AttemptResult{Outcome: passerelle.OutcomeFailed, State: passerelle.DeliveryFailed, Notify: store.KindFailed,
			Error: "The mass-sent article was deleted (DELETE)."}
	}
	return store.AttemptResult{Outcome: passerelle.OutcomeFailed, State: passerelle.DeliveryFailed, Notify: store.KindFailed,
		Error: "WeChat could not mass-send the article (" + status + "); an originality check or a review may have stopped it."}
}

// MassSendFinishedTx takes WeChat's MASSSENDJOBFINISH report, in the transaction that
// processes the event: the mass send's counts are recorded and its publication ends
// (with the article's address). A report of a mass send Passerelle did not make (from
// the console) changes nothing.
func (s *Service) MassSendFinishedTx(ctx context.Context, tx *store.Tx, accountID int64, m *wechat.Message) error {
	if m == nil || m.MsgID == "" {
		return nil
	}
	pubID, err := tx.MassSendReport(ctx, accountID, m.MsgID, m.Status, m.TotalCount, m.SentCount, m.ErrorCount)
	if err != nil || pubID == 0 {
		return err
	}
	msgDataID, err := tx.MassSendRef(ctx, accountID, m.MsgID)
	if err != nil {
		return err
	}
	url := firstURL(m.ArticleURLs)
	if _, err := tx.FinishJobRef(ctx, accountID, massJobPrefix+m.MsgID, s.massStatus(m.Status, msgDataID, url)); err != nil {
		return err
	}
	return tx.SetPublishedURL(ctx, pubID, url)
}

// MassQuotaOf reports an account's mass-send quota window at t and what is taken,
// not counting publication exceptPub.
func (s *Service) MassQuotaOf(ctx context.Context, accountID int64, at time.Time, exceptPub int64) (store.MassQuotaUse, error) {
	return s.db.MassQuota(ctx, accountID, at, exceptPub)
}
