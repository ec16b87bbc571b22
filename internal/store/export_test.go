package store

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
