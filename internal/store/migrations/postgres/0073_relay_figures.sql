-- Relay figures collected from Weibo (docs/architecture.md, "Partners"; issue 14):
-- every reading of a relay's figures is kept as a snapshot with its source ('api'
-- from statuses/count, 'manual' typed, 'import'), and the relay's columns hold the
-- figure the campaign totals use (the precedence is in passerelle.Relay.Take).
-- status_id is the numeric Weibo id of the relay's post (empty for other platforms);
-- url_at is when its address was recorded, from which the collection slots count;
-- missed_at the last time Weibo did not return the post.
ALTER TABLE campaign_relays ADD COLUMN status_id TEXT NOT NULL DEFAULT '';
ALTER TABLE campaign_relays ADD COLUMN url_at TIMESTAMPTZ;
ALTER TABLE campaign_relays ADD COLUMN figures_source TEXT NOT NULL DEFAULT '';
ALTER TABLE campaign_relays ADD COLUMN figures_at TIMESTAMPTZ;
ALTER TABLE campaign_relays ADD COLUMN collected_at TIMESTAMPTZ;
ALTER TABLE campaign_relays ADD COLUMN missed_at TIMESTAMPTZ;
CREATE INDEX campaign_relays_status_id ON campaign_relays (status_id, url_at) WHERE status_id <> '';

CREATE TABLE relay_snapshots (
    relay_id BIGINT NOT NULL REFERENCES campaign_relays(id) ON DELETE CASCADE,
    taken_at TIMESTAMPTZ NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('api', 'manual', 'import')),
    status_id TEXT NOT NULL DEFAULT '',
    views BIGINT CHECK (views >= 0),
    reposts BIGINT CHECK (reposts >= 0),
    likes BIGINT CHECK (likes >= 0),
    comments BIGINT CHECK (comments >= 0),
    PRIMARY KEY (relay_id, taken_at, source)
);

-- One reading per relay, post and slot (minutes after url_at), whatever River retries.
CREATE TABLE relay_collection_slots (
    relay_id BIGINT NOT NULL REFERENCES campaign_relays(id) ON DELETE CASCADE,
    status_id TEXT NOT NULL,
    slot INTEGER NOT NULL,
    taken_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (relay_id, status_id, slot)
);
