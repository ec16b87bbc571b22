-- The WeChat Official Account as a service desk (internal/desk): placements and their
-- QR codes, attribution per placement and Beijing day, auto-replies, the custom menu
-- and the inbox of followers' messages.

-- A named physical spot with its permanent parametric QR code. The scene is what the
-- follower's subscribe/SCAN push carries; statistics join on it, so that a deleted
-- placement's pushes count under no placement.
CREATE TABLE placements (
    id INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES institutions(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    scene TEXT NOT NULL,
    qr_url TEXT NOT NULL DEFAULT '',
    attributed INTEGER NOT NULL DEFAULT 1,
    welcome_text TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (account_id, key),
    UNIQUE (account_id, scene)
);
CREATE INDEX placements_institution ON placements (institution_id, id);

-- Counts per account, scene and Beijing day, made by the drain from the pushes (which
-- retention deletes after hours): scans = new_follows + returning_scans.
CREATE TABLE placement_daily (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    scene TEXT NOT NULL,
    day TEXT NOT NULL,
    new_follows INTEGER NOT NULL DEFAULT 0,
    returning_scans INTEGER NOT NULL DEFAULT 0,
    unfollows INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, day, scene)
);

-- Which code a follower came through (personal data: kept 30 days, erased with the
-- follower), to attribute an unfollow to the placement.
CREATE TABLE follower_origins (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    openid TEXT NOT NULL,
    scene TEXT NOT NULL,
    followed_at TEXT NOT NULL,
    PRIMARY KEY (account_id, openid)
);
CREATE INDEX follower_origins_followed ON follower_origins (followed_at);

-- Keyword replies (is_default: the reply when no keyword matches). keywords is a JSON
-- array; active_from/active_to are Beijing "HH:MM" or empty for all day.
CREATE TABLE reply_rules (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    keywords TEXT NOT NULL DEFAULT '[]',
    match_mode TEXT NOT NULL,
    text TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    active_from TEXT NOT NULL DEFAULT '',
    active_to TEXT NOT NULL DEFAULT '',
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX reply_rules_account ON reply_rules (account_id, priority, id);

-- The custom menu as last pushed (WeChat's own JSON).
CREATE TABLE account_menus (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
    menu TEXT NOT NULL,
    pushed_at TEXT NOT NULL
);

-- One conversation per follower and account. interacted_at opens WeChat's 48-hour
-- customer-service window.
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    openid TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    assignee_id INTEGER REFERENCES users(id),
    last_message_at TEXT NOT NULL,
    interacted_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (account_id, openid)
);
CREATE INDEX conversations_account ON conversations (account_id, last_message_at);

CREATE TABLE conversation_messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    direction TEXT NOT NULL,
    msg_type TEXT NOT NULL,
    content TEXT NOT NULL DEFAULT '',
    user_id INTEGER REFERENCES users(id),
    sent_at TEXT NOT NULL
);
CREATE INDEX conversation_messages_sent ON conversation_messages (sent_at);
