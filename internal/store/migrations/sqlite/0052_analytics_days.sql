-- Analytics at scale, part two: each account's published publications added up per
-- day of publication in Beijing (UTC+8), with their newest figures. The organization
-- portfolio, the totals of a previous period and the daily series read these rows (a
-- few per account and day) instead of every publication of the period.
--
-- The triggers below keep the table exact on every write, inside the writer's
-- transaction, whoever writes: a publication published, moved or withdrawn (state,
-- instant, account), figures recorded (collection, import, manual entry), a
-- publication, post, account or institution deleted. A row holds:
--   posts                the published publications of the account that day;
--   views, likes, comments, reposts
--                        the sums of their newest figures (a missing figure is 0);
--   lower_bounds         how many of them have views that are "at least" (10万+);
--   viewed_interactions  the interactions of those whose views are known.
-- A row whose posts fall to zero is deleted, so a row exists exactly when the account
-- published that day: the figures triggers then only update.
CREATE TABLE analytics_days (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    posts INTEGER NOT NULL,
    views INTEGER NOT NULL,
    lower_bounds INTEGER NOT NULL,
    likes INTEGER NOT NULL,
    comments INTEGER NOT NULL,
    reposts INTEGER NOT NULL,
    viewed_interactions INTEGER NOT NULL,
    PRIMARY KEY (account_id, day)
) WITHOUT ROWID;

INSERT INTO analytics_days (account_id, day, posts, views, lower_bounds, likes, comments, reposts, viewed_interactions)
SELECT p.account_id, strftime('%Y-%m-%d', p.published_at, '+8 hours'), COUNT(*), COALESCE(SUM(f.views), 0),
    COALESCE(SUM(CASE WHEN f.views IS NOT NULL AND f.views_lower_bound THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(f.likes), 0), COALESCE(SUM(f.comments), 0), COALESCE(SUM(f.reposts), 0),
    COALESCE(SUM(CASE WHEN f.views IS NOT NULL THEN COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) ELSE 0 END), 0)
FROM publications p LEFT JOIN publication_figures f ON f.publication_id = p.id
WHERE p.state = 'published' AND p.published_at IS NOT NULL
GROUP BY 1, 2;

-- analytics_months is analytics_days added up per calendar month (YYYY-MM), kept by
-- the triggers of analytics_days: a period's whole months are read here, its other
-- days in analytics_days, so that a year is a dozen rows per account.
CREATE TABLE analytics_months (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    month TEXT NOT NULL,
    posts INTEGER NOT NULL,
    views INTEGER NOT NULL,
    lower_bounds INTEGER NOT NULL,
    likes INTEGER NOT NULL,
    comments INTEGER NOT NULL,
    reposts INTEGER NOT NULL,
    viewed_interactions INTEGER NOT NULL,
    PRIMARY KEY (account_id, month)
) WITHOUT ROWID;

INSERT INTO analytics_months (account_id, month, posts, views, lower_bounds, likes, comments, reposts, viewed_interactions)
SELECT account_id, substr(day, 1, 7), SUM(posts), SUM(views), SUM(lower_bounds), SUM(likes), SUM(comments), SUM(reposts), SUM(viewed_interactions)
FROM analytics_days GROUP BY 1, 2;

-- A publication that becomes published adds itself (and its figures, if any).
CREATE TRIGGER analytics_days_publication_in AFTER INSERT ON publications
WHEN NEW.state = 'published' AND NEW.published_at IS NOT NULL
BEGIN
    INSERT INTO analytics_days (account_id, day, posts, views, lower_bounds, likes, comments, reposts, viewed_interactions)
    SELECT NEW.account_id, strftime('%Y-%m-%d', NEW.published_at, '+8 hours'), 1, COALESCE(f.views, 0),
        CASE WHEN f.views IS NOT NULL AND f.views_lower_bound THEN 1 ELSE 0 END,
        COALESCE(f.likes, 0), COALESCE(f.comments, 0), COALESCE(f.reposts, 0),
        CASE WHEN f.views IS NOT NULL THEN COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) ELSE 0 END
    FROM (SELECT 1) LEFT JOIN publication_figures f ON f.publication_id = NEW.id WHERE TRUE
    ON CONFLICT (account_id, day) DO UPDATE SET posts = posts + excluded.posts, views = views + excluded.views,
        lower_bounds = lower_bounds + excluded.lower_bounds, likes = likes + excluded.likes, comments = comments + excluded.comments,
        reposts = reposts + excluded.reposts, viewed_interactions = viewed_interactions + excluded.viewed_interactions;
END;

-- A change of state, instant or account takes the old contribution out and puts the
-- new one in.
CREATE TRIGGER analytics_days_publication_out AFTER UPDATE OF state, published_at, account_id ON publications
WHEN OLD.state = 'published' AND OLD.published_at IS NOT NULL
BEGIN
    UPDATE analytics_days SET posts = posts - 1,
        views = views - COALESCE((SELECT f.views FROM publication_figures f WHERE f.publication_id = OLD.id), 0),
        lower_bounds = lower_bounds - COALESCE((SELECT CASE WHEN f.views IS NOT NULL AND f.views_lower_bound THEN 1 ELSE 0 END FROM publication_figures f WHERE f.publication_id = OLD.id), 0),
        likes = likes - COALESCE((SELECT f.likes FROM publication_figures f WHERE f.publication_id = OLD.id), 0),
        comments = comments - COALESCE((SELECT f.comments FROM publication_figures f WHERE f.publication_id = OLD.id), 0),
        reposts = reposts - COALESCE((SELECT f.reposts FROM publication_figures f WHERE f.publication_id = OLD.id), 0),
        viewed_interactions = viewed_interactions - COALESCE((SELECT CASE WHEN f.views IS NOT NULL THEN COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) ELSE 0 END FROM publication_figures f WHERE f.publication_id = OLD.id), 0)
    WHERE account_id = OLD.account_id AND day = strftime('%Y-%m-%d', OLD.published_at, '+8 hours');
    DELETE FROM analytics_days WHERE account_id = OLD.account_id AND day = strftime('%Y-%m-%d', OLD.published_at, '+8 hours') AND posts <= 0;
END;

CREATE TRIGGER analytics_days_publication_moved AFTER UPDATE OF state, published_at, account_id ON publications
WHEN NEW.state = 'published' AND NEW.published_at IS NOT NULL
BEGIN
    INSERT INTO analytics_days (account_id, day, posts, views, lower_bounds, likes, comments, reposts, viewed_interactions)
    SELECT NEW.account_id, strftime('%Y-%m-%d', NEW.published_at, '+8 hours'), 1, COALESCE(f.views, 0),
        CASE WHEN f.views IS NOT NULL AND f.views_lower_bound THEN 1 ELSE 0 END,
        COALESCE(f.likes, 0), COALESCE(f.comments, 0), COALESCE(f.reposts, 0),
        CASE WHEN f.views IS NOT NULL THEN COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) ELSE 0 END
    FROM (SELECT 1) LEFT JOIN publication_figures f ON f.publication_id = NEW.id WHERE TRUE
    ON CONFLICT (account_id, day) DO UPDATE SET posts = posts + excluded.posts, views = views + excluded.views,
        lower_bounds = lower_bounds + excluded.lower_bounds, likes = likes + excluded.likes, comments = comments + excluded.comments,
        reposts = reposts + excluded.reposts, viewed_interactions = viewed_interactions + excluded.viewed_interactions;
END;

-- A publication deleted (itself, or with its post, account or institution): its
-- figures are deleted first, while the publication still exists, so that the figures
-- trigger takes them out whatever order the cascades run in; then the post.
CREATE TRIGGER analytics_days_publication_deleted BEFORE DELETE ON publications
BEGIN
    DELETE FROM publication_figures WHERE publication_id = OLD.id;
    UPDATE analytics_days SET posts = posts - 1
    WHERE OLD.state = 'published' AND OLD.published_at IS NOT NULL
        AND account_id = OLD.account_id AND day = strftime('%Y-%m-%d', OLD.published_at, '+8 hours');
    DELETE FROM analytics_days WHERE OLD.state = 'published' AND OLD.published_at IS NOT NULL
        AND account_id = OLD.account_id AND day = strftime('%Y-%m-%d', OLD.published_at, '+8 hours') AND posts <= 0;
END;

-- Figures recorded, moved forward or deleted: the difference goes to the row of their
-- publication, if it is published.
CREATE TRIGGER analytics_days_figures_in AFTER INSERT ON publication_figures
BEGIN
    UPDATE analytics_days SET views = views + COALESCE(NEW.views, 0),
        lower_bounds = lower_bounds + CASE WHEN NEW.views IS NOT NULL AND NEW.views_lower_bound THEN 1 ELSE 0 END,
        likes = likes + COALESCE(NEW.likes, 0), comments = comments + COALESCE(NEW.comments, 0), reposts = reposts + COALESCE(NEW.reposts, 0),
        viewed_interactions = viewed_interactions + CASE WHEN NEW.views IS NOT NULL THEN COALESCE(NEW.likes, 0) + COALESCE(NEW.comments, 0) + COALESCE(NEW.reposts, 0) ELSE 0 END
    WHERE (account_id, day) = (SELECT p.account_id, strftime('%Y-%m-%d', p.published_at, '+8 hours') FROM publications p
        WHERE p.id = NEW.publication_id AND p.state = 'published' AND p.published_at IS NOT NULL);
END;

CREATE TRIGGER analytics_days_figures_changed AFTER UPDATE OF publication_id, views, views_lower_bound, likes, comments, reposts ON publication_figures
BEGIN
    UPDATE analytics_days SET views = views - COALESCE(OLD.views, 0),
        lower_bounds = lower_bounds - CASE WHEN OLD.views IS NOT NULL AND OLD.views_lower_bound THEN 1 ELSE 0 END,
        likes = likes - COALESCE(OLD.likes, 0), comments = comments - COALESCE(OLD.comments, 0), reposts = reposts - COALESCE(OLD.reposts, 0),
        viewed_interactions = viewed_interactions - CASE WHEN OLD.views IS NOT NULL THEN COALESCE(OLD.likes, 0) + COALESCE(OLD.comments, 0) + COALESCE(OLD.reposts, 0) ELSE 0 END
    WHERE (account_id, day) = (SELECT p.account_id, strftime('%Y-%m-%d', p.published_at, '+8 hours') FROM publications p
        WHERE p.id = OLD.publication_id AND p.state = 'published' AND p.published_at IS NOT NULL);
    UPDATE analytics_days SET views = views + COALESCE(NEW.views, 0),
        lower_bounds = lower_bounds + CASE WHEN NEW.views IS NOT NULL AND NEW.views_lower_bound THEN 1 ELSE 0 END,
        likes = likes + COALESCE(NEW.likes, 0), comments = comments + COALESCE(NEW.comments, 0), reposts = reposts + COALESCE(NEW.reposts, 0),
        viewed_interactions = viewed_interactions + CASE WHEN NEW.views IS NOT NULL THEN COALESCE(NEW.likes, 0) + COALESCE(NEW.comments, 0) + COALESCE(NEW.reposts, 0) ELSE 0 END
    WHERE (account_id, day) = (SELECT p.account_id, strftime('%Y-%m-%d', p.published_at, '+8 hours') FROM publications p
        WHERE p.id = NEW.publication_id AND p.state = 'published' AND p.published_at IS NOT NULL);
END;

CREATE TRIGGER analytics_days_figures_deleted AFTER DELETE ON publication_figures
BEGIN
    UPDATE analytics_days SET views = views - COALESCE(OLD.views, 0),
        lower_bounds = lower_bounds - CASE WHEN OLD.views IS NOT NULL AND OLD.views_lower_bound THEN 1 ELSE 0 END,
        likes = likes - COALESCE(OLD.likes, 0), comments = comments - COALESCE(OLD.comments, 0), reposts = reposts - COALESCE(OLD.reposts, 0),
        viewed_interactions = viewed_interactions - CASE WHEN OLD.views IS NOT NULL THEN COALESCE(OLD.likes, 0) + COALESCE(OLD.comments, 0) + COALESCE(OLD.reposts, 0) ELSE 0 END
    WHERE (account_id, day) = (SELECT p.account_id, strftime('%Y-%m-%d', p.published_at, '+8 hours') FROM publications p
        WHERE p.id = OLD.publication_id AND p.state = 'published' AND p.published_at IS NOT NULL);
END;

CREATE TRIGGER analytics_months_in AFTER INSERT ON analytics_days
BEGIN
    INSERT INTO analytics_months (account_id, month, posts, views, lower_bounds, likes, comments, reposts, viewed_interactions)
    VALUES (NEW.account_id, substr(NEW.day, 1, 7), NEW.posts, NEW.views, NEW.lower_bounds, NEW.likes, NEW.comments, NEW.reposts, NEW.viewed_interactions)
    ON CONFLICT (account_id, month) DO UPDATE SET posts = analytics_months.posts + excluded.posts, views = analytics_months.views + excluded.views, lower_bounds = analytics_months.lower_bounds + excluded.lower_bounds, likes = analytics_months.likes + excluded.likes, comments = analytics_months.comments + excluded.comments, reposts = analytics_months.reposts + excluded.reposts, viewed_interactions = analytics_months.viewed_interactions + excluded.viewed_interactions;
END;

CREATE TRIGGER analytics_months_changed AFTER UPDATE ON analytics_days
BEGIN
    UPDATE analytics_months SET posts = posts + NEW.posts - OLD.posts, views = views + NEW.views - OLD.views, lower_bounds = lower_bounds + NEW.lower_bounds - OLD.lower_bounds, likes = likes + NEW.likes - OLD.likes, comments = comments + NEW.comments - OLD.comments, reposts = reposts + NEW.reposts - OLD.reposts, viewed_interactions = viewed_interactions + NEW.viewed_interactions - OLD.viewed_interactions
    WHERE account_id = NEW.account_id AND month = substr(NEW.day, 1, 7);
END;

CREATE TRIGGER analytics_months_out AFTER DELETE ON analytics_days
BEGIN
    UPDATE analytics_months SET posts = posts - OLD.posts, views = views - OLD.views, lower_bounds = lower_bounds - OLD.lower_bounds, likes = likes - OLD.likes, comments = comments - OLD.comments, reposts = reposts - OLD.reposts, viewed_interactions = viewed_interactions - OLD.viewed_interactions
    WHERE account_id = OLD.account_id AND month = substr(OLD.day, 1, 7);
    DELETE FROM analytics_months WHERE account_id = OLD.account_id AND month = substr(OLD.day, 1, 7) AND posts <= 0;
END;
