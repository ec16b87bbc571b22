-- A rendition is claimed before it is rendered, so that one instance renders it while
-- the others (and other requests of the same instance) wait for the row in
-- media_renditions. A claim older than a few minutes is taken over: its holder died.
CREATE TABLE media_rendition_claims (
    asset_id BIGINT NOT NULL REFERENCES media_assets(id) ON DELETE CASCADE,
    spec TEXT NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (asset_id, spec)
);
