-- Collection of audience figures from the platforms: each organization's schedule and
-- quotas (defaults in code when there is no row), the slots of each publication already
-- collected (one reading per publication and slot, whatever River retries), and the
-- daily quota and re-authorisation state of each account's collection.
CREATE TABLE collection_settings (
    org_id BIGINT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    hours TEXT NOT NULL,
    weibo_days INTEGER NOT NULL CHECK (weibo_days BETWEEN 1 AND 60),
    wechat_days INTEGER NOT NULL CHECK (wechat_days BETWEEN 1 AND 7),
    weibo_reads_per_hour INTEGER NOT NULL CHECK (weibo_reads_per_hour BETWEEN 1 AND 100000),
    wechat_calls_per_day INTEGER NOT NULL CHECK (wechat_calls_per_day BETWEEN 1 AND 100000),
    updated_at TIMESTAMPTZ NOT NULL
);

-- slot: minutes after publication (Weibo) or the day number after the publication
-- day, times 1440 (WeChat, from the datacube).
CREATE TABLE collection_slots (
    publication_id BIGINT NOT NULL REFERENCES publications(id) ON DELETE CASCADE,
    slot INTEGER NOT NULL,
    taken_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (publication_id, slot)
);

ALTER TABLE collection_budgets ADD COLUMN day_start TEXT NOT NULL DEFAULT '';
ALTER TABLE collection_budgets ADD COLUMN day_calls BIGINT NOT NULL DEFAULT 0;
ALTER TABLE collection_budgets ADD COLUMN needs_reauth BOOLEAN NOT NULL DEFAULT FALSE;
