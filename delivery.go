package passerelle

import (
	"slices"
	"time"
)

// DeliveryState is where one publication stands on its way to the platform. The post's
// editorial status says what people decided; the delivery state says what happened.
//
//	pending ──schedule──▶ scheduled ──claim──▶ publishing ──▶ published
//	   ▲                    │  ▲                  │  │  └──▶ failed
//	   └──── unschedule ────┘  └──── retry ───────┘  └──▶ needs_check ──resolve──▶ published | scheduled | cancelled
//
// Besides: awaiting_manual (an assisted kit is due: a person posts it and records the
// URL), draft_uploaded (in the WeChat draft box: a person publishes it in the console),
// needs_reauth (the account's authorisation ended; resumed after reconnection) and
// cancelled.
type DeliveryState string

const (
	// DeliveryPending: not scheduled (a draft, or approved without a time).
	DeliveryPending DeliveryState = "pending"
	// DeliveryScheduled: a job will publish it at its time.
	DeliveryScheduled DeliveryState = "scheduled"
	// DeliveryPublishing: an attempt is under way (or, for WeChat, the platform is
	// still publishing).
	DeliveryPublishing DeliveryState = "publishing"
	// DeliveryPublished: on the platform, with its id or URL.
	DeliveryPublished DeliveryState = "published"
	// DeliveryFailed: the platform refused it for good; the reason is kept.
	DeliveryFailed DeliveryState = "failed"
	// DeliveryNeedsCheck: the outcome of an attempt is unknown (a timeout, a crash, a
	// lost answer). Never retried blindly: the reconciler or a person decides.
	DeliveryNeedsCheck DeliveryState = "needs_check"
	// DeliveryCancelled: taken off the schedule after a delivery began.
	DeliveryCancelled DeliveryState = "cancelled"
	// DeliveryAwaitingManual: an assisted kit is due; a person posts it.
	DeliveryAwaitingManual DeliveryState = "awaiting_manual"
	// DeliveryDraftUploaded: in the WeChat draft box; a person publishes it.
	DeliveryDraftUploaded DeliveryState = "draft_uploaded"
	// DeliveryNeedsReauth: the account must be authorised again.
	DeliveryNeedsReauth DeliveryState = "needs_reauth"
)

// DeliveryStates lists every delivery state.
var DeliveryStates = []DeliveryState{DeliveryPending, DeliveryScheduled, DeliveryPublishing, DeliveryPublished, DeliveryFailed,
	DeliveryNeedsCheck, DeliveryCancelled, DeliveryAwaitingManual, DeliveryDraftUploaded, DeliveryNeedsReauth}

// Valid reports whether d is a known state.
func (d DeliveryState) Valid() bool { return slices.Contains(DeliveryStates, d) }

// Final reports whether nothing more will happen to the publication by itself.
func (d DeliveryState) Final() bool {
	return d == DeliveryPublished || d == DeliveryFailed || d == DeliveryCancelled
}

// Attention reports whether a person must act: a failure, an unknown outcome, an
// authorisation to renew, a kit to post or a draft to publish.
func (d DeliveryState) Attention() bool {
	switch d {
	case DeliveryFailed, DeliveryNeedsCheck, DeliveryNeedsReauth, DeliveryAwaitingManual, DeliveryDraftUploaded:
		return true
	}
	return false
}

// Started reports whether a delivery began: the publication can no longer be dropped
// from its post, only cancelled.
func (d DeliveryState) Started() bool {
	return d != DeliveryPending && d != DeliveryScheduled
}

// deliveryMoves is the delivery state machine.
var deliveryMoves = map[DeliveryState][]DeliveryState{
	DeliveryPending:        {DeliveryScheduled, DeliveryPublishing},
	DeliveryScheduled:      {DeliveryPending, DeliveryPublishing, DeliveryAwaitingManual, DeliveryNeedsReauth, DeliveryCancelled, DeliveryFailed},
	DeliveryPublishing:     {DeliveryPublished, DeliveryFailed, DeliveryNeedsCheck, DeliveryScheduled, DeliveryNeedsReauth, DeliveryDraftUploaded, DeliveryAwaitingManual},
	DeliveryNeedsCheck:     {DeliveryPublished, DeliveryScheduled, DeliveryCancelled, DeliveryFailed},
	DeliveryAwaitingManual: {DeliveryPublished, DeliveryPending, DeliveryCancelled},
	DeliveryDraftUploaded:  {DeliveryPublished, DeliveryPending, DeliveryCancelled},
	DeliveryNeedsReauth:    {DeliveryScheduled, DeliveryPending, DeliveryCancelled},
	DeliveryFailed:         {DeliveryPending, DeliveryScheduled},
	DeliveryCancelled:      {DeliveryPending, DeliveryScheduled},
	DeliveryPublished:      nil,
}

// CanMove reports whether a publication may go from d to to.
func (d DeliveryState) CanMove(to DeliveryState) bool {
	return slices.Contains(deliveryMoves[d], to)
}

// Move returns to when the move is allowed, else a conflict.
func (d DeliveryState) Move(to DeliveryState) (DeliveryState, error) {
	if !d.CanMove(to) {
		return d, Errorf(ECONFLICT, "A publication cannot go from %s to %s.", d, to)
	}
	return to, nil
}

// Attempt is one try at delivering a publication, recorded and committed before the
// platform is called, so that a crash leaves evidence instead of a silent retry.
type Attempt struct {
	ID            int64      `json:"id"`
	PublicationID int64      `json:"publication_id"`
	Number        int        `json:"number"`
	StartedAt     time.Time  `json:"started_at"`
	FinishedAt    *time.Time `json:"finished_at"`
	// Outcome is "started" until the attempt ends: then published, failed, retry,
	// rate_limited, needs_reauth, ambiguous, draft_uploaded, or a resolution.
	Outcome        string `json:"outcome"`
	PlatformPostID string `json:"platform_post_id"`
	// Ref holds the platform's intermediate ids (a WeChat draft's media_id, a publish
	// job's publish_id) so that the outcome can be looked up later.
	Ref   map[string]string `json:"ref"`
	Error string            `json:"error"`
}

// Attempt outcomes.
const (
	OutcomeStarted       = "started"
	OutcomePublished     = "published"
	OutcomeFailed        = "failed"
	OutcomeRetry         = "retry"
	OutcomeRateLimited   = "rate_limited"
	OutcomeNeedsReauth   = "needs_reauth"
	OutcomeAmbiguous     = "ambiguous"
	OutcomeDraftUploaded = "draft_uploaded"
	OutcomeSubmitted     = "submitted"
	OutcomeNotPublished  = "not_published"
)

// PostProgress summarises a post's deliveries: how many publications are published
// out of how many, for "partly published".
type PostProgress struct {
	Total, Published, Attention int
}

// Progress counts the post's publications by delivery state.
func (p *Post) Progress() PostProgress {
	var pr PostProgress
	for _, b := range p.Publications {
		if b.State == DeliveryCancelled {
			continue
		}
		pr.Total++
		if b.State == DeliveryPublished {
			pr.Published++
		}
		if b.State.Attention() {
			pr.Attention++
		}
	}
	return pr
}

// Partly reports a post some but not all of whose publications are out.
func (pr PostProgress) Partly() bool { return pr.Published > 0 && pr.Published < pr.Total }

// Complete reports a post every publication of which is out.
func (pr PostProgress) Complete() bool { return pr.Total > 0 && pr.Published == pr.Total }
