-- Partnerships and networks (docs/architecture.md, "Partners"): the partner directory,
-- relay campaigns with one signed link per partner, live visits, the member
-- institutions of collective (network) accounts and the members a post features.
CREATE TABLE partners (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    name_zh TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    language TEXT NOT NULL,
    topics TEXT NOT NULL DEFAULT '[]',
    contacts TEXT NOT NULL DEFAULT '',
    audience_notes TEXT NOT NULL DEFAULT '',
    consent TEXT NOT NULL,
    contact_prefs TEXT NOT NULL DEFAULT '',
    -- search is the lower-cased text a directory search matches: names, handles, topics.
    search TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX partners_org_kind ON partners (org_id, kind, id);

CREATE TABLE partner_accounts (
    id INTEGER PRIMARY KEY,
    partner_id INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    handle TEXT NOT NULL,
    profile_url TEXT NOT NULL DEFAULT '',
    followers INTEGER CHECK (followers >= 0),
    followers_at TEXT,
    UNIQUE (partner_id, platform, handle)
);
CREATE INDEX partner_accounts_platform ON partner_accounts (platform, partner_id);

-- Followers over time, one reading per account and instant.
CREATE TABLE partner_followers (
    partner_account_id INTEGER NOT NULL REFERENCES partner_accounts(id) ON DELETE CASCADE,
    taken_at TEXT NOT NULL,
    followers INTEGER NOT NULL CHECK (followers >= 0),
    source TEXT NOT NULL,
    PRIMARY KEY (partner_account_id, taken_at)
);

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    institution_id INTEGER NOT NULL REFERENCES institutions(id),
    title TEXT NOT NULL DEFAULT '',
    message_zh TEXT NOT NULL DEFAULT '',
    own_views INTEGER CHECK (own_views >= 0),
    own_reposts INTEGER CHECK (own_reposts >= 0),
    created_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX campaigns_org ON campaigns (org_id, id);

CREATE TABLE campaign_relays (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    partner_id INTEGER NOT NULL REFERENCES partners(id),
    status TEXT NOT NULL CHECK (status IN ('invited', 'accepted', 'relayed', 'declined', 'no_answer')),
    url TEXT NOT NULL DEFAULT '',
    views INTEGER CHECK (views >= 0),
    reposts INTEGER CHECK (reposts >= 0),
    likes INTEGER CHECK (likes >= 0),
    comments INTEGER CHECK (comments >= 0),
    -- Only the hash of the partner link's nonce is kept; a reminder makes a new one.
    nonce_hash TEXT NOT NULL UNIQUE,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    invited_at TEXT NOT NULL,
    reminded_at TEXT,
    answered_at TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (campaign_id, partner_id)
);
CREATE INDEX campaign_relays_partner ON campaign_relays (partner_id);

CREATE TABLE live_events (
    id INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES institutions(id),
    platform TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    title_zh TEXT NOT NULL DEFAULT '',
    host TEXT NOT NULL DEFAULT '',
    partner_id INTEGER REFERENCES partners(id),
    route TEXT NOT NULL DEFAULT '[]',
    script_zh TEXT NOT NULL DEFAULT '',
    script_fr TEXT NOT NULL DEFAULT '',
    post_ids TEXT NOT NULL DEFAULT '[]',
    peak_viewers INTEGER CHECK (peak_viewers >= 0),
    total_viewers INTEGER CHECK (total_viewers >= 0),
    likes INTEGER CHECK (likes >= 0),
    comments INTEGER CHECK (comments >= 0),
    new_followers INTEGER CHECK (new_followers >= 0),
    figures_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX live_events_institution ON live_events (institution_id, starts_at);

-- A network account speaks for several member institutions.
CREATE TABLE account_members (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    institution_id INTEGER NOT NULL REFERENCES institutions(id),
    PRIMARY KEY (account_id, institution_id)
);
CREATE INDEX account_members_institution ON account_members (institution_id);

-- The member institutions a post on a network account features.
CREATE TABLE post_featured_institutions (
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    institution_id INTEGER NOT NULL REFERENCES institutions(id),
    PRIMARY KEY (post_id, institution_id)
);
CREATE INDEX post_featured_institution ON post_featured_institutions (institution_id);
