-- Analytics at scale, part two: each account's published publications added up per
-- day of publication in Beijing (Asia/Shanghai, UTC+8 since 1991), with their newest
-- figures. The organization portfolio, the totals of a previous period and the daily
-- series read these rows (a few per account and day) instead of every publication of
-- the period.
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
-- published that day: the figures trigger then only updates.
CREATE TABLE analytics_days (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    posts BIGINT NOT NULL,
    views BIGINT NOT NULL,
    lower_bounds BIGINT NOT NULL,
    likes BIGINT NOT NULL,
    comments BIGINT NOT NULL,
    reposts BIGINT NOT NULL,
    viewed_interactions BIGINT NOT NULL,
    PRIMARY KEY (account_id, day)
);

INSERT INTO analytics_days (account_id, day, posts, views, lower_bounds, likes, comments, reposts, viewed_interactions)
SELECT p.account_id, to_char(p.published_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), COUNT(*), COALESCE(SUM(f.views), 0),
    COUNT(*) FILTER (WHERE f.views IS NOT NULL AND f.views_lower_bound),
    COALESCE(SUM(f.likes), 0), COALESCE(SUM(f.comments), 0), COALESCE(SUM(f.reposts), 0),
    COALESCE(SUM(CASE WHEN f.views IS NOT NULL THEN COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) ELSE 0 END), 0)
FROM publications p LEFT JOIN publication_figures f ON f.publication_id = p.id
WHERE p.state = 'published' AND p.published_at IS NOT NULL
GROUP BY 1, 2;

-- analytics_months is analytics_days added up per calendar month (YYYY-MM), kept by
-- the triggers of analytics_days: a period's whole months are read here, its other
-- days in analytics_days, so that a year is a dozen rows per account.
CREATE TABLE analytics_months (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    month TEXT NOT NULL,
    posts BIGINT NOT NULL,
    views BIGINT NOT NULL,
    lower_bounds BIGINT NOT NULL,
    likes BIGINT NOT NULL,
    comments BIGINT NOT NULL,
    reposts BIGINT NOT NULL,
    viewed_interactions BIGINT NOT NULL,
    PRIMARY KEY (account_id, month)
);

INSERT INTO analytics_months (account_id, month, posts, views, lower_bounds, likes, comments, reposts, viewed_interactions)
SELECT account_id, substr(day, 1, 7), SUM(posts), SUM(views), SUM(lower_bounds), SUM(likes), SUM(comments), SUM(reposts), SUM(viewed_interactions)
FROM analytics_days GROUP BY 1, 2;

-- The planner's statistics of the new tables, before the first period is read.
ANALYZE analytics_days;
ANALYZE analytics_months;

-- analytics_days_add adds a publication's contribution (sgn 1) or takes it out
-- (sgn -1): with_post counts the publication itself, and the figures given (NULL
-- figures: none) are added.
CREATE FUNCTION analytics_days_add(acct BIGINT, ts TIMESTAMPTZ, sgn BIGINT, with_post BOOLEAN,
    v BIGINT, lb BOOLEAN, l BIGINT, c BIGINT, r BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    d TEXT := to_char(ts AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD');
    dv BIGINT := sgn * COALESCE(v, 0);
    dlb BIGINT := sgn * (CASE WHEN v IS NOT NULL AND lb THEN 1 ELSE 0 END);
    dl BIGINT := sgn * COALESCE(l, 0);
    dc BIGINT := sgn * COALESCE(c, 0);
    dr BIGINT := sgn * COALESCE(r, 0);
    dvi BIGINT := sgn * (CASE WHEN v IS NOT NULL THEN COALESCE(l, 0) + COALESCE(c, 0) + COALESCE(r, 0) ELSE 0 END);
    dp BIGINT := CASE WHEN with_post THEN sgn ELSE 0 END;
BEGIN
    IF sgn > 0 AND with_post THEN
        INSERT INTO analytics_days AS a (account_id, day, posts, views, lower_bounds, likes, comments, reposts, viewed_interactions)
        VALUES (acct, d, dp, dv, dlb, dl, dc, dr, dvi)
        ON CONFLICT (account_id, day) DO UPDATE SET posts = a.posts + dp, views = a.views + dv, lower_bounds = a.lower_bounds + dlb,
            likes = a.likes + dl, comments = a.comments + dc, reposts = a.reposts + dr, viewed_interactions = a.viewed_interactions + dvi;
        RETURN;
    END IF;
    UPDATE analytics_days SET posts = posts + dp, views = views + dv, lower_bounds = lower_bounds + dlb,
        likes = likes + dl, comments = comments + dc, reposts = reposts + dr, viewed_interactions = viewed_interactions + dvi
    WHERE account_id = acct AND day = d;
    IF dp < 0 THEN
        DELETE FROM analytics_days WHERE account_id = acct AND day = d AND posts <= 0;
    END IF;
END;
$$;

-- Publications: published, moved or withdrawn (the old contribution out, the new one
-- in, with the publication's figures). A deleted publication's figures are deleted
-- first, while the publication still exists, so that the figures trigger takes them
-- out whatever order the cascades run in.
CREATE FUNCTION analytics_days_publication() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    f publication_figures%ROWTYPE;
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM publication_figures WHERE publication_id = OLD.id;
        IF OLD.state = 'published' AND OLD.published_at IS NOT NULL THEN
            PERFORM analytics_days_add(OLD.account_id, OLD.published_at, -1, TRUE, NULL, FALSE, NULL, NULL, NULL);
        END IF;
        RETURN OLD;
    END IF;
    SELECT * INTO f FROM publication_figures WHERE publication_id = NEW.id;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.state IS NOT DISTINCT FROM NEW.state AND OLD.published_at IS NOT DISTINCT FROM NEW.published_at AND OLD.account_id = NEW.account_id THEN
            RETURN NEW;
        END IF;
        IF OLD.state = 'published' AND OLD.published_at IS NOT NULL THEN
            PERFORM analytics_days_add(OLD.account_id, OLD.published_at, -1, TRUE, f.views, f.views_lower_bound, f.likes, f.comments, f.reposts);
        END IF;
    END IF;
    IF NEW.state = 'published' AND NEW.published_at IS NOT NULL THEN
        PERFORM analytics_days_add(NEW.account_id, NEW.published_at, 1, TRUE, f.views, f.views_lower_bound, f.likes, f.comments, f.reposts);
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER analytics_days_publication_changed AFTER INSERT OR UPDATE OF state, published_at, account_id ON publications
    FOR EACH ROW EXECUTE FUNCTION analytics_days_publication();
CREATE TRIGGER analytics_days_publication_deleted BEFORE DELETE ON publications
    FOR EACH ROW EXECUTE FUNCTION analytics_days_publication();

-- Figures recorded, moved forward or deleted: the difference goes to the row of their
-- publication, if it is published.
CREATE FUNCTION analytics_days_figures() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    p RECORD;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT account_id, published_at INTO p FROM publications WHERE id = OLD.publication_id AND state = 'published' AND published_at IS NOT NULL;
        IF FOUND THEN
            PERFORM analytics_days_add(p.account_id, p.published_at, -1, FALSE, OLD.views, OLD.views_lower_bound, OLD.likes, OLD.comments, OLD.reposts);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT account_id, published_at INTO p FROM publications WHERE id = NEW.publication_id AND state = 'published' AND published_at IS NOT NULL;
        IF FOUND THEN
            PERFORM analytics_days_add(p.account_id, p.published_at, 1, FALSE, NEW.views, NEW.views_lower_bound, NEW.likes, NEW.comments, NEW.reposts);
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER analytics_days_figures_changed AFTER INSERT OR DELETE OR UPDATE OF publication_id, views, views_lower_bound, likes, comments, reposts ON publication_figures
    FOR EACH ROW EXECUTE FUNCTION analytics_days_figures();

-- The rows of analytics_days never change account or day: the triggers above only
-- insert, add to and delete them.
CREATE FUNCTION analytics_months_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO analytics_months AS m (account_id, month, posts, views, lower_bounds, likes, comments, reposts, viewed_interactions)
        VALUES (NEW.account_id, substr(NEW.day, 1, 7), NEW.posts, NEW.views, NEW.lower_bounds, NEW.likes, NEW.comments, NEW.reposts, NEW.viewed_interactions)
        ON CONFLICT (account_id, month) DO UPDATE SET posts = m.posts + excluded.posts, views = m.views + excluded.views, lower_bounds = m.lower_bounds + excluded.lower_bounds, likes = m.likes + excluded.likes, comments = m.comments + excluded.comments, reposts = m.reposts + excluded.reposts, viewed_interactions = m.viewed_interactions + excluded.viewed_interactions;
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE analytics_months SET posts = posts + NEW.posts - OLD.posts, views = views + NEW.views - OLD.views, lower_bounds = lower_bounds + NEW.lower_bounds - OLD.lower_bounds, likes = likes + NEW.likes - OLD.likes, comments = comments + NEW.comments - OLD.comments, reposts = reposts + NEW.reposts - OLD.reposts, viewed_interactions = viewed_interactions + NEW.viewed_interactions - OLD.viewed_interactions
        WHERE account_id = NEW.account_id AND month = substr(NEW.day, 1, 7);
        RETURN NEW;
    END IF;
    UPDATE analytics_months SET posts = posts - OLD.posts, views = views - OLD.views, lower_bounds = lower_bounds - OLD.lower_bounds, likes = likes - OLD.likes, comments = comments - OLD.comments, reposts = reposts - OLD.reposts, viewed_interactions = viewed_interactions - OLD.viewed_interactions
    WHERE account_id = OLD.account_id AND month = substr(OLD.day, 1, 7);
    DELETE FROM analytics_months WHERE account_id = OLD.account_id AND month = substr(OLD.day, 1, 7) AND posts <= 0;
    RETURN OLD;
END;
$$;
CREATE TRIGGER analytics_months_follow AFTER INSERT OR UPDATE OR DELETE ON analytics_days
    FOR EACH ROW EXECUTE FUNCTION analytics_months_follow();
