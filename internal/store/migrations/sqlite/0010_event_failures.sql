-- A WeChat event the drain cannot process is set aside (failed_at, error) instead of
-- blocking every later event. Rows stored before pushes' times were bounded may hold
-- an instant SQLite's fixed-width text cannot represent: they are set aside now.
ALTER TABLE wechat_events ADD COLUMN failed_at TEXT;
ALTER TABLE wechat_events ADD COLUMN error TEXT NOT NULL DEFAULT '';
UPDATE wechat_events SET failed_at = received_at, error = 'The push time is out of range.', sent_at = received_at
    WHERE processed_at IS NULL AND length(sent_at) != 27;
