-- A WeChat event the drain cannot process is set aside (failed_at, error) instead of
-- blocking every later event. Pushes stored before their times were bounded may carry
-- an instant before 2000 (a wrapped-around CreateTime): they are set aside now.
ALTER TABLE wechat_events ADD COLUMN failed_at TIMESTAMPTZ;
ALTER TABLE wechat_events ADD COLUMN error TEXT NOT NULL DEFAULT '';
UPDATE wechat_events SET failed_at = received_at, error = 'The push time is out of range.', sent_at = received_at
    WHERE processed_at IS NULL AND sent_at < TIMESTAMPTZ '2000-01-01 00:00:00+00';
