-- Readings of an account's public metrics at an instant, whatever their source. Each
-- figure is a cumulative counter as the platform shows it (followers, posts published,
-- views, interactions), NULL when the source did not give it. The UNIQUE key makes a
-- re-import of the same file, or a collector run retried, rewrite rather than duplicate.
CREATE TABLE account_snapshots (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    taken_at TEXT NOT NULL,
    followers INTEGER CHECK (followers >= 0),
    posts INTEGER CHECK (posts >= 0),
    views INTEGER CHECK (views >= 0),
    interactions INTEGER CHECK (interactions >= 0),
    source TEXT NOT NULL CHECK (source IN ('api', 'csv', 'manual', 'push')),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (account_id, taken_at, source)
);
-- The barometer asks "latest reading on or before T" per account: a backward scan of
-- this index, one seek per account.
CREATE INDEX account_snapshots_account_taken ON account_snapshots (account_id, taken_at);

-- A published barometer: the computed table of a period, frozen. Rows are kept as the
-- JSON that was published, byte for byte; nothing updates them (the trigger enforces it
-- below the store too).
CREATE TABLE barometer_editions (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    period_label TEXT NOT NULL,
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL,
    platform TEXT NOT NULL,
    rows_json TEXT NOT NULL,
    total_followers INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (org_id, period_label, platform)
);

CREATE TRIGGER barometer_editions_immutable BEFORE UPDATE ON barometer_editions
BEGIN
    SELECT RAISE(ABORT, 'barometer editions are immutable');
END;
