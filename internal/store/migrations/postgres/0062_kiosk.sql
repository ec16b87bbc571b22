-- Kiosk mode of visitor pages (a screen in a cultural space): how many seconds each
-- stop or work stays on screen before the next, and after how many seconds without
-- a touch the kiosk goes back to its first page. Set by editors per tour and
-- exhibition.
ALTER TABLE tours ADD COLUMN kiosk_pace INTEGER NOT NULL DEFAULT 20;
ALTER TABLE tours ADD COLUMN kiosk_idle INTEGER NOT NULL DEFAULT 120;
ALTER TABLE exhibitions ADD COLUMN kiosk_pace INTEGER NOT NULL DEFAULT 20;
ALTER TABLE exhibitions ADD COLUMN kiosk_idle INTEGER NOT NULL DEFAULT 120;
