-- Analytics at scale, part four: followers.
--
-- analytics_org_followers holds, per organization and Beijing day, how the sum of its
-- accounts' latest follower readings changed that day (followers) and how many
-- accounts got their first reading (readers). Added up from the first day to a day D,
-- they are the organization's followers at the end of D (each account counted at its
-- latest reading by then) and the number of accounts read by then: the daily chart of
-- an organization of two thousand accounts reads a row a day instead of every reading.
--
-- A reading of value v at instant t (readings of an account are ordered by instant,
-- then id) changes its account's value from the previous reading's pv (0 and no
-- reader before the first) to v on t's day, and the next reading's change, on its own
-- day, from nv − pv to nv − v. The triggers keep the sums equal to that whenever
-- readings are inserted, deleted or changed. Readings without followers (a posts
-- count alone) are not readings here.
CREATE TABLE analytics_org_followers (
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    followers BIGINT NOT NULL,
    readers BIGINT NOT NULL,
    PRIMARY KEY (org_id, day)
);

INSERT INTO analytics_org_followers (org_id, day, followers, readers)
SELECT i.org_id, to_char(x.taken_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), SUM(x.followers - COALESCE(x.prev, 0)), COUNT(*) FILTER (WHERE x.prev IS NULL)
FROM (
    SELECT s.account_id, s.taken_at, s.followers, LAG(s.followers) OVER (PARTITION BY s.account_id ORDER BY s.taken_at, s.id) AS prev
    FROM account_snapshots s WHERE s.followers IS NOT NULL
) x JOIN accounts a ON a.id = x.account_id JOIN institutions i ON i.id = a.institution_id
GROUP BY 1, 2;

DELETE FROM analytics_org_followers WHERE followers = 0 AND readers = 0;

ANALYZE analytics_org_followers;

-- analytics_org_followers_apply brings the sums up to date after a statement changed
-- the readings of the accounts touched: for each of them, the changes its readings
-- make now are added and those they made before the statement taken out. Before is
-- now without the rows the statement wrote (ids changed) plus the old versions of
-- the rows it updated or deleted (o_*). The triggers are per statement, with
-- transition tables: a row trigger would see, after a multi-row statement, the rows
-- that come after its own, and the changes per row depend on the neighbouring
-- readings.
CREATE FUNCTION analytics_org_followers_apply(touched BIGINT[], changed BIGINT[], o_id BIGINT[], o_acct BIGINT[], o_ts TIMESTAMPTZ[], o_v BIGINT[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO analytics_org_followers AS f (org_id, day, followers, readers)
    SELECT i.org_id, x.day, SUM(x.sgn * x.change), SUM(x.sgn * x.first)
    FROM (
        SELECT r.sgn, r.account_id, to_char(r.taken_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day,
            r.followers - COALESCE(LAG(r.followers) OVER w, 0) AS change, CASE WHEN LAG(r.followers) OVER w IS NULL THEN 1 ELSE 0 END AS first
        FROM (
            SELECT 1 AS sgn, s.id, s.account_id, s.taken_at, s.followers FROM account_snapshots s
            WHERE s.account_id = ANY(touched) AND s.followers IS NOT NULL
            UNION ALL
            SELECT -1, s.id, s.account_id, s.taken_at, s.followers FROM account_snapshots s
            WHERE s.account_id = ANY(touched) AND s.followers IS NOT NULL AND s.id <> ALL(changed)
            UNION ALL
            SELECT -1, o.id, o.acct, o.ts, o.v FROM unnest(o_id, o_acct, o_ts, o_v) o (id, acct, ts, v) WHERE o.v IS NOT NULL
        ) r
        WINDOW w AS (PARTITION BY r.sgn, r.account_id ORDER BY r.taken_at, r.id)
    ) x JOIN accounts a ON a.id = x.account_id JOIN institutions i ON i.id = a.institution_id
    GROUP BY 1, 2
    HAVING SUM(x.sgn * x.change) <> 0 OR SUM(x.sgn * x.first) <> 0
    ON CONFLICT (org_id, day) DO UPDATE SET followers = f.followers + excluded.followers, readers = f.readers + excluded.readers;
    DELETE FROM analytics_org_followers f
    USING (SELECT DISTINCT i.org_id FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE a.id = ANY(touched)) o
    WHERE f.org_id = o.org_id AND f.followers = 0 AND f.readers = 0;
END;
$$;

CREATE FUNCTION analytics_org_followers_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM analytics_org_followers_apply(ARRAY(SELECT DISTINCT account_id FROM new_rows), ARRAY(SELECT id FROM new_rows),
        '{}', '{}', '{}', '{}');
    RETURN NULL;
END;
$$;
CREATE TRIGGER analytics_org_followers_inserted AFTER INSERT ON account_snapshots
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_org_followers_inserted();

CREATE FUNCTION analytics_org_followers_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM analytics_org_followers_apply(ARRAY(SELECT account_id FROM new_rows UNION SELECT account_id FROM old_rows), ARRAY(SELECT id FROM new_rows),
        ARRAY(SELECT id FROM old_rows ORDER BY id), ARRAY(SELECT account_id FROM old_rows ORDER BY id),
        ARRAY(SELECT taken_at FROM old_rows ORDER BY id), ARRAY(SELECT followers FROM old_rows ORDER BY id));
    RETURN NULL;
END;
$$;
CREATE TRIGGER analytics_org_followers_updated AFTER UPDATE ON account_snapshots
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_org_followers_updated();

CREATE FUNCTION analytics_org_followers_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM analytics_org_followers_apply(ARRAY(SELECT DISTINCT account_id FROM old_rows), '{}',
        ARRAY(SELECT id FROM old_rows ORDER BY id), ARRAY(SELECT account_id FROM old_rows ORDER BY id),
        ARRAY(SELECT taken_at FROM old_rows ORDER BY id), ARRAY(SELECT followers FROM old_rows ORDER BY id));
    RETURN NULL;
END;
$$;
CREATE TRIGGER analytics_org_followers_deleted AFTER DELETE ON account_snapshots
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_org_followers_deleted();

-- An account moved to an institution of another organization (not something the
-- application does; kept exact all the same): its readings leave one organization's
-- sums for the other's.
CREATE FUNCTION analytics_org_followers_account() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_org BIGINT;
    new_org BIGINT;
BEGIN
    SELECT org_id INTO old_org FROM institutions WHERE id = OLD.institution_id;
    SELECT org_id INTO new_org FROM institutions WHERE id = NEW.institution_id;
    IF old_org IS NOT DISTINCT FROM new_org THEN
        RETURN NEW;
    END IF;
    INSERT INTO analytics_org_followers AS f (org_id, day, followers, readers)
    SELECT o.org_id, x.day, o.sgn * x.followers, o.sgn * x.readers
    FROM (VALUES (-1, old_org), (1, new_org)) o (sgn, org_id),
    (SELECT to_char(taken_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day, SUM(followers - COALESCE(prev, 0)) AS followers, COUNT(*) FILTER (WHERE prev IS NULL) AS readers
        FROM (SELECT taken_at, followers, LAG(followers) OVER (ORDER BY taken_at, id) AS prev FROM account_snapshots WHERE account_id = NEW.id AND followers IS NOT NULL) r
        GROUP BY 1) x
    WHERE o.org_id IS NOT NULL
    ON CONFLICT (org_id, day) DO UPDATE SET followers = f.followers + excluded.followers, readers = f.readers + excluded.readers;
    DELETE FROM analytics_org_followers WHERE org_id IN (old_org, new_org) AND followers = 0 AND readers = 0;
    RETURN NEW;
END;
$$;
CREATE TRIGGER analytics_org_followers_account AFTER UPDATE OF institution_id ON accounts
    FOR EACH ROW EXECUTE FUNCTION analytics_org_followers_account();

-- follower_months is follower_days (new and lost followers per account and day, from
-- WeChat's datacube) added up per calendar month, with the number of days known: a
-- portfolio's year is a dozen rows per account. Kept by a trigger on follower_days.
CREATE TABLE follower_months (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    month TEXT NOT NULL,
    days BIGINT NOT NULL,
    new_followers BIGINT NOT NULL,
    lost_followers BIGINT NOT NULL,
    PRIMARY KEY (account_id, month)
);

INSERT INTO follower_months (account_id, month, days, new_followers, lost_followers)
SELECT account_id, substr(day, 1, 7), COUNT(*), SUM(new_followers), SUM(lost_followers) FROM follower_days GROUP BY 1, 2;

ANALYZE follower_months;

CREATE FUNCTION follower_months_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE follower_months SET days = days - 1, new_followers = new_followers - OLD.new_followers, lost_followers = lost_followers - OLD.lost_followers
        WHERE account_id = OLD.account_id AND month = substr(OLD.day, 1, 7);
        DELETE FROM follower_months WHERE account_id = OLD.account_id AND month = substr(OLD.day, 1, 7) AND days <= 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO follower_months AS m (account_id, month, days, new_followers, lost_followers)
        VALUES (NEW.account_id, substr(NEW.day, 1, 7), 1, NEW.new_followers, NEW.lost_followers)
        ON CONFLICT (account_id, month) DO UPDATE SET days = m.days + 1, new_followers = m.new_followers + excluded.new_followers,
            lost_followers = m.lost_followers + excluded.lost_followers;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER follower_months_day AFTER INSERT OR UPDATE OR DELETE ON follower_days
    FOR EACH ROW EXECUTE FUNCTION follower_months_day();
