-- The service desk's inbox (internal/desk): canned answers and staff tags on followers.

-- Named answers of an account, inserted into a reply with one click.
CREATE TABLE canned_answers (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (account_id, name)
);

-- Free tags staff give a follower of an account ("ambassador", "press", "teacher").
-- Personal data: erased with the follower (EraseFollower) and exported with the
-- organization's conversations.
CREATE TABLE follower_tags (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    openid TEXT NOT NULL,
    tag TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (account_id, openid, tag)
);
CREATE INDEX follower_tags_tag ON follower_tags (account_id, tag);
