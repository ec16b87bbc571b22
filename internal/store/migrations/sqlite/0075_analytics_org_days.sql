-- Analytics at scale, part three: an organization's published publications added up
-- per Beijing day (UTC+8) along each dimension the analytics break down by, so that
-- the organization page of a thousand institutions reads a few dozen rows a day
-- instead of every publication of the period (about 870 a day on the scale dataset).
--
-- A row is (organization, day, dimension, key) with the sums of the publications
-- published that day whose value of the dimension is key:
--   dim 'format'    key the publication's format;
--   dim 'theme'     key its post's theme;
--   dim 'platform'  key its account's platform;
--   dim 'hour'      key the Beijing hour of publication, '00' to '23' (with the day,
--                   which gives the weekday, this is the weekday × hour heatmap).
-- Each dimension's rows of a day add up to the same totals. The columns are those of
-- analytics_days, plus squares: the sum of each publication's interactions squared
-- (a float: it can pass int64), for the significance guard of the findings; and
-- unread: the publications without figures yet (the bottom posts look for those only
-- on the days that have any).
--
-- The dimensions are kept apart, not crossed: the pages show each one alone, and a
-- crossed key (hour × format × theme × platform) would hold about as many rows as
-- publications.
--
-- Triggers keep the table exact on every write, as those of analytics_days (0052): a
-- publication published, moved (instant, account, format, post) or withdrawn, figures
-- recorded or deleted, a post's theme changed, an account moved, a publication or a
-- post deleted. A row whose posts fall to zero is deleted. Institutions never change
-- organization, and accounts and institutions are archived, never deleted, while they
-- have publications.
CREATE TABLE analytics_org_days (
    org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    dim TEXT NOT NULL,
    key TEXT NOT NULL,
    posts INTEGER NOT NULL,
    views INTEGER NOT NULL,
    lower_bounds INTEGER NOT NULL,
    likes INTEGER NOT NULL,
    comments INTEGER NOT NULL,
    reposts INTEGER NOT NULL,
    viewed_interactions INTEGER NOT NULL,
    squares REAL NOT NULL,
    unread INTEGER NOT NULL,
    PRIMARY KEY (org_id, day, dim, key)
) WITHOUT ROWID;

INSERT INTO analytics_org_days (org_id, day, dim, key, posts, views, lower_bounds, likes, comments, reposts, viewed_interactions, squares, unread)
SELECT x.org_id, x.day, d.dim, CASE d.dim WHEN 'format' THEN x.format WHEN 'theme' THEN x.theme WHEN 'platform' THEN x.platform ELSE x.hour END,
    SUM(x.posts), SUM(x.views), SUM(x.lower_bounds), SUM(x.likes), SUM(x.comments), SUM(x.reposts), SUM(x.viewed_interactions), SUM(x.squares), SUM(x.unread)
FROM (
    SELECT i.org_id, strftime('%Y-%m-%d', p.published_at, '+8 hours') AS day, strftime('%H', p.published_at, '+8 hours') AS hour,
        a.platform, p.format, po.theme, COUNT(*) AS posts, COALESCE(SUM(f.views), 0) AS views,
        COALESCE(SUM(CASE WHEN f.views IS NOT NULL AND f.views_lower_bound THEN 1 ELSE 0 END), 0) AS lower_bounds,
        COALESCE(SUM(f.likes), 0) AS likes, COALESCE(SUM(f.comments), 0) AS comments, COALESCE(SUM(f.reposts), 0) AS reposts,
        COALESCE(SUM(CASE WHEN f.views IS NOT NULL THEN COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) ELSE 0 END), 0) AS viewed_interactions,
        COALESCE(SUM(CAST(COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) AS REAL) * (COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0))), 0.0) AS squares,
        SUM(CASE WHEN f.publication_id IS NULL THEN 1 ELSE 0 END) AS unread
    FROM publications p JOIN accounts a ON a.id = p.account_id JOIN institutions i ON i.id = a.institution_id
        JOIN posts po ON po.id = p.post_id LEFT JOIN publication_figures f ON f.publication_id = p.id
    WHERE p.state = 'published' AND p.published_at IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6
) x CROSS JOIN (SELECT 'format' AS dim UNION ALL SELECT 'theme' UNION ALL SELECT 'platform' UNION ALL SELECT 'hour') d
GROUP BY 1, 2, 3, 4;

-- analytics_org_delta is the procedure the triggers call (SQLite has no functions):
-- inserting a row into this empty view adds it, signed, to the four rows of its
-- dimensions, and deletes those left without a post.
CREATE VIEW analytics_org_delta AS
SELECT 0 AS org_id, '' AS day, '' AS hour, '' AS platform, '' AS format, '' AS theme, 0 AS posts, 0 AS views, 0 AS lower_bounds,
    0 AS likes, 0 AS comments, 0 AS reposts, 0 AS viewed_interactions, 0.0 AS squares, 0 AS unread
WHERE 0;

CREATE TRIGGER analytics_org_delta_apply INSTEAD OF INSERT ON analytics_org_delta
BEGIN
    INSERT INTO analytics_org_days (org_id, day, dim, key, posts, views, lower_bounds, likes, comments, reposts, viewed_interactions, squares, unread)
    SELECT NEW.org_id, NEW.day, d.dim, CASE d.dim WHEN 'format' THEN NEW.format WHEN 'theme' THEN NEW.theme WHEN 'platform' THEN NEW.platform ELSE NEW.hour END,
        NEW.posts, NEW.views, NEW.lower_bounds, NEW.likes, NEW.comments, NEW.reposts, NEW.viewed_interactions, NEW.squares, NEW.unread
    FROM (SELECT 'format' AS dim UNION ALL SELECT 'theme' UNION ALL SELECT 'platform' UNION ALL SELECT 'hour') d WHERE NEW.org_id IS NOT NULL
    ON CONFLICT (org_id, day, dim, key) DO UPDATE SET posts = posts + excluded.posts, views = views + excluded.views,
        lower_bounds = lower_bounds + excluded.lower_bounds, likes = likes + excluded.likes, comments = comments + excluded.comments,
        reposts = reposts + excluded.reposts, viewed_interactions = viewed_interactions + excluded.viewed_interactions, squares = squares + excluded.squares,
        unread = unread + excluded.unread;
    DELETE FROM analytics_org_days WHERE NEW.posts < 0 AND org_id = NEW.org_id AND day = NEW.day AND posts <= 0;
END;

-- A publication published: itself and its figures, if any.
CREATE TRIGGER analytics_org_publication_in AFTER INSERT ON publications
WHEN NEW.state = 'published' AND NEW.published_at IS NOT NULL
BEGIN
    INSERT INTO analytics_org_delta
    SELECT i.org_id, strftime('%Y-%m-%d', NEW.published_at, '+8 hours'), strftime('%H', NEW.published_at, '+8 hours'), a.platform, NEW.format, po.theme, 1,
        COALESCE(f.views, 0), CASE WHEN f.views IS NOT NULL AND f.views_lower_bound THEN 1 ELSE 0 END,
        COALESCE(f.likes, 0), COALESCE(f.comments, 0), COALESCE(f.reposts, 0),
        CASE WHEN f.views IS NOT NULL THEN COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) ELSE 0 END,
        CAST(COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) AS REAL) * (COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0)),
        CASE WHEN f.publication_id IS NULL THEN 1 ELSE 0 END
    FROM accounts a JOIN institutions i ON i.id = a.institution_id JOIN posts po ON po.id = NEW.post_id
        LEFT JOIN publication_figures f ON f.publication_id = NEW.id
    WHERE a.id = NEW.account_id;
END;

-- A change of state, instant, account, format or post: the old contribution out, the
-- new one in (the figures do not change).
CREATE TRIGGER analytics_org_publication_out AFTER UPDATE OF state, published_at, account_id, format, post_id ON publications
WHEN OLD.state = 'published' AND OLD.published_at IS NOT NULL
BEGIN
    INSERT INTO analytics_org_delta
    SELECT i.org_id, strftime('%Y-%m-%d', OLD.published_at, '+8 hours'), strftime('%H', OLD.published_at, '+8 hours'), a.platform, OLD.format, po.theme, -1,
        -COALESCE(f.views, 0), -(CASE WHEN f.views IS NOT NULL AND f.views_lower_bound THEN 1 ELSE 0 END),
        -COALESCE(f.likes, 0), -COALESCE(f.comments, 0), -COALESCE(f.reposts, 0),
        -(CASE WHEN f.views IS NOT NULL THEN COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) ELSE 0 END),
        -(CAST(COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) AS REAL) * (COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0))),
        -(CASE WHEN f.publication_id IS NULL THEN 1 ELSE 0 END)
    FROM accounts a JOIN institutions i ON i.id = a.institution_id JOIN posts po ON po.id = OLD.post_id
        LEFT JOIN publication_figures f ON f.publication_id = OLD.id
    WHERE a.id = OLD.account_id;
END;

CREATE TRIGGER analytics_org_publication_moved AFTER UPDATE OF state, published_at, account_id, format, post_id ON publications
WHEN NEW.state = 'published' AND NEW.published_at IS NOT NULL
BEGIN
    INSERT INTO analytics_org_delta
    SELECT i.org_id, strftime('%Y-%m-%d', NEW.published_at, '+8 hours'), strftime('%H', NEW.published_at, '+8 hours'), a.platform, NEW.format, po.theme, 1,
        COALESCE(f.views, 0), CASE WHEN f.views IS NOT NULL AND f.views_lower_bound THEN 1 ELSE 0 END,
        COALESCE(f.likes, 0), COALESCE(f.comments, 0), COALESCE(f.reposts, 0),
        CASE WHEN f.views IS NOT NULL THEN COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) ELSE 0 END,
        CAST(COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) AS REAL) * (COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0)),
        CASE WHEN f.publication_id IS NULL THEN 1 ELSE 0 END
    FROM accounts a JOIN institutions i ON i.id = a.institution_id JOIN posts po ON po.id = NEW.post_id
        LEFT JOIN publication_figures f ON f.publication_id = NEW.id
    WHERE a.id = NEW.account_id;
END;

-- A publication deleted: its figures are deleted first (their trigger takes them
-- out; 0052's trigger does the same, whichever runs first), then the publication.
CREATE TRIGGER analytics_org_publication_deleted BEFORE DELETE ON publications
BEGIN
    DELETE FROM publication_figures WHERE publication_id = OLD.id;
    INSERT INTO analytics_org_delta
    SELECT i.org_id, strftime('%Y-%m-%d', OLD.published_at, '+8 hours'), strftime('%H', OLD.published_at, '+8 hours'), a.platform, OLD.format, po.theme, -1,
        0, 0, 0, 0, 0, 0, 0.0, -1
    FROM accounts a JOIN institutions i ON i.id = a.institution_id JOIN posts po ON po.id = OLD.post_id
    WHERE a.id = OLD.account_id AND OLD.state = 'published' AND OLD.published_at IS NOT NULL;
END;

-- A post deleted: its publications first, while the post (and its theme) is there.
CREATE TRIGGER analytics_org_post_deleted BEFORE DELETE ON posts
BEGIN
    DELETE FROM publications WHERE post_id = OLD.id;
END;

-- Figures recorded, moved forward or deleted: the difference goes to the rows of
-- their publication, if it is published (its post is counted already).
CREATE TRIGGER analytics_org_figures_in AFTER INSERT ON publication_figures
BEGIN
    INSERT INTO analytics_org_delta
    SELECT i.org_id, strftime('%Y-%m-%d', p.published_at, '+8 hours'), strftime('%H', p.published_at, '+8 hours'), a.platform, p.format, po.theme, 0,
        COALESCE(NEW.views, 0), CASE WHEN NEW.views IS NOT NULL AND NEW.views_lower_bound THEN 1 ELSE 0 END,
        COALESCE(NEW.likes, 0), COALESCE(NEW.comments, 0), COALESCE(NEW.reposts, 0),
        CASE WHEN NEW.views IS NOT NULL THEN COALESCE(NEW.likes, 0) + COALESCE(NEW.comments, 0) + COALESCE(NEW.reposts, 0) ELSE 0 END,
        CAST(COALESCE(NEW.likes, 0) + COALESCE(NEW.comments, 0) + COALESCE(NEW.reposts, 0) AS REAL) * (COALESCE(NEW.likes, 0) + COALESCE(NEW.comments, 0) + COALESCE(NEW.reposts, 0)), -1
    FROM publications p JOIN accounts a ON a.id = p.account_id JOIN institutions i ON i.id = a.institution_id JOIN posts po ON po.id = p.post_id
    WHERE p.id = NEW.publication_id AND p.state = 'published' AND p.published_at IS NOT NULL;
END;

CREATE TRIGGER analytics_org_figures_changed AFTER UPDATE OF publication_id, views, views_lower_bound, likes, comments, reposts ON publication_figures
BEGIN
    INSERT INTO analytics_org_delta
    SELECT i.org_id, strftime('%Y-%m-%d', p.published_at, '+8 hours'), strftime('%H', p.published_at, '+8 hours'), a.platform, p.format, po.theme, 0,
        -COALESCE(OLD.views, 0), -(CASE WHEN OLD.views IS NOT NULL AND OLD.views_lower_bound THEN 1 ELSE 0 END),
        -COALESCE(OLD.likes, 0), -COALESCE(OLD.comments, 0), -COALESCE(OLD.reposts, 0),
        -(CASE WHEN OLD.views IS NOT NULL THEN COALESCE(OLD.likes, 0) + COALESCE(OLD.comments, 0) + COALESCE(OLD.reposts, 0) ELSE 0 END),
        -(CAST(COALESCE(OLD.likes, 0) + COALESCE(OLD.comments, 0) + COALESCE(OLD.reposts, 0) AS REAL) * (COALESCE(OLD.likes, 0) + COALESCE(OLD.comments, 0) + COALESCE(OLD.reposts, 0))), 1
    FROM publications p JOIN accounts a ON a.id = p.account_id JOIN institutions i ON i.id = a.institution_id JOIN posts po ON po.id = p.post_id
    WHERE p.id = OLD.publication_id AND p.state = 'published' AND p.published_at IS NOT NULL;
    INSERT INTO analytics_org_delta
    SELECT i.org_id, strftime('%Y-%m-%d', p.published_at, '+8 hours'), strftime('%H', p.published_at, '+8 hours'), a.platform, p.format, po.theme, 0,
        COALESCE(NEW.views, 0), CASE WHEN NEW.views IS NOT NULL AND NEW.views_lower_bound THEN 1 ELSE 0 END,
        COALESCE(NEW.likes, 0), COALESCE(NEW.comments, 0), COALESCE(NEW.reposts, 0),
        CASE WHEN NEW.views IS NOT NULL THEN COALESCE(NEW.likes, 0) + COALESCE(NEW.comments, 0) + COALESCE(NEW.reposts, 0) ELSE 0 END,
        CAST(COALESCE(NEW.likes, 0) + COALESCE(NEW.comments, 0) + COALESCE(NEW.reposts, 0) AS REAL) * (COALESCE(NEW.likes, 0) + COALESCE(NEW.comments, 0) + COALESCE(NEW.reposts, 0)), -1
    FROM publications p JOIN accounts a ON a.id = p.account_id JOIN institutions i ON i.id = a.institution_id JOIN posts po ON po.id = p.post_id
    WHERE p.id = NEW.publication_id AND p.state = 'published' AND p.published_at IS NOT NULL;
END;

CREATE TRIGGER analytics_org_figures_deleted AFTER DELETE ON publication_figures
BEGIN
    INSERT INTO analytics_org_delta
    SELECT i.org_id, strftime('%Y-%m-%d', p.published_at, '+8 hours'), strftime('%H', p.published_at, '+8 hours'), a.platform, p.format, po.theme, 0,
        -COALESCE(OLD.views, 0), -(CASE WHEN OLD.views IS NOT NULL AND OLD.views_lower_bound THEN 1 ELSE 0 END),
        -COALESCE(OLD.likes, 0), -COALESCE(OLD.comments, 0), -COALESCE(OLD.reposts, 0),
        -(CASE WHEN OLD.views IS NOT NULL THEN COALESCE(OLD.likes, 0) + COALESCE(OLD.comments, 0) + COALESCE(OLD.reposts, 0) ELSE 0 END),
        -(CAST(COALESCE(OLD.likes, 0) + COALESCE(OLD.comments, 0) + COALESCE(OLD.reposts, 0) AS REAL) * (COALESCE(OLD.likes, 0) + COALESCE(OLD.comments, 0) + COALESCE(OLD.reposts, 0))), 1
    FROM publications p JOIN accounts a ON a.id = p.account_id JOIN institutions i ON i.id = a.institution_id JOIN posts po ON po.id = p.post_id
    WHERE p.id = OLD.publication_id AND p.state = 'published' AND p.published_at IS NOT NULL;
END;

-- A post's theme changed, or an account moved to another institution or platform:
-- each published publication concerned out with the old value, in with the new.
CREATE TRIGGER analytics_org_post_theme AFTER UPDATE OF theme ON posts
WHEN OLD.theme IS NOT NEW.theme
BEGIN
    INSERT INTO analytics_org_delta
    SELECT i.org_id, strftime('%Y-%m-%d', p.published_at, '+8 hours'), strftime('%H', p.published_at, '+8 hours'), a.platform, p.format, t.theme, t.sgn,
        t.sgn * COALESCE(f.views, 0), t.sgn * (CASE WHEN f.views IS NOT NULL AND f.views_lower_bound THEN 1 ELSE 0 END),
        t.sgn * COALESCE(f.likes, 0), t.sgn * COALESCE(f.comments, 0), t.sgn * COALESCE(f.reposts, 0),
        t.sgn * (CASE WHEN f.views IS NOT NULL THEN COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) ELSE 0 END),
        t.sgn * (CAST(COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) AS REAL) * (COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0))),
        t.sgn * (CASE WHEN f.publication_id IS NULL THEN 1 ELSE 0 END)
    FROM (SELECT -1 AS sgn, OLD.theme AS theme UNION ALL SELECT 1, NEW.theme) t
        CROSS JOIN publications p JOIN accounts a ON a.id = p.account_id JOIN institutions i ON i.id = a.institution_id
        LEFT JOIN publication_figures f ON f.publication_id = p.id
    WHERE p.post_id = NEW.id AND p.state = 'published' AND p.published_at IS NOT NULL;
END;

CREATE TRIGGER analytics_org_account_moved AFTER UPDATE OF institution_id, platform ON accounts
WHEN OLD.institution_id IS NOT NEW.institution_id OR OLD.platform IS NOT NEW.platform
BEGIN
    INSERT INTO analytics_org_delta
    SELECT i.org_id, strftime('%Y-%m-%d', p.published_at, '+8 hours'), strftime('%H', p.published_at, '+8 hours'), t.platform, p.format, po.theme, t.sgn,
        t.sgn * COALESCE(f.views, 0), t.sgn * (CASE WHEN f.views IS NOT NULL AND f.views_lower_bound THEN 1 ELSE 0 END),
        t.sgn * COALESCE(f.likes, 0), t.sgn * COALESCE(f.comments, 0), t.sgn * COALESCE(f.reposts, 0),
        t.sgn * (CASE WHEN f.views IS NOT NULL THEN COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) ELSE 0 END),
        t.sgn * (CAST(COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) AS REAL) * (COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0))),
        t.sgn * (CASE WHEN f.publication_id IS NULL THEN 1 ELSE 0 END)
    FROM (SELECT -1 AS sgn, OLD.institution_id AS institution_id, OLD.platform AS platform UNION ALL SELECT 1, NEW.institution_id, NEW.platform) t
        JOIN institutions i ON i.id = t.institution_id CROSS JOIN publications p JOIN posts po ON po.id = p.post_id
        LEFT JOIN publication_figures f ON f.publication_id = p.id
    WHERE p.account_id = NEW.id AND p.state = 'published' AND p.published_at IS NOT NULL;
END;
