package store

import (
	"context"
	"time"
)

// Exported for tests.
var ParseUTC = parseUTC

const TimeLayout = timeLayout

// AddMigration appends a migration to the embedded ones (to test upgrades).
func (db *DB) AddMigration(version int, name, sql string) {
	db.extraMigrations = append(db.extraMigrations, migration{version: version, name: name, sql: sql})
}

// WaitPrepared waits for the statements noted by past transactions to be prepared.
func (db *DB) WaitPrepared() { db.stmts.wg.Wait() }

// WriteStmts is how many statements the write pool has prepared and cached.
func (db *DB) WriteStmts() int {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	return len(db.stmts.pools[db.write])
}

// BoundStmts is how many cached statements the transaction has bound to itself.
func (tx *Tx) BoundStmts() int {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	return len(tx.stmts)
}

// DayWalk is the day walk of AnalyticsRanked (PostgreSQL), which says false when it
// cannot answer.
func (db *DB) DayWalk(ctx context.Context, orgID int64, institutionIDs []int64, from, to time.Time, desc bool, n int) ([]AnalyticsRow, bool, error) {
	return db.dayWalk(ctx, orgID, institutionIDs, from, to, desc, n)
}

// SetDayWalkExtra sets how many entries more than n the day walk reads of each day,
// and returns a function that restores it.
func SetDayWalkExtra(n int) func() {
	old := dayWalkExtra
	dayWalkExtra = n
	return func() { dayWalkExtra = old }
}
