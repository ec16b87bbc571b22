package store

import (
	"context"
	"time"
)

// PurgeWeChatEvents deletes raw pushes received before now-keep whose effects (the
// aggregates: follower counts) were already applied; unprocessed ones wait for the
// drain. It returns how many were deleted.
func (db *DB) PurgeWeChatEvents(ctx context.Context, keep time.Duration) (int64, error) {
	res, err := db.write.ExecContext(ctx, db.rebind(`DELETE FROM wechat_events WHERE received_at < ? AND processed_at IS NOT NULL`), db.args([]any{db.nowUTC().Add(-keep)})...)
	if err != nil {
		return 0, db.mapErr(err)
	}
	return res.RowsAffected()
}

// EraseFollower deletes everything the organization's accounts hold about one WeChat
// follower (the openid of raw pushes, their conversations and messages in the inbox,
// the QR code they came through, staff's tags on them) and returns how many rows went. Aggregates already
// counted from them stay.
func (db *DB) EraseFollower(ctx context.Context, orgID int64, openID string) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.q().exec(ctx, `DELETE FROM wechat_events WHERE from_user = ? AND account_id IN (SELECT a.id FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE i.org_id = ?)`, openID, orgID)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		k, err := tx.eraseFollowerDesk(ctx, orgID, openID)
		n += k
		return err
	})
	return n, err
}
