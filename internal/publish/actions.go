package publish

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/checks"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Reasons for an automatic mode choice (English catalog keys).
const (
	ReasonWeiboShortLink  = "A short post with one link and at most one picture: Weibo's API can publish it."
	ReasonWeiboNotAPI     = "Weibo's API only publishes short link posts (140 characters, one picture, no topics): a copy-ready kit instead."
	ReasonWeiboNoAuth     = "The Weibo account is not authorised for publishing: a copy-ready kit instead."
	ReasonWeChatVerified  = "The WeChat account is verified: published by API."
	ReasonWeChatNoAPI     = "The WeChat account cannot publish by API (not verified, or not tested yet): a copy-ready kit instead."
	ReasonAssistedOnly    = "This platform has no publishing API for third parties: a copy-ready kit."
	ReasonEditorsOverride = "Chosen by the editor."
)

var urlInText = regexp.MustCompile(`https?://[^\s]+`)

// ChooseMode picks how a publication goes out from what the account may do by API
// (canPublish, from its last connection test) and what the content needs.
func ChooseMode(platform passerelle.Platform, canPublish bool, b *passerelle.Publication, text string, images int) (string, string) {
	switch platform {
	case passerelle.Weibo:
		if !canPublish {
			return passerelle.ModeAssisted, ReasonWeiboNoAuth
		}
		if b.Format == passerelle.FormatVideo || b.Format == passerelle.FormatRepost || len(b.Topics) > 0 || strings.ContainsAny(text, "#＃") ||
			images > 1 || checks.WeiboLength(text) > 140 || !urlInText.MatchString(text) {
			return passerelle.ModeAssisted, ReasonWeiboNotAPI
		}
		return passerelle.ModeAPI, ReasonWeiboShortLink
	case passerelle.WeChat:
		if canPublish {
			return passerelle.ModeAPI, ReasonWeChatVerified
		}
		return passerelle.ModeAssisted, ReasonWeChatNoAPI
	}
	return passerelle.ModeAssisted, ReasonAssistedOnly
}

// publication returns a publication of the user's organization with its post, checking
// that the user may publish on its institution.
func (s *Service) publication(ctx context.Context, u *passerelle.User, id int64, perm passerelle.Permission) (*store.Delivery, error) {
	if _, err := s.db.PublicationPost(ctx, u.OrgID, id); err != nil {
		return nil, err
	}
	d, err := s.db.Delivery(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(d.Post.InstitutionID, perm); err != nil {
		return nil, err
	}
	// Reading stays open; every action refuses a read-only account or institution.
	if perm != passerelle.PermView {
		if err := s.ReadOnlyAccount(ctx, u.OrgID, d.Publication.AccountID); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Publications lists the publications the user may see.
func (s *Service) Publications(ctx context.Context, u *passerelle.User, f store.PublicationFilter) ([]*store.PublicationRow, error) {
	f.OrgID, f.InstitutionIDs = u.OrgID, u.VisibleInstitutions()
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	return s.db.PublicationRows(ctx, f)
}

// Publication returns one publication with its attempts.
func (s *Service) Publication(ctx context.Context, u *passerelle.User, id int64) (*store.PublicationRow, []*passerelle.Attempt, error) {
	d, err := s.publication(ctx, u, id, passerelle.PermView)
	if err != nil {
		return nil, nil, err
	}
	rows, err := s.db.PublicationRows(ctx, store.PublicationFilter{OrgID: u.OrgID, PostID: d.Post.ID})
	if err != nil {
		return nil, nil, err
	}
	attempts, err := s.db.Attempts(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		if r.ID == id {
			return r, attempts, nil
		}
	}
	return nil, nil, passerelle.ErrNotFound
}

// usable refuses a publication that goes out by API from an account that cannot: the
// error says why and how to fix it.
func (s *Service) usable(ctx context.Context, b *passerelle.Publication) error {
	if b.Mode == passerelle.ModeAssisted {
		return nil
	}
	var err error
	switch b.Platform {
	case passerelle.Weibo:
		_, _, err = s.clients.Weibo(ctx, b.AccountID)
	case passerelle.WeChat:
		_, err = s.clients.WeChat(ctx, b.AccountID)
	}
	var pe *passerelle.Error
	if errors.As(err, &pe) && pe.Code == passerelle.EINVALID {
		return &passerelle.Error{Code: passerelle.EINVALID, Message: pe.Message + " Or choose the assisted mode.", Fields: map[string]string{"account_id": pe.Message}}
	}
	return err
}

// PublishNow sends an approved publication at once. Editors only; the post must be
// approved (or scheduled) and the publication not already under way.
func (s *Service) PublishNow(ctx context.Context, u *passerelle.User, id int64) (*store.PublicationRow, error) {
	d, err := s.publication(ctx, u, id, passerelle.PermSchedule)
	if err != nil {
		return nil, err
	}
	if d.Post.Status != passerelle.StatusApproved && d.Post.Status != passerelle.StatusScheduled {
		return nil, passerelle.Errorf(passerelle.ECONFLICT, "Only approved content is published; this post is %s.", d.Post.Status)
	}
	b := d.Publication
	if err := s.usable(ctx, b); err != nil {
		return nil, err
	}
	from := []passerelle.DeliveryState{passerelle.DeliveryPending, passerelle.DeliveryScheduled, passerelle.DeliveryFailed, passerelle.DeliveryCancelled, passerelle.DeliveryNeedsReauth}
	now := s.now().UTC()
	ok, err := s.db.Reschedule(ctx, id, from, "", func(tx *store.Tx, gen int) (int64, error) {
		if err := tx.SetScheduledAt(ctx, id, now); err != nil {
			return 0, err
		}
		if b.State == passerelle.DeliveryScheduled {
			if d.JobID > 0 {
				if err := s.jobs.CancelTx(ctx, tx.Tx, d.JobID); err != nil {
					return 0, err
				}
			}
		}
		return s.jobs.InsertTxID(ctx, tx.Tx, DeliverArgs{PublicationID: id, Generation: gen}, &river.InsertOpts{Queue: jobs.QueuePublish})
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, passerelle.Errorf(passerelle.ECONFLICT, "The publication is %s.", b.State)
	}
	s.audit(ctx, u, id, "publish now")
	r, _, err := s.Publication(ctx, u, id)
	return r, err
}

// MarkPublished records that a person posted a publication by hand (an assisted kit,
// a WeChat draft published from the console): its URL must be a post of the
// publication's platform, and of its account when the platform says whose it is.
func (s *Service) MarkPublished(ctx context.Context, u *passerelle.User, id int64, rawURL string) (*store.PublicationRow, error) {
	d, err := s.publication(ctx, u, id, passerelle.PermSchedule)
	if err != nil {
		return nil, err
	}
	if d.Post.Status != passerelle.StatusApproved && d.Post.Status != passerelle.StatusScheduled && d.Post.Status != passerelle.StatusPublished {
		return nil, passerelle.Errorf(passerelle.ECONFLICT, "Only approved content is published; this post is %s.", d.Post.Status)
	}
	uid := s.accountUID(ctx, d.Publication.AccountID)
	norm, postID, err := PostURL(d.Publication.Platform, rawURL, uid)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	from := []passerelle.DeliveryState{passerelle.DeliveryAwaitingManual, passerelle.DeliveryDraftUploaded, passerelle.DeliveryPending,
		passerelle.DeliveryScheduled, passerelle.DeliveryFailed, passerelle.DeliveryNeedsReauth}
	r := store.AttemptResult{Outcome: passerelle.OutcomePublished, State: passerelle.DeliveryPublished, URL: norm, PlatformPostID: postID, PublishedAt: &now}
	if err := s.db.Resolve(ctx, id, from, r); err != nil {
		return nil, err
	}
	s.audit(ctx, u, id, "marked published: "+norm)
	s.doneWith(ctx, id, store.KindKitDue, store.KindDraftReady, store.KindFailed, store.KindNeedsReauth, store.KindNeedsCheck)
	row, _, err := s.Publication(ctx, u, id)
	return row, err
}

// accountUID is the platform user id of an account, when a connection recorded it.
func (s *Service) accountUID(ctx context.Context, accountID int64) string {
	c, err := s.db.Connection(ctx, accountID)
	if err != nil || c == nil {
		return ""
	}
	return c.PlatformUID
}

// Resolve records a person's decision on a publication in needs_check: "published"
// with the post's URL, or "not_published", which puts it back on the schedule at once.
func (s *Service) Resolve(ctx context.Context, u *passerelle.User, id int64, outcome, rawURL string) (*store.PublicationRow, error) {
	d, err := s.publication(ctx, u, id, passerelle.PermSchedule)
	if err != nil {
		return nil, err
	}
	if d.Publication.State != passerelle.DeliveryNeedsCheck {
		return nil, passerelle.Errorf(passerelle.ECONFLICT, "Only a publication whose outcome is unknown is resolved; this one is %s.", d.Publication.State)
	}
	switch outcome {
	case "published":
		norm, postID, err := PostURL(d.Publication.Platform, rawURL, s.accountUID(ctx, d.Publication.AccountID))
		if err != nil {
			return nil, err
		}
		now := s.now().UTC()
		err = s.db.Resolve(ctx, id, []passerelle.DeliveryState{passerelle.DeliveryNeedsCheck}, store.AttemptResult{Outcome: passerelle.OutcomePublished,
			State: passerelle.DeliveryPublished, URL: norm, PlatformPostID: postID, PublishedAt: &now, Error: "Resolved by " + u.Name + "."})
		if err != nil {
			return nil, err
		}
	case "not_published":
		ok, err := s.db.Reschedule(ctx, id, []passerelle.DeliveryState{passerelle.DeliveryNeedsCheck}, "Not published, said "+u.Name+": published again.",
			func(tx *store.Tx, gen int) (int64, error) {
				return s.jobs.InsertTxID(ctx, tx.Tx, DeliverArgs{PublicationID: id, Generation: gen}, &river.InsertOpts{Queue: jobs.QueuePublish})
			})
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, passerelle.Errorf(passerelle.ECONFLICT, "The publication changed in the meantime; reload it.")
		}
	default:
		return nil, &passerelle.Error{Code: passerelle.EINVALID, Message: "Say published or not_published.", Fields: map[string]string{"outcome": "Say published or not_published."}}
	}
	s.audit(ctx, u, id, "resolved: "+outcome)
	s.doneWith(ctx, id, store.KindNeedsCheck)
	row, _, err := s.Publication(ctx, u, id)
	return row, err
}

// doneWith marks read the notifications of these kinds about a publication once what
// they asked for is done. The action itself succeeded: a failure here is only logged.
func (s *Service) doneWith(ctx context.Context, id int64, kinds ...string) {
	if err := s.db.ReadPublicationNotifications(ctx, id, kinds...); err != nil {
		s.logger.Warn("publish: notifications not marked read", slog.Int64("publication", id), slog.String("error", err.Error()))
	}
}

// audit records a person forcing a publication's delivery (the audit log's
// publication.force).
func (s *Service) audit(ctx context.Context, u *passerelle.User, id int64, detail string) {
	s.db.Audit(ctx, store.AuditEntry{OrgID: u.OrgID, ActorID: u.ID, Action: store.AuditPublicationForce, Object: "publication", ObjectID: store.ID(id), Detail: detail})
}

// Resume puts an account's publications waiting for re-authorisation back on the
// schedule (at once when their time has passed): called after a reconnection.
func (s *Service) Resume(ctx context.Context, accountID int64) error {
	_, err := s.Reconnected(ctx, accountID)
	return err
}

// Reconnected is Resume that says how many publications went back on the schedule:
// connect calls it once a reconnection proves the account may publish again.
func (s *Service) Reconnected(ctx context.Context, accountID int64) (int, error) {
	ids, err := s.db.AccountPublications(ctx, accountID, []passerelle.DeliveryState{passerelle.DeliveryNeedsReauth})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		d, err := s.db.Delivery(ctx, id)
		if err != nil {
			return n, err
		}
		due := s.now()
		if d.Publication.ScheduledAt != nil && d.Publication.ScheduledAt.After(due) {
			due = *d.Publication.ScheduledAt
		}
		ok, err := s.db.Reschedule(ctx, id, []passerelle.DeliveryState{passerelle.DeliveryNeedsReauth}, "", func(tx *store.Tx, gen int) (int64, error) {
			return s.enqueue(ctx, tx, id, gen, due)
		})
		if err != nil {
			return n, err
		}
		if ok {
			n++
			s.doneWith(ctx, id, store.KindNeedsReauth)
		}
	}
	return n, nil
}
