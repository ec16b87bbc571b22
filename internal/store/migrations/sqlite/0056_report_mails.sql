-- The monthly audience reports e-mailed to an institution's reviewers: one row per
-- institution, month and recipient, written before the mail is sent (and removed when
-- sending fails), so that no one ever receives two mails for one month.
CREATE TABLE report_mails (
    institution_id INTEGER NOT NULL REFERENCES institutions(id) ON DELETE CASCADE,
    month TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (institution_id, month, user_id)
);
