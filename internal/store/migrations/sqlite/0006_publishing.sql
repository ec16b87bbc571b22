-- The publishing engine: each publication's delivery state, the attempts made (each
-- committed before the platform is called), and notifications for people who must act.
ALTER TABLE publications ADD COLUMN mode_auto INTEGER NOT NULL DEFAULT 0;
ALTER TABLE publications ADD COLUMN mode_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE publications ADD COLUMN state TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE publications ADD COLUMN state_at TEXT;
ALTER TABLE publications ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE publications ADD COLUMN job_id INTEGER;
ALTER TABLE publications ADD COLUMN published_at TEXT;
ALTER TABLE publications ADD COLUMN platform_post_id TEXT;
ALTER TABLE publications ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE publications ADD COLUMN ref TEXT NOT NULL DEFAULT '{}';
ALTER TABLE publications ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE publications ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE publications ADD COLUMN next_check_at TEXT;
ALTER TABLE publications ADD COLUMN job_ref TEXT;
CREATE INDEX publications_job_ref ON publications (account_id, job_ref);
-- One platform post is one publication: a second link of the same post is refused.
CREATE UNIQUE INDEX publications_platform_post ON publications (account_id, platform_post_id) WHERE platform_post_id IS NOT NULL;
CREATE INDEX publications_state ON publications (state, scheduled_at);
UPDATE publications SET state = 'scheduled' WHERE post_id IN (SELECT id FROM posts WHERE status = 'scheduled') AND scheduled_at IS NOT NULL;

CREATE TABLE publication_attempts (
    id INTEGER PRIMARY KEY,
    publication_id INTEGER NOT NULL REFERENCES publications(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT NOT NULL,
    platform_post_id TEXT,
    ref TEXT NOT NULL DEFAULT '{}',
    error TEXT NOT NULL DEFAULT '',
    holder TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX publication_attempts_number ON publication_attempts (publication_id, number);
CREATE UNIQUE INDEX publication_attempts_post ON publication_attempts (publication_id, platform_post_id) WHERE platform_post_id IS NOT NULL;

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    institution_id INTEGER REFERENCES institutions(id),
    post_id INTEGER REFERENCES posts(id) ON DELETE CASCADE,
    publication_id INTEGER REFERENCES publications(id) ON DELETE CASCADE,
    detail TEXT NOT NULL DEFAULT '',
    dedupe TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT,
    emailed_at TEXT
);
CREATE UNIQUE INDEX notifications_dedupe ON notifications (user_id, dedupe);
CREATE INDEX notifications_user ON notifications (user_id, read_at, id);
