-- Pushes from WeChat, stored on arrival and drained by a job.
CREATE TABLE wechat_events (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    dedup_key TEXT NOT NULL,
    msg_type TEXT NOT NULL,
    event TEXT NOT NULL DEFAULT '',
    scene TEXT NOT NULL DEFAULT '',
    from_user TEXT NOT NULL DEFAULT '',
    sent_at TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    processed_at TEXT,
    UNIQUE (account_id, dedup_key)
);
CREATE INDEX wechat_events_pending ON wechat_events (processed_at, id);
CREATE INDEX wechat_events_account ON wechat_events (account_id, id);

-- Signed push requests already seen: a replay with another body is refused.
CREATE TABLE push_replays (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    sig_key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (account_id, sig_key)
);
CREATE INDEX push_replays_seen ON push_replays (seen_at);

-- WeChat access tokens shared by every instance, with the lease of the one refresher.
CREATE TABLE platform_tokens (
    app_id TEXT PRIMARY KEY,
    sealed_token TEXT NOT NULL DEFAULT '',
    expires_at TEXT,
    lease_holder TEXT NOT NULL DEFAULT '',
    lease_until TEXT
);

-- What the last connection test found, and the OAuth token's expiry (Weibo).
CREATE TABLE account_connections (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
    status TEXT NOT NULL,
    diagnosis_key TEXT NOT NULL DEFAULT '',
    can_publish INTEGER NOT NULL DEFAULT 0,
    can_analytics INTEGER NOT NULL DEFAULT 0,
    platform_uid TEXT NOT NULL DEFAULT '',
    checked_at TEXT NOT NULL,
    token_expires_at TEXT,
    reminded_at TEXT
);

-- OAuth authorisations in progress, bound to the browser session that started them.
CREATE TABLE oauth_states (
    hash TEXT PRIMARY KEY,
    session_hash TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    expires_at TEXT NOT NULL
);
