-- Files of figures uploaded from the analytics page, kept between the preview and the
-- commit (Post/Redirect/Get): the file itself until it is imported or abandoned, then
-- its fingerprint only, so that a second upload of the same file says when it was
-- imported before.
CREATE TABLE metric_uploads (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB,
    taken_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    committed_at TEXT,
    imported INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX metric_uploads_file ON metric_uploads (account_id, sha256);
