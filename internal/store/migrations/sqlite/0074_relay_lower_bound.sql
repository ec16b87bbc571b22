-- A relay's views may be a lower bound ("10万+" in a WeChat back-office export or a
-- partner's spreadsheet, issue 14): kept with the relay's figures and with each reading,
-- as publication figures keep theirs (0050).
ALTER TABLE campaign_relays ADD COLUMN views_lower_bound INTEGER NOT NULL DEFAULT 0;
ALTER TABLE relay_snapshots ADD COLUMN views_lower_bound INTEGER NOT NULL DEFAULT 0;
