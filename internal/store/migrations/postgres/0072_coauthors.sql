-- Co-created posts (docs/architecture.md, "Partners"): the partners a post names as
-- co-authors, each one's approval of the post's content (at the post's version) and
-- the co-author's own publication of the joint post: its address on the partner's
-- platform and its figures. A guest review link may be bound to a co-author.
CREATE TABLE post_coauthors (
    post_id BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    partner_id BIGINT NOT NULL REFERENCES partners(id),
    decision TEXT NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'approved', 'changes_requested')),
    -- decided_version is the post's content version the decision was taken on: an
    -- approval counts only while the content is that version.
    decided_version INTEGER,
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at TIMESTAMPTZ,
    url TEXT NOT NULL DEFAULT '',
    platform TEXT NOT NULL DEFAULT '',
    views BIGINT CHECK (views >= 0),
    views_lower_bound BOOLEAN NOT NULL DEFAULT FALSE,
    reposts BIGINT CHECK (reposts >= 0),
    likes BIGINT CHECK (likes >= 0),
    comments BIGINT CHECK (comments >= 0),
    recorded_at TIMESTAMPTZ,
    figures_at TIMESTAMPTZ,
    PRIMARY KEY (post_id, partner_id)
);
CREATE INDEX post_coauthors_partner ON post_coauthors (partner_id);

ALTER TABLE guest_links ADD COLUMN partner_id BIGINT REFERENCES partners(id);
