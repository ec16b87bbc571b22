-- Relay campaigns' saved message templates and reminders (docs/architecture.md,
-- "Partners"): a campaign flags a partner still invited after remind_after_days, and
-- each reminder sent is counted on the relay.
CREATE TABLE campaign_templates (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    message_zh TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (org_id, name)
);

ALTER TABLE campaigns ADD COLUMN remind_after_days INTEGER NOT NULL DEFAULT 7 CHECK (remind_after_days BETWEEN 1 AND 90);
ALTER TABLE campaign_relays ADD COLUMN reminders INTEGER NOT NULL DEFAULT 0;
