-- Audience analytics: every reading of a publication's figures (cumulative counters as
-- the platform shows them) with its source and instant, the newest figure of each kind
-- per publication (kept in step by the store, so that analytics read one row per
-- publication), daily follower movements, and each account's collection budget.
CREATE TABLE publication_snapshots (
    id INTEGER PRIMARY KEY,
    publication_id INTEGER NOT NULL REFERENCES publications(id) ON DELETE CASCADE,
    taken_at TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('api', 'import', 'manual')),
    views INTEGER CHECK (views >= 0),
    likes INTEGER CHECK (likes >= 0),
    comments INTEGER CHECK (comments >= 0),
    reposts INTEGER CHECK (reposts >= 0),
    lower_bound INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (publication_id, taken_at, source)
);

CREATE TABLE publication_figures (
    publication_id INTEGER PRIMARY KEY REFERENCES publications(id) ON DELETE CASCADE,
    views INTEGER, views_at TEXT, views_lower_bound INTEGER NOT NULL DEFAULT 0,
    likes INTEGER, likes_at TEXT,
    comments INTEGER, comments_at TEXT,
    reposts INTEGER, reposts_at TEXT,
    last_api_at TEXT
);

-- Analytics select a period's publications by their instant.
CREATE INDEX publications_published ON publications (account_id, published_at) WHERE published_at IS NOT NULL;

CREATE TABLE follower_days (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    new_followers INTEGER NOT NULL CHECK (new_followers >= 0),
    lost_followers INTEGER NOT NULL CHECK (lost_followers >= 0),
    source TEXT NOT NULL,
    PRIMARY KEY (account_id, day)
);

CREATE TABLE collection_budgets (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    hour_start TEXT NOT NULL,
    calls INTEGER NOT NULL,
    blocked_until TEXT,
    last_error TEXT NOT NULL DEFAULT ''
);
