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
-- day, from nv − pv to nv − v. The triggers apply exactly that when a reading with
-- followers is inserted, deleted or changed. Readings without followers (a posts
-- count alone) are not readings here.
CREATE TABLE analytics_org_followers (
    org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    followers INTEGER NOT NULL,
    readers INTEGER NOT NULL,
    PRIMARY KEY (org_id, day)
) WITHOUT ROWID;

INSERT INTO analytics_org_followers (org_id, day, followers, readers)
SELECT i.org_id, strftime('%Y-%m-%d', x.taken_at, '+8 hours'), SUM(x.followers - COALESCE(x.prev, 0)), SUM(CASE WHEN x.prev IS NULL THEN 1 ELSE 0 END)
FROM (
    SELECT s.account_id, s.taken_at, s.followers, LAG(s.followers) OVER (PARTITION BY s.account_id ORDER BY s.taken_at, s.id) AS prev
    FROM account_snapshots s WHERE s.followers IS NOT NULL
) x JOIN accounts a ON a.id = x.account_id JOIN institutions i ON i.id = a.institution_id
GROUP BY 1, 2;

DELETE FROM analytics_org_followers WHERE followers = 0 AND readers = 0;

-- The procedure of the triggers (as analytics_org_delta, 0075): a reading of value v
-- of an account, at an instant and with an id, added to the others (sgn 1) or taken
-- out of them (sgn -1); the others are the account's readings with followers but this
-- id.
CREATE VIEW analytics_org_followers_delta AS
SELECT 0 AS sgn, 0 AS id, 0 AS account_id, '' AS taken_at, 0 AS followers WHERE 0;

CREATE TRIGGER analytics_org_followers_delta_apply INSTEAD OF INSERT ON analytics_org_followers_delta
BEGIN
    INSERT INTO analytics_org_followers (org_id, day, followers, readers)
    SELECT o.org_id, x.day, NEW.sgn * x.followers, NEW.sgn * x.readers
    FROM (SELECT i.org_id FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE a.id = NEW.account_id) o,
    (
        -- This reading's own change, against the previous one.
        SELECT strftime('%Y-%m-%d', NEW.taken_at, '+8 hours') AS day, NEW.followers - COALESCE(p.followers, 0) AS followers,
            CASE WHEN p.followers IS NULL THEN 1 ELSE 0 END AS readers
        FROM (SELECT 1) LEFT JOIN (SELECT s.followers FROM account_snapshots s
            WHERE s.account_id = NEW.account_id AND s.followers IS NOT NULL AND s.id <> NEW.id
                AND (s.taken_at < NEW.taken_at OR s.taken_at = NEW.taken_at AND s.id < NEW.id)
            ORDER BY s.taken_at DESC, s.id DESC LIMIT 1) p
        UNION ALL
        -- The next reading's change now starts from this one instead of the previous.
        SELECT strftime('%Y-%m-%d', n.taken_at, '+8 hours'), COALESCE(p.followers, 0) - NEW.followers, CASE WHEN p.followers IS NULL THEN -1 ELSE 0 END
        FROM (SELECT s.taken_at FROM account_snapshots s
            WHERE s.account_id = NEW.account_id AND s.followers IS NOT NULL AND s.id <> NEW.id
                AND (s.taken_at > NEW.taken_at OR s.taken_at = NEW.taken_at AND s.id > NEW.id)
            ORDER BY s.taken_at, s.id LIMIT 1) n
        LEFT JOIN (SELECT s.followers FROM account_snapshots s
            WHERE s.account_id = NEW.account_id AND s.followers IS NOT NULL AND s.id <> NEW.id
                AND (s.taken_at < NEW.taken_at OR s.taken_at = NEW.taken_at AND s.id < NEW.id)
            ORDER BY s.taken_at DESC, s.id DESC LIMIT 1) p
    ) x WHERE TRUE
    ON CONFLICT (org_id, day) DO UPDATE SET followers = followers + excluded.followers, readers = readers + excluded.readers;
    DELETE FROM analytics_org_followers WHERE followers = 0 AND readers = 0
        AND org_id = (SELECT i.org_id FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE a.id = NEW.account_id)
        AND day IN (strftime('%Y-%m-%d', NEW.taken_at, '+8 hours'), (SELECT strftime('%Y-%m-%d', s.taken_at, '+8 hours') FROM account_snapshots s
            WHERE s.account_id = NEW.account_id AND s.followers IS NOT NULL AND s.id <> NEW.id
                AND (s.taken_at > NEW.taken_at OR s.taken_at = NEW.taken_at AND s.id > NEW.id)
            ORDER BY s.taken_at, s.id LIMIT 1));
END;

CREATE TRIGGER analytics_org_followers_in AFTER INSERT ON account_snapshots
WHEN NEW.followers IS NOT NULL
BEGIN
    INSERT INTO analytics_org_followers_delta VALUES (1, NEW.id, NEW.account_id, NEW.taken_at, NEW.followers);
END;

CREATE TRIGGER analytics_org_followers_out AFTER DELETE ON account_snapshots
WHEN OLD.followers IS NOT NULL
BEGIN
    INSERT INTO analytics_org_followers_delta VALUES (-1, OLD.id, OLD.account_id, OLD.taken_at, OLD.followers);
END;

CREATE TRIGGER analytics_org_followers_changed_out AFTER UPDATE OF followers, taken_at, account_id ON account_snapshots
WHEN OLD.followers IS NOT NULL
BEGIN
    INSERT INTO analytics_org_followers_delta VALUES (-1, OLD.id, OLD.account_id, OLD.taken_at, OLD.followers);
END;

CREATE TRIGGER analytics_org_followers_changed_in AFTER UPDATE OF followers, taken_at, account_id ON account_snapshots
WHEN NEW.followers IS NOT NULL
BEGIN
    INSERT INTO analytics_org_followers_delta VALUES (1, NEW.id, NEW.account_id, NEW.taken_at, NEW.followers);
END;

-- An account moved to an institution of another organization (not something the
-- application does; kept exact all the same): its readings leave one organization's
-- sums for the other's.
CREATE TRIGGER analytics_org_followers_account AFTER UPDATE OF institution_id ON accounts
WHEN (SELECT org_id FROM institutions WHERE id = OLD.institution_id) IS NOT (SELECT org_id FROM institutions WHERE id = NEW.institution_id)
BEGIN
    INSERT INTO analytics_org_followers (org_id, day, followers, readers)
    SELECT o.org_id, x.day, o.sgn * x.followers, o.sgn * x.readers
    FROM (SELECT -1 AS sgn, (SELECT org_id FROM institutions WHERE id = OLD.institution_id) AS org_id
        UNION ALL SELECT 1, (SELECT org_id FROM institutions WHERE id = NEW.institution_id)) o,
    (SELECT strftime('%Y-%m-%d', taken_at, '+8 hours') AS day, SUM(followers - COALESCE(prev, 0)) AS followers, SUM(CASE WHEN prev IS NULL THEN 1 ELSE 0 END) AS readers
        FROM (SELECT taken_at, followers, LAG(followers) OVER (ORDER BY taken_at, id) AS prev FROM account_snapshots WHERE account_id = NEW.id AND followers IS NOT NULL)
        GROUP BY 1) x
    WHERE TRUE
    ON CONFLICT (org_id, day) DO UPDATE SET followers = followers + excluded.followers, readers = readers + excluded.readers;
    DELETE FROM analytics_org_followers WHERE followers = 0 AND readers = 0
        AND org_id IN ((SELECT org_id FROM institutions WHERE id = OLD.institution_id), (SELECT org_id FROM institutions WHERE id = NEW.institution_id));
END;

-- follower_months is follower_days (new and lost followers per account and day, from
-- WeChat's datacube) added up per calendar month, with the number of days known: a
-- portfolio's year is a dozen rows per account. Kept by triggers on follower_days.
CREATE TABLE follower_months (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    month TEXT NOT NULL,
    days INTEGER NOT NULL,
    new_followers INTEGER NOT NULL,
    lost_followers INTEGER NOT NULL,
    PRIMARY KEY (account_id, month)
) WITHOUT ROWID;

INSERT INTO follower_months (account_id, month, days, new_followers, lost_followers)
SELECT account_id, substr(day, 1, 7), COUNT(*), SUM(new_followers), SUM(lost_followers) FROM follower_days GROUP BY 1, 2;

CREATE TRIGGER follower_months_in AFTER INSERT ON follower_days
BEGIN
    INSERT INTO follower_months (account_id, month, days, new_followers, lost_followers)
    VALUES (NEW.account_id, substr(NEW.day, 1, 7), 1, NEW.new_followers, NEW.lost_followers)
    ON CONFLICT (account_id, month) DO UPDATE SET days = days + 1, new_followers = new_followers + excluded.new_followers,
        lost_followers = lost_followers + excluded.lost_followers;
END;

CREATE TRIGGER follower_months_out AFTER DELETE ON follower_days
BEGIN
    UPDATE follower_months SET days = days - 1, new_followers = new_followers - OLD.new_followers, lost_followers = lost_followers - OLD.lost_followers
    WHERE account_id = OLD.account_id AND month = substr(OLD.day, 1, 7);
    DELETE FROM follower_months WHERE account_id = OLD.account_id AND month = substr(OLD.day, 1, 7) AND days <= 0;
END;

CREATE TRIGGER follower_months_changed_out AFTER UPDATE ON follower_days
BEGIN
    UPDATE follower_months SET days = days - 1, new_followers = new_followers - OLD.new_followers, lost_followers = lost_followers - OLD.lost_followers
    WHERE account_id = OLD.account_id AND month = substr(OLD.day, 1, 7);
    DELETE FROM follower_months WHERE account_id = OLD.account_id AND month = substr(OLD.day, 1, 7) AND days <= 0;
    INSERT INTO follower_months (account_id, month, days, new_followers, lost_followers)
    VALUES (NEW.account_id, substr(NEW.day, 1, 7), 1, NEW.new_followers, NEW.lost_followers)
    ON CONFLICT (account_id, month) DO UPDATE SET days = days + 1, new_followers = new_followers + excluded.new_followers,
        lost_followers = lost_followers + excluded.lost_followers;
END;
