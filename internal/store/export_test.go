package store

// Exported for tests.
var ParseUTC = parseUTC

const TimeLayout = timeLayout

// AddMigration appends a migration to the embedded ones (to test upgrades).
func (db *DB) AddMigration(version int, name, sql string) {
	db.extraMigrations = append(db.extraMigrations, migration{version: version, name: name, sql: sql})
}
