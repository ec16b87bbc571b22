package store

import (
	"context"
	"log/slog"
	"time"
)

// Audit actions. Objects are named by the table's singular ("user", "token"…).
const (
	AuditSignIn           = "sign_in"
	AuditSignInFailed     = "sign_in_failed"
	AuditUserCreate       = "user.create"
	AuditUserUpdate       = "user.update"
	AuditPasswordSet      = "user.password"
	AuditCredentialsSet   = "credentials.set"
	AuditTokenCreate      = "token.create"
	AuditTokenRevoke      = "token.revoke"
	AuditPublicationForce = "publication.force"
	AuditSettingsUpdate   = "settings.update"
	AuditKeysRotate       = "keys.rotate"
	AuditOrgExport        = "organization.export"
	AuditFollowerErase    = "follower.erase"
)

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID       int64     `json:"-"`
	OrgID    int64     `json:"-"`
	At       time.Time `json:"at"`
	ActorID  int64     `json:"-"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Object   string    `json:"object"`
	ObjectID *int64    `json:"object_id"`
	Detail   string    `json:"detail"`
}

// Audit appends an entry. Operations call it once their change is committed; a failure
// to record is logged and does not undo the change. With ActorID set, OrgID and Actor
// default to the actor's organization and email.
func (db *DB) Audit(ctx context.Context, e AuditEntry) {
	if e.At.IsZero() {
		e.At = db.nowUTC()
	}
	if e.ActorID == 0 && db.AuditActor != nil {
		e.ActorID = db.AuditActor(ctx)
	}
	var err error
	if e.ActorID != 0 && (e.OrgID == 0 || e.Actor == "") {
		_, err = db.write.ExecContext(ctx, db.rebind(`INSERT INTO audit_log (org_id, at, actor_id, actor, action, object, object_id, detail)
			SELECT CASE WHEN ? = 0 THEN org_id ELSE ? END, ?, id, CASE WHEN ? = '' THEN email ELSE ? END, ?, ?, ?, ? FROM users WHERE id = ?`),
			db.args([]any{e.OrgID, e.OrgID, e.At, e.Actor, e.Actor, e.Action, e.Object, e.ObjectID, e.Detail, e.ActorID})...)
	} else if e.OrgID != 0 {
		if e.Actor == "" {
			e.Actor = "system"
		}
		_, err = db.write.ExecContext(ctx, db.rebind(`INSERT INTO audit_log (org_id, at, actor_id, actor, action, object, object_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			db.args([]any{e.OrgID, e.At, nullID(e.ActorID), e.Actor, e.Action, e.Object, e.ObjectID, e.Detail})...)
	}
	if err != nil {
		db.logger.ErrorContext(ctx, "audit: entry not recorded", slog.String("action", e.Action), slog.Any("err", err))
	}
}

// ID returns a pointer to id, for AuditEntry.ObjectID.
func ID(id int64) *int64 { return &id }

// AuditFilter selects audit entries of an organization.
type AuditFilter struct {
	OrgID    int64
	From, To time.Time // To excluded; zero: unbounded
	Action   string    // exact, or a prefix ending in "." ("user.")
	ActorID  int64
	BeforeID int64 // paging, newest first
	Limit    int
}

// AuditEntries lists entries newest first.
func (db *DB) AuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, error) {
	query := `SELECT id, org_id, at, COALESCE(actor_id, 0), actor, action, object, object_id, detail FROM audit_log WHERE org_id = ?`
	args := []any{f.OrgID}
	if !f.From.IsZero() {
		query += ` AND at >= ?`
		args = append(args, f.From)
	}
	if !f.To.IsZero() {
		query += ` AND at < ?`
		args = append(args, f.To)
	}
	if f.Action != "" {
		if f.Action[len(f.Action)-1] == '.' {
			query += ` AND action LIKE ?`
			args = append(args, f.Action+"%")
		} else {
			query += ` AND action = ?`
			args = append(args, f.Action)
		}
	}
	if f.ActorID != 0 {
		query += ` AND actor_id = ?`
		args = append(args, f.ActorID)
	}
	if f.BeforeID != 0 {
		query += ` AND id < ?`
		args = append(args, f.BeforeID)
	}
	query += ` ORDER BY id DESC`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	return queryAll(ctx, db, db.r(), query, args, func(s interface{ Scan(...any) error }) (*AuditEntry, error) {
		var e AuditEntry
		var at nullTime
		var obj *int64
		err := s.Scan(&e.ID, &e.OrgID, &at, &e.ActorID, &e.Actor, &e.Action, &e.Object, &obj, &e.Detail)
		e.At, e.ObjectID = at.T, obj
		return &e, err
	})
}

// PurgeAudit deletes entries older than keep (at least 30 days: the triggers refuse
// younger ones) and returns how many.
func (db *DB) PurgeAudit(ctx context.Context, keep time.Duration) (int64, error) {
	keep = max(keep, 31*24*time.Hour)
	res, err := db.write.ExecContext(ctx, db.rebind(`DELETE FROM audit_log WHERE at < ?`), db.args([]any{db.nowUTC().Add(-keep)})...)
	if err != nil {
		return 0, db.mapErr(err)
	}
	return res.RowsAffected()
}
