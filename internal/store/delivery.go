package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// Deliveries: the publishing engine's writes on publications. Each attempt is inserted
// and committed before the platform is called (ClaimAttempt), and its outcome is
// written with the publication's new state in one transaction (FinishAttempt), so that
// a crash between the two leaves an open attempt: evidence for the reconciler, never a
// silent retry.

// Delivery is a publication with what the engine needs around it.
type Delivery struct {
	Post        *passerelle.Post
	Publication *passerelle.Publication
	// Ref holds the platform's intermediate ids (draft media_id, publish_id…).
	Ref         map[string]string
	JobRef      string
	StateAt     *time.Time
	NextCheckAt *time.Time
	JobID       int64
}

// Delivery loads a publication for the engine, whatever its organization.
func (db *DB) Delivery(ctx context.Context, publicationID int64) (*Delivery, error) {
	return db.delivery(ctx, db.r(), publicationID)
}

func (db *DB) delivery(ctx context.Context, x q, publicationID int64) (*Delivery, error) {
	var postID, orgID int64
	var ref string
	var jobRef *string
	var stateAt, nextCheck nullTime
	var jobID *int64
	err := x.row(ctx, `SELECT b.post_id, i.org_id, b.ref, b.job_ref, b.state_at, b.next_check_at, b.job_id FROM publications b JOIN posts p ON p.id = b.post_id
		JOIN institutions i ON i.id = p.institution_id WHERE b.id = ?`, publicationID).Scan(&postID, &orgID, &ref, &jobRef, &stateAt, &nextCheck, &jobID)
	if err != nil {
		return nil, db.mapErr(err)
	}
	p, err := db.loadPost(ctx, x, orgID, postID)
	if err != nil {
		return nil, err
	}
	d := &Delivery{Post: p, Ref: map[string]string{}, StateAt: stateAt.Ptr(), NextCheckAt: nextCheck.Ptr()}
	for _, b := range p.Publications {
		if b.ID == publicationID {
			d.Publication = b
		}
	}
	if d.Publication == nil {
		return nil, passerelle.ErrNotFound
	}
	if jobRef != nil {
		d.JobRef = *jobRef
	}
	if jobID != nil {
		d.JobID = *jobID
	}
	_ = json.Unmarshal([]byte(ref), &d.Ref)
	return d, nil
}

// SetSchedule writes a publication's delivery state, generation and job in tx: the
// engine's part of a post write.
func (tx *Tx) SetSchedule(ctx context.Context, publicationID int64, state passerelle.DeliveryState, generation int, jobID int64) error {
	_, err := tx.q().exec(ctx, `UPDATE publications SET state = ?, generation = ?, job_id = ?, state_at = ? WHERE id = ?`,
		string(state), generation, nullID(jobID), tx.db.nowUTC(), publicationID)
	return err
}

// ClaimAttempt starts attempt number attempts+1 of a scheduled publication of the given
// generation: the publication moves to publishing and the attempt is recorded, in one
// committed transaction. A publication that is no longer scheduled, or was rescheduled
// since (another generation), answers ECONFLICT.
func (db *DB) ClaimAttempt(ctx context.Context, publicationID int64, generation int, holder string) (int, error) {
	var number int
	err := db.inTx(ctx, func(tx *Tx) error {
		now := db.nowUTC()
		res, err := tx.q().exec(ctx, `UPDATE publications SET state = 'publishing', attempts = attempts + 1, state_at = ?, last_error = ''
			WHERE id = ? AND generation = ? AND state IN ('scheduled', 'pending')`, now, publicationID, generation)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return passerelle.Errorf(passerelle.ECONFLICT, "The publication is no longer due.")
		}
		if err := tx.q().row(ctx, `SELECT attempts FROM publications WHERE id = ?`, publicationID).Scan(&number); err != nil {
			return db.mapErr(err)
		}
		_, err = tx.q().exec(ctx, `INSERT INTO publication_attempts (publication_id, number, started_at, outcome, holder) VALUES (?, ?, ?, ?, ?)`,
			publicationID, number, now, passerelle.OutcomeStarted, holder)
		return err
	})
	return number, err
}

// AttemptResult is how an attempt ended and what it does to the publication.
type AttemptResult struct {
	Outcome string
	// State is the publication's new state.
	State          passerelle.DeliveryState
	PlatformPostID string
	URL            string
	// Ref is merged into the publication's ref and stored on the attempt.
	Ref         map[string]string
	JobRef      string
	Error       string
	PublishedAt *time.Time
	NextCheckAt *time.Time
	// Notify names the notification to send the institution's publishers (Kind*), if
	// any.
	Notify string
}

// FinishAttempt records the end of an attempt and moves the publication, in one
// transaction. The attempt is always recorded; the publication moves only while it is
// still in this attempt's hands (publishing or needs_check with this attempt number):
// otherwise the answer is false with no error, and the evidence stays on the attempt.
func (db *DB) FinishAttempt(ctx context.Context, publicationID int64, number int, r AttemptResult) (bool, error) {
	var moved bool
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		moved, err = tx.finishAttempt(ctx, publicationID, number, r)
		return err
	})
	return moved, err
}

func (tx *Tx) finishAttempt(ctx context.Context, publicationID int64, number int, r AttemptResult) (bool, error) {
	now := tx.db.nowUTC()
	refJS := marshalRef(r.Ref)
	// An attempt ended a second time (a submitted WeChat job followed to its end) keeps
	// the ids it recorded when no new ones come.
	if _, err := tx.q().exec(ctx, `UPDATE publication_attempts SET finished_at = ?, outcome = ?, platform_post_id = ?, ref = CASE WHEN CAST(? AS TEXT) = '{}' THEN ref ELSE CAST(? AS TEXT) END, error = ? WHERE publication_id = ? AND number = ?`,
		now, r.Outcome, nullString(r.PlatformPostID), refJS, refJS, r.Error, publicationID, number); err != nil {
		return false, err
	}
	var ref string
	var state passerelle.DeliveryState
	var attempts int
	if err := tx.q().row(ctx, `SELECT ref, state, attempts FROM publications WHERE id = ?`, publicationID).Scan(&ref, &state, &attempts); err != nil {
		return false, tx.db.mapErr(err)
	}
	if attempts != number || (state != passerelle.DeliveryPublishing && state != passerelle.DeliveryNeedsCheck) {
		return false, nil
	}
	if !state.CanMove(r.State) && state != r.State {
		return false, nil
	}
	merged := map[string]string{}
	_ = json.Unmarshal([]byte(ref), &merged)
	for k, v := range r.Ref {
		merged[k] = v
	}
	set := []string{"state = ?", "state_at = ?", "ref = ?", "last_error = ?", "next_check_at = ?"}
	args := []any{string(r.State), now, marshalRef(merged), r.Error, r.NextCheckAt}
	if r.PlatformPostID != "" {
		set, args = append(set, "platform_post_id = ?"), append(args, r.PlatformPostID)
	}
	if r.URL != "" {
		set, args = append(set, "url = ?"), append(args, r.URL)
	}
	if r.JobRef != "" {
		set, args = append(set, "job_ref = ?"), append(args, r.JobRef)
	}
	if r.PublishedAt != nil {
		set, args = append(set, "published_at = ?"), append(args, *r.PublishedAt)
	}
	if _, err := tx.q().exec(ctx, `UPDATE publications SET `+strings.Join(set, ", ")+` WHERE id = ?`, append(args, publicationID)...); err != nil {
		return false, err
	}
	if r.State == passerelle.DeliveryPublished {
		if err := tx.syncPostStatus(ctx, publicationID); err != nil {
			return false, err
		}
	}
	if r.Notify != "" {
		if err := tx.notifyPublishers(ctx, publicationID, r.Notify, r.Error); err != nil {
			return false, err
		}
	}
	return true, nil
}

// syncPostStatus marks the post published once every publication not cancelled is.
func (tx *Tx) syncPostStatus(ctx context.Context, publicationID int64) error {
	var postID int64
	var status passerelle.Status
	if err := tx.q().row(ctx, `SELECT p.id, p.status FROM publications b JOIN posts p ON p.id = b.post_id WHERE b.id = ?`, publicationID).Scan(&postID, &status); err != nil {
		return tx.db.mapErr(err)
	}
	var open int
	if err := tx.q().row(ctx, `SELECT COUNT(*) FROM publications WHERE post_id = ? AND state NOT IN ('published', 'cancelled')`, postID).Scan(&open); err != nil {
		return tx.db.mapErr(err)
	}
	if open > 0 || status == passerelle.StatusPublished {
		return nil
	}
	now := tx.db.nowUTC()
	if _, err := tx.q().exec(ctx, `UPDATE posts SET status = 'published', updated_at = ? WHERE id = ?`, now, postID); err != nil {
		return err
	}
	return tx.db.insertTransition(ctx, tx, &passerelle.Transition{PostID: postID, From: status, To: passerelle.StatusPublished, ActorName: "Passerelle"}, now)
}

// MoveDelivery moves a publication from one of the states in from to state, with a
// reason; false when it was not in one of them. Notify as in AttemptResult.
func (db *DB) MoveDelivery(ctx context.Context, publicationID int64, from []passerelle.DeliveryState, state passerelle.DeliveryState, reason, notify string) (bool, error) {
	var moved bool
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		moved, err = tx.MoveDelivery(ctx, publicationID, from, state, reason, notify)
		return err
	})
	return moved, err
}

// MoveDelivery is MoveDelivery in tx.
func (tx *Tx) MoveDelivery(ctx context.Context, publicationID int64, from []passerelle.DeliveryState, state passerelle.DeliveryState, reason, notify string) (bool, error) {
	args := []any{string(state), tx.db.nowUTC(), reason, publicationID}
	for _, f := range from {
		args = append(args, string(f))
	}
	res, err := tx.q().exec(ctx, `UPDATE publications SET state = ?, state_at = ?, last_error = ? WHERE id = ? AND state IN (?`+strings.Repeat(",?", len(from)-1)+`)`, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	// An attempt still open when its publication moves on ends with that move.
	if _, err := tx.q().exec(ctx, `UPDATE publication_attempts SET finished_at = ?, outcome = ?, error = ? WHERE publication_id = ? AND outcome = 'started'`,
		tx.db.nowUTC(), closingOutcome(state), reason, publicationID); err != nil {
		return false, err
	}
	if notify != "" {
		if err := tx.notifyPublishers(ctx, publicationID, notify, reason); err != nil {
			return false, err
		}
	}
	return true, nil
}

// Reschedule puts a publication back on the schedule under a new generation (after a
// retryable failure proved harmless, a reconnection or a person's decision), with the
// job that will deliver it inserted by enqueue in the same transaction.
func (db *DB) Reschedule(ctx context.Context, publicationID int64, from []passerelle.DeliveryState, reason string,
	enqueue func(tx *Tx, generation int) (int64, error)) (bool, error) {
	var moved bool
	err := db.inTx(ctx, func(tx *Tx) error {
		ok, err := tx.MoveDelivery(ctx, publicationID, from, passerelle.DeliveryScheduled, reason, "")
		if err != nil || !ok {
			return err
		}
		var gen int
		if err := tx.q().row(ctx, `UPDATE publications SET generation = generation + 1 WHERE id = ? RETURNING generation`, publicationID).Scan(&gen); err != nil {
			return db.mapErr(err)
		}
		jobID, err := enqueue(tx, gen)
		if err != nil {
			return err
		}
		if _, err := tx.q().exec(ctx, `UPDATE publications SET job_id = ? WHERE id = ?`, nullID(jobID), publicationID); err != nil {
			return err
		}
		moved = true
		return nil
	})
	return moved, err
}

// Resolve records a person's or the reconciler's decision on a publication whose outcome
// was unknown (or a kit posted by hand): published with its URL and platform id, in the
// same transaction as the open attempt's closing. It answers ECONFLICT when the
// publication is not in one of the from states.
func (db *DB) Resolve(ctx context.Context, publicationID int64, from []passerelle.DeliveryState, r AttemptResult) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var state passerelle.DeliveryState
		var attempts int
		if err := tx.q().row(ctx, `SELECT state, attempts FROM publications WHERE id = ?`, publicationID).Scan(&state, &attempts); err != nil {
			return db.mapErr(err)
		}
		ok := false
		for _, f := range from {
			ok = ok || f == state
		}
		if !ok {
			return passerelle.Errorf(passerelle.ECONFLICT, "The publication is %s.", state)
		}
		if attempts == 0 || state == passerelle.DeliveryAwaitingManual || state == passerelle.DeliveryDraftUploaded {
			// A kit posted by hand: its own attempt.
			attempts++
			now := db.nowUTC()
			if _, err := tx.q().exec(ctx, `UPDATE publications SET attempts = ? WHERE id = ?`, attempts, publicationID); err != nil {
				return err
			}
			if _, err := tx.q().exec(ctx, `INSERT INTO publication_attempts (publication_id, number, started_at, outcome) VALUES (?, ?, ?, ?)`,
				publicationID, attempts, now, passerelle.OutcomeStarted); err != nil {
				return err
			}
			if _, err := tx.q().exec(ctx, `UPDATE publications SET state = 'publishing' WHERE id = ?`, publicationID); err != nil {
				return err
			}
		} else if state != passerelle.DeliveryNeedsCheck && state != passerelle.DeliveryPublishing {
			if _, err := tx.q().exec(ctx, `UPDATE publications SET state = 'needs_check' WHERE id = ?`, publicationID); err != nil {
				return err
			}
		}
		moved, err := tx.finishAttempt(ctx, publicationID, attempts, r)
		if err != nil {
			return err
		}
		if !moved {
			return passerelle.Errorf(passerelle.ECONFLICT, "The publication changed in the meantime; reload it.")
		}
		return nil
	})
}

// StaleDeliveries lists publications whose attempt was left open (its worker died or
// gave up) since before cutoff, those whose next platform check is due, those in
// needs_check due for another look, and scheduled ones that lost their job or whose
// instant passed before overdue (their job died with its process).
func (db *DB) StaleDeliveries(ctx context.Context, cutoff, now, overdue time.Time, limit int) ([]int64, error) {
	return queryAll(ctx, db, db.r(), `SELECT b.id FROM publications b WHERE
		(b.state = 'publishing' AND EXISTS (SELECT 1 FROM publication_attempts t WHERE t.publication_id = b.id AND t.number = b.attempts AND t.outcome = 'started' AND t.started_at < ?))
		OR (b.state IN ('publishing', 'needs_check') AND b.next_check_at IS NOT NULL AND b.next_check_at <= ?)
		OR (b.state = 'scheduled' AND b.scheduled_at IS NOT NULL AND (b.job_id IS NULL OR b.scheduled_at < ?))
		ORDER BY b.id LIMIT ?`, []any{cutoff, now, overdue, limit}, func(s interface{ Scan(...any) error }) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	})
}

// SetNextCheck plans the next platform check of a publication.
func (db *DB) SetNextCheck(ctx context.Context, publicationID int64, at *time.Time) error {
	_, err := db.write.ExecContext(ctx, db.rebind(`UPDATE publications SET next_check_at = ? WHERE id = ?`), db.args([]any{at, publicationID})...)
	return db.mapErr(err)
}

// PublicationByJobRef finds the publication waiting for a platform job (a WeChat
// publish_id) of an account.
func (db *DB) PublicationByJobRef(ctx context.Context, accountID int64, ref string) (int64, error) {
	var id int64
	err := db.r().row(ctx, `SELECT id FROM publications WHERE account_id = ? AND job_ref = ?`, accountID, ref).Scan(&id)
	return id, db.mapErr(err)
}

// Attempts lists a publication's attempts, oldest first.
func (db *DB) Attempts(ctx context.Context, publicationID int64) ([]*passerelle.Attempt, error) {
	return queryAll(ctx, db, db.r(), `SELECT id, publication_id, number, started_at, finished_at, outcome, COALESCE(platform_post_id, ''), ref, error
		FROM publication_attempts WHERE publication_id = ? ORDER BY number`, []any{publicationID}, func(s interface{ Scan(...any) error }) (*passerelle.Attempt, error) {
		var a passerelle.Attempt
		var started, finished nullTime
		var ref string
		if err := s.Scan(&a.ID, &a.PublicationID, &a.Number, &started, &finished, &a.Outcome, &a.PlatformPostID, &ref, &a.Error); err != nil {
			return nil, err
		}
		a.StartedAt, a.FinishedAt = started.T, finished.Ptr()
		a.Ref = map[string]string{}
		_ = json.Unmarshal([]byte(ref), &a.Ref)
		return &a, nil
	})
}

// PublicationFilter selects publications for the API and the outbox. InstitutionIDs
// nil means every institution of OrgID.
type PublicationFilter struct {
	OrgID          int64
	InstitutionIDs []int64
	PostID         int64
	AccountID      int64
	States         []passerelle.DeliveryState
	DueBefore      *time.Time
	Limit          int
}

// PublicationRow is a publication with its post's title and institution.
type PublicationRow struct {
	*passerelle.Publication
	InstitutionID int64             `json:"institution_id"`
	PostTitle     string            `json:"post_title"`
	PostStatus    passerelle.Status `json:"post_status"`
	AccountHandle string            `json:"account_handle"`
}

// PublicationRows lists publications, soonest first.
func (db *DB) PublicationRows(ctx context.Context, f PublicationFilter) ([]*PublicationRow, error) {
	w := where{}
	w.add("i.org_id = ?", f.OrgID)
	if f.InstitutionIDs != nil {
		w.in("p.institution_id", f.InstitutionIDs)
	}
	if f.PostID > 0 {
		w.add("b.post_id = ?", f.PostID)
	}
	if f.AccountID > 0 {
		w.add("b.account_id = ?", f.AccountID)
	}
	if len(f.States) > 0 {
		args := make([]any, len(f.States))
		for i, s := range f.States {
			args[i] = string(s)
		}
		w.add("b.state IN (?"+strings.Repeat(",?", len(f.States)-1)+")", args...)
	}
	if f.DueBefore != nil {
		w.add("b.scheduled_at < ?", *f.DueBefore)
	}
	query := `SELECT ` + publicationColumns + `, p.institution_id, p.title, p.status, a.handle
		FROM publications b JOIN posts p ON p.id = b.post_id JOIN accounts a ON a.id = b.account_id JOIN institutions i ON i.id = p.institution_id` +
		w.sql() + ` ORDER BY CASE WHEN b.scheduled_at IS NULL THEN 1 ELSE 0 END, b.scheduled_at, b.id`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		w.args = append(w.args, f.Limit)
	}
	return queryAll(ctx, db, db.r(), query, w.args, func(s interface{ Scan(...any) error }) (*PublicationRow, error) {
		var r PublicationRow
		var b passerelle.Publication
		var topics, mediaIDs string
		var article *string
		var scheduled, published nullTime
		if err := s.Scan(&b.ID, &b.PostID, &b.AccountID, &b.Platform, &b.Format, &b.Mode, &b.TextZH, &topics, &mediaIDs, &b.RepostURL, &article, &scheduled,
			&b.ModeAuto, &b.ModeReason, &b.State, &b.Generation, &published, &b.PlatformPostID, &b.URL, &b.LastError, &b.Attempts, &b.MassSend,
			&r.InstitutionID, &r.PostTitle, &r.PostStatus, &r.AccountHandle); err != nil {
			return nil, err
		}
		b.ScheduledAt, b.PublishedAt = scheduled.Ptr(), published.Ptr()
		r.Publication = &b
		return &r, nil
	})
}

// AccountPublications lists an account's publications in the given states (for a
// reconnection that resumes them).
func (db *DB) AccountPublications(ctx context.Context, accountID int64, states []passerelle.DeliveryState) ([]int64, error) {
	args := []any{accountID}
	for _, s := range states {
		args = append(args, string(s))
	}
	return queryAll(ctx, db, db.r(), `SELECT id FROM publications WHERE account_id = ? AND state IN (?`+strings.Repeat(",?", len(states)-1)+`) ORDER BY id`, args,
		func(s interface{ Scan(...any) error }) (int64, error) {
			var id int64
			return id, s.Scan(&id)
		})
}

// CredentialsChangedSince reports whether an account's credentials were written after t.
func (db *DB) CredentialsChangedSince(ctx context.Context, accountID int64, t time.Time) (bool, error) {
	var n int
	err := db.r().row(ctx, `SELECT COUNT(*) FROM account_credentials WHERE account_id = ? AND updated_at > ?`, accountID, t).Scan(&n)
	return n > 0, db.mapErr(err)
}

// closingOutcome is the outcome of an open attempt closed by a move to state.
func closingOutcome(state passerelle.DeliveryState) string {
	switch state {
	case passerelle.DeliveryScheduled:
		return passerelle.OutcomeNotPublished
	case passerelle.DeliveryNeedsCheck:
		return passerelle.OutcomeAmbiguous
	}
	return string(state)
}

func marshalRef(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m) // a map of strings always marshals
	return string(b)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// SetScheduledAt moves a publication's time in tx (publish now).
func (tx *Tx) SetScheduledAt(ctx context.Context, publicationID int64, at time.Time) error {
	_, err := tx.q().exec(ctx, `UPDATE publications SET scheduled_at = ? WHERE id = ?`, at, publicationID)
	return err
}

// FinishJobRef ends, in tx, the open attempt of the publication of accountID waiting for
// the platform job ref (a WeChat publish_id): false when no publication waits for it.
func (tx *Tx) FinishJobRef(ctx context.Context, accountID int64, ref string, r AttemptResult) (bool, error) {
	var id int64
	var attempts int
	err := tx.q().row(ctx, `SELECT id, attempts FROM publications WHERE account_id = ? AND job_ref = ? AND state IN ('publishing', 'needs_check')`, accountID, ref).Scan(&id, &attempts)
	if err != nil {
		if err = tx.db.mapErr(err); passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
			return false, nil
		}
		return false, err
	}
	return tx.finishAttempt(ctx, id, attempts, r)
}

// PublicationJob returns the delivery job of a publication, 0 when it has none.
func (tx *Tx) PublicationJob(ctx context.Context, publicationID int64) (int64, error) {
	var id *int64
	if err := tx.q().row(ctx, `SELECT job_id FROM publications WHERE id = ?`, publicationID).Scan(&id); err != nil {
		return 0, tx.db.mapErr(err)
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}
