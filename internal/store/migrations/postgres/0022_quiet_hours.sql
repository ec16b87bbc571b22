-- An institution's quiet hours: the Beijing-time window (minutes after midnight,
-- start included, end excluded, wrapping past midnight) in which a publication is
-- warned about. Equal start and end turn the warning off. Default 23:00–07:00.
ALTER TABLE editorial_settings ADD COLUMN quiet_start INTEGER NOT NULL DEFAULT 1380;
ALTER TABLE editorial_settings ADD COLUMN quiet_end INTEGER NOT NULL DEFAULT 420;
