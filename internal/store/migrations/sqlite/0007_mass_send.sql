-- WeChat mass send (群发): a publication may ask for its article to be sent to every
-- follower; the account's type sets the quota (subscription: 1 a day, service: 4 a
-- month); every mass send is recorded (reserved before the call) to count the quota and
-- to take WeChat's MASSSENDJOBFINISH report.
ALTER TABLE publications ADD COLUMN mass_send INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN wechat_type TEXT NOT NULL DEFAULT 'subscription';

CREATE TABLE wechat_mass_sends (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    publication_id INTEGER REFERENCES publications(id) ON DELETE SET NULL,
    client_msg_id TEXT NOT NULL,
    -- sending (reserved, the call may be under way), sent, failed (refused: no quota used)
    state TEXT NOT NULL DEFAULT 'sending',
    reserved_at TEXT NOT NULL,
    sent_at TEXT,
    msg_id TEXT,
    msg_data_id TEXT,
    report_status TEXT NOT NULL DEFAULT '',
    total_count INTEGER,
    sent_count INTEGER,
    error_count INTEGER,
    reported_at TEXT
);
CREATE UNIQUE INDEX wechat_mass_sends_client ON wechat_mass_sends (account_id, client_msg_id);
CREATE INDEX wechat_mass_sends_account ON wechat_mass_sends (account_id, reserved_at);
CREATE INDEX wechat_mass_sends_msg ON wechat_mass_sends (account_id, msg_id);
