-- A library asset's tags (a JSON list) and rights: who took it, who holds the rights,
-- under which licence, and the day (YYYY-MM-DD, '' for none) after which it may no
-- longer be published.
ALTER TABLE media_assets ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE media_assets ADD COLUMN photographer TEXT NOT NULL DEFAULT '';
ALTER TABLE media_assets ADD COLUMN rights_holder TEXT NOT NULL DEFAULT '';
ALTER TABLE media_assets ADD COLUMN licence TEXT NOT NULL DEFAULT '';
ALTER TABLE media_assets ADD COLUMN rights_until TEXT NOT NULL DEFAULT '';
