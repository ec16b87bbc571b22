-- Instants are UTC text. The editorial workflow: posts and their publications, history, comments, glossary,
-- sensitive vocabulary, media library, guest review links, calendar settings.
CREATE TABLE editorial_settings (
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    institution_id INTEGER NOT NULL DEFAULT 0,
    themes TEXT NOT NULL DEFAULT '',
    glossary_seeded_at TEXT,
    two_step_approval INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (org_id, institution_id)
);

CREATE TABLE cadence_targets (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    min_per_week INTEGER NOT NULL,
    max_per_week INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE media_assets (
    id INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES institutions(id),
    storage_key TEXT NOT NULL,
    mime TEXT NOT NULL,
    width INTEGER NOT NULL DEFAULT 0,
    height INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    frames INTEGER NOT NULL DEFAULT 0,
    filename TEXT NOT NULL DEFAULT '',
    alt_zh TEXT NOT NULL DEFAULT '',
    credit TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at TEXT NOT NULL,
    archived_at TEXT
);
CREATE UNIQUE INDEX media_assets_key ON media_assets (institution_id, storage_key);

CREATE TABLE media_renditions (
    asset_id INTEGER NOT NULL REFERENCES media_assets(id) ON DELETE CASCADE,
    spec TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    mime TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (asset_id, spec)
);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES institutions(id),
    title TEXT NOT NULL,
    theme TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    source_text TEXT NOT NULL DEFAULT '',
    text_zh TEXT NOT NULL DEFAULT '',
    text_zh_hant TEXT NOT NULL DEFAULT '',
    media_ids TEXT NOT NULL DEFAULT '[]',
    links TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    approval_step INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX posts_institution ON posts (institution_id, status);

CREATE TABLE publications (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    position INTEGER NOT NULL,
    format TEXT NOT NULL,
    mode TEXT NOT NULL DEFAULT '',
    text_zh TEXT NOT NULL DEFAULT '',
    topics TEXT NOT NULL DEFAULT '[]',
    media_ids TEXT NOT NULL DEFAULT '[]',
    repost_url TEXT NOT NULL DEFAULT '',
    article TEXT,
    scheduled_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX publications_post_account ON publications (post_id, account_id);
CREATE INDEX publications_scheduled ON publications (scheduled_at);
CREATE INDEX publications_account ON publications (account_id, scheduled_at);

CREATE TABLE post_revisions (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    user_id INTEGER,
    actor_name TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    source_text TEXT NOT NULL,
    text_zh TEXT NOT NULL,
    text_zh_hant TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX post_revisions_version ON post_revisions (post_id, version);

CREATE TABLE guest_links (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    nonce_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
);
CREATE INDEX guest_links_post ON guest_links (post_id);

CREATE TABLE post_transitions (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    user_id INTEGER,
    guest_link_id INTEGER,
    actor_name TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX post_transitions_post ON post_transitions (post_id, id);

CREATE TABLE post_comments (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES post_comments(id) ON DELETE CASCADE,
    user_id INTEGER,
    guest_link_id INTEGER,
    author_name TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX post_comments_post ON post_comments (post_id, id);

CREATE TABLE glossary_terms (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    institution_id INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    source_key TEXT NOT NULL,
    zh TEXT NOT NULL,
    zh_hant TEXT NOT NULL DEFAULT '',
    aliases TEXT NOT NULL DEFAULT '[]',
    accepted TEXT NOT NULL DEFAULT '[]',
    variants TEXT NOT NULL DEFAULT '[]',
    kind TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    birth_date TEXT NOT NULL DEFAULT '',
    death_date TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX glossary_terms_source ON glossary_terms (org_id, institution_id, source_key);

CREATE TABLE lexicon_entries (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    term TEXT NOT NULL,
    severity TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX lexicon_entries_term ON lexicon_entries (org_id, term);

-- signing_keys hold random keys (sealed with the secret keyring) for signed links.
CREATE TABLE signing_keys (
    name TEXT PRIMARY KEY,
    sealed TEXT NOT NULL,
    key_version INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
