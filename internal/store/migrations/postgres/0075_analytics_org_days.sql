-- Analytics at scale, part three: an organization's published publications added up
-- per Beijing day (Asia/Shanghai, UTC+8) along each dimension the analytics break down
-- by, so that the organization page of a thousand institutions reads a few dozen rows
-- a day instead of every publication of the period (about 870 a day on the scale
-- dataset).
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
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    dim TEXT NOT NULL,
    key TEXT NOT NULL,
    posts BIGINT NOT NULL,
    views BIGINT NOT NULL,
    lower_bounds BIGINT NOT NULL,
    likes BIGINT NOT NULL,
    comments BIGINT NOT NULL,
    reposts BIGINT NOT NULL,
    viewed_interactions BIGINT NOT NULL,
    squares DOUBLE PRECISION NOT NULL,
    unread BIGINT NOT NULL,
    PRIMARY KEY (org_id, day, dim, key)
);

INSERT INTO analytics_org_days (org_id, day, dim, key, posts, views, lower_bounds, likes, comments, reposts, viewed_interactions, squares, unread)
SELECT x.org_id, x.day, d.dim, CASE d.dim WHEN 'format' THEN x.format WHEN 'theme' THEN x.theme WHEN 'platform' THEN x.platform ELSE x.hour END,
    SUM(x.posts), SUM(x.views), SUM(x.lower_bounds), SUM(x.likes), SUM(x.comments), SUM(x.reposts), SUM(x.viewed_interactions), SUM(x.squares), SUM(x.unread)
FROM (
    SELECT i.org_id, to_char(p.published_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day, to_char(p.published_at AT TIME ZONE 'Asia/Shanghai', 'HH24') AS hour,
        a.platform, p.format, po.theme, COUNT(*) AS posts, COALESCE(SUM(f.views), 0) AS views,
        COUNT(*) FILTER (WHERE f.views IS NOT NULL AND f.views_lower_bound) AS lower_bounds,
        COALESCE(SUM(f.likes), 0) AS likes, COALESCE(SUM(f.comments), 0) AS comments, COALESCE(SUM(f.reposts), 0) AS reposts,
        COALESCE(SUM(CASE WHEN f.views IS NOT NULL THEN COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0) ELSE 0 END), 0) AS viewed_interactions,
        COALESCE(SUM((COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0))::FLOAT8 * (COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0))), 0) AS squares,
        COUNT(*) FILTER (WHERE f.publication_id IS NULL) AS unread
    FROM publications p JOIN accounts a ON a.id = p.account_id JOIN institutions i ON i.id = a.institution_id
        JOIN posts po ON po.id = p.post_id LEFT JOIN publication_figures f ON f.publication_id = p.id
    WHERE p.state = 'published' AND p.published_at IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6
) x CROSS JOIN (VALUES ('format'), ('theme'), ('platform'), ('hour')) d (dim)
GROUP BY 1, 2, 3, 4;

ANALYZE analytics_org_days;

-- analytics_org_add adds a publication's contribution (sgn 1) or takes it out (sgn -1)
-- to the rows of its four dimensions: with_post counts the publication itself, the
-- figures given (NULL: none) are added, and du to the publications without figures.
CREATE FUNCTION analytics_org_add(org BIGINT, ts TIMESTAMPTZ, platform TEXT, format TEXT, theme TEXT, sgn BIGINT, with_post BOOLEAN,
    v BIGINT, lb BOOLEAN, l BIGINT, c BIGINT, r BIGINT, du BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    d TEXT := to_char(ts AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD');
    h TEXT := to_char(ts AT TIME ZONE 'Asia/Shanghai', 'HH24');
    i BIGINT := COALESCE(l, 0) + COALESCE(c, 0) + COALESCE(r, 0);
    dp BIGINT := CASE WHEN with_post THEN sgn ELSE 0 END;
    dv BIGINT := sgn * COALESCE(v, 0);
    dlb BIGINT := sgn * (CASE WHEN v IS NOT NULL AND lb THEN 1 ELSE 0 END);
    dl BIGINT := sgn * COALESCE(l, 0);
    dc BIGINT := sgn * COALESCE(c, 0);
    dr BIGINT := sgn * COALESCE(r, 0);
    dvi BIGINT := sgn * (CASE WHEN v IS NOT NULL THEN i ELSE 0 END);
    dsq FLOAT8 := sgn * (i::FLOAT8 * i);
BEGIN
    IF org IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO analytics_org_days AS s (org_id, day, dim, key, posts, views, lower_bounds, likes, comments, reposts, viewed_interactions, squares, unread)
    SELECT org, d, k.dim, k.key, dp, dv, dlb, dl, dc, dr, dvi, dsq, du
    FROM (VALUES ('format', format), ('theme', theme), ('platform', platform), ('hour', h)) k (dim, key)
    ON CONFLICT (org_id, day, dim, key) DO UPDATE SET posts = s.posts + dp, views = s.views + dv, lower_bounds = s.lower_bounds + dlb,
        likes = s.likes + dl, comments = s.comments + dc, reposts = s.reposts + dr, viewed_interactions = s.viewed_interactions + dvi,
        squares = s.squares + dsq, unread = s.unread + du;
    IF dp < 0 THEN
        DELETE FROM analytics_org_days WHERE org_id = org AND day = d AND posts <= 0;
    END IF;
END;
$$;

-- analytics_org_publication_add is analytics_org_add for a publication given by its
-- columns, with its figures as they are in publication_figures (with_figures) or
-- none.
CREATE FUNCTION analytics_org_publication_add(pub BIGINT, acct BIGINT, post BIGINT, ts TIMESTAMPTZ, fmt TEXT, sgn BIGINT, with_post BOOLEAN, with_figures BOOLEAN)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    k RECORD;
    f publication_figures%ROWTYPE;
BEGIN
    SELECT i.org_id, a.platform, po.theme INTO k FROM accounts a JOIN institutions i ON i.id = a.institution_id, posts po
    WHERE a.id = acct AND po.id = post;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF with_figures THEN
        SELECT * INTO f FROM publication_figures WHERE publication_id = pub;
    END IF;
    -- Without figures (none yet, or deleted just before), the publication is unread.
    PERFORM analytics_org_add(k.org_id, ts, k.platform, fmt, k.theme, sgn, with_post, f.views, f.views_lower_bound, f.likes, f.comments, f.reposts,
        CASE WHEN with_post AND f.publication_id IS NULL THEN sgn ELSE 0 END);
END;
$$;

-- Publications: published, moved or withdrawn (the old contribution out, the new one
-- in, with the publication's figures). A deleted publication's figures are deleted
-- first (their trigger takes them out; 0052's trigger does the same, whichever runs
-- first), then the publication.
CREATE FUNCTION analytics_org_publication() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM publication_figures WHERE publication_id = OLD.id;
        IF OLD.state = 'published' AND OLD.published_at IS NOT NULL THEN
            PERFORM analytics_org_publication_add(OLD.id, OLD.account_id, OLD.post_id, OLD.published_at, OLD.format, -1, TRUE, FALSE);
        END IF;
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.state IS NOT DISTINCT FROM NEW.state AND OLD.published_at IS NOT DISTINCT FROM NEW.published_at AND OLD.account_id = NEW.account_id
            AND OLD.format = NEW.format AND OLD.post_id = NEW.post_id THEN
            RETURN NEW;
        END IF;
        IF OLD.state = 'published' AND OLD.published_at IS NOT NULL THEN
            PERFORM analytics_org_publication_add(OLD.id, OLD.account_id, OLD.post_id, OLD.published_at, OLD.format, -1, TRUE, TRUE);
        END IF;
    END IF;
    IF NEW.state = 'published' AND NEW.published_at IS NOT NULL THEN
        PERFORM analytics_org_publication_add(NEW.id, NEW.account_id, NEW.post_id, NEW.published_at, NEW.format, 1, TRUE, TRUE);
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER analytics_org_publication_changed AFTER INSERT OR UPDATE OF state, published_at, account_id, format, post_id ON publications
    FOR EACH ROW EXECUTE FUNCTION analytics_org_publication();
CREATE TRIGGER analytics_org_publication_deleted BEFORE DELETE ON publications
    FOR EACH ROW EXECUTE FUNCTION analytics_org_publication();

-- A post deleted: its publications first, while the post (and its theme) is there.
CREATE FUNCTION analytics_org_post_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM publications WHERE post_id = OLD.id;
    RETURN OLD;
END;
$$;
CREATE TRIGGER analytics_org_post_deleted BEFORE DELETE ON posts
    FOR EACH ROW EXECUTE FUNCTION analytics_org_post_deleted();

-- Figures recorded, moved forward or deleted: the difference goes to the rows of
-- their publication, if it is published (its post is counted already).
CREATE FUNCTION analytics_org_figures() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    p RECORD;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT i.org_id, a.platform, pu.format, po.theme, pu.published_at INTO p
        FROM publications pu JOIN accounts a ON a.id = pu.account_id JOIN institutions i ON i.id = a.institution_id JOIN posts po ON po.id = pu.post_id
        WHERE pu.id = OLD.publication_id AND pu.state = 'published' AND pu.published_at IS NOT NULL;
        IF FOUND THEN
            PERFORM analytics_org_add(p.org_id, p.published_at, p.platform, p.format, p.theme, -1, FALSE, OLD.views, OLD.views_lower_bound, OLD.likes, OLD.comments, OLD.reposts, 1);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT i.org_id, a.platform, pu.format, po.theme, pu.published_at INTO p
        FROM publications pu JOIN accounts a ON a.id = pu.account_id JOIN institutions i ON i.id = a.institution_id JOIN posts po ON po.id = pu.post_id
        WHERE pu.id = NEW.publication_id AND pu.state = 'published' AND pu.published_at IS NOT NULL;
        IF FOUND THEN
            PERFORM analytics_org_add(p.org_id, p.published_at, p.platform, p.format, p.theme, 1, FALSE, NEW.views, NEW.views_lower_bound, NEW.likes, NEW.comments, NEW.reposts, -1);
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER analytics_org_figures_changed AFTER INSERT OR UPDATE OF publication_id, views, views_lower_bound, likes, comments, reposts OR DELETE ON publication_figures
    FOR EACH ROW EXECUTE FUNCTION analytics_org_figures();

-- A post's theme changed: each of its published publications out with the old theme,
-- in with the new.
CREATE FUNCTION analytics_org_post_theme() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    p RECORD;
BEGIN
    IF OLD.theme IS NOT DISTINCT FROM NEW.theme THEN
        RETURN NEW;
    END IF;
    FOR p IN SELECT i.org_id, a.platform, pu.format, pu.published_at, f.views, f.views_lower_bound, f.likes, f.comments, f.reposts,
            CASE WHEN f.publication_id IS NULL THEN 1 ELSE 0 END AS unread
        FROM publications pu JOIN accounts a ON a.id = pu.account_id JOIN institutions i ON i.id = a.institution_id
            LEFT JOIN publication_figures f ON f.publication_id = pu.id
        WHERE pu.post_id = NEW.id AND pu.state = 'published' AND pu.published_at IS NOT NULL
    LOOP
        PERFORM analytics_org_add(p.org_id, p.published_at, p.platform, p.format, OLD.theme, -1, TRUE, p.views, p.views_lower_bound, p.likes, p.comments, p.reposts, -p.unread);
        PERFORM analytics_org_add(p.org_id, p.published_at, p.platform, p.format, NEW.theme, 1, TRUE, p.views, p.views_lower_bound, p.likes, p.comments, p.reposts, p.unread);
    END LOOP;
    RETURN NEW;
END;
$$;
CREATE TRIGGER analytics_org_post_theme AFTER UPDATE OF theme ON posts
    FOR EACH ROW EXECUTE FUNCTION analytics_org_post_theme();

-- An account moved to another institution or platform: each of its published
-- publications out with the old values, in with the new.
CREATE FUNCTION analytics_org_account_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    p RECORD;
    old_org BIGINT;
    new_org BIGINT;
BEGIN
    IF OLD.institution_id IS NOT DISTINCT FROM NEW.institution_id AND OLD.platform IS NOT DISTINCT FROM NEW.platform THEN
        RETURN NEW;
    END IF;
    SELECT org_id INTO old_org FROM institutions WHERE id = OLD.institution_id;
    SELECT org_id INTO new_org FROM institutions WHERE id = NEW.institution_id;
    FOR p IN SELECT pu.format, pu.published_at, po.theme, f.views, f.views_lower_bound, f.likes, f.comments, f.reposts,
            CASE WHEN f.publication_id IS NULL THEN 1 ELSE 0 END AS unread
        FROM publications pu JOIN posts po ON po.id = pu.post_id LEFT JOIN publication_figures f ON f.publication_id = pu.id
        WHERE pu.account_id = NEW.id AND pu.state = 'published' AND pu.published_at IS NOT NULL
    LOOP
        PERFORM analytics_org_add(old_org, p.published_at, OLD.platform, p.format, p.theme, -1, TRUE, p.views, p.views_lower_bound, p.likes, p.comments, p.reposts, -p.unread);
        PERFORM analytics_org_add(new_org, p.published_at, NEW.platform, p.format, p.theme, 1, TRUE, p.views, p.views_lower_bound, p.likes, p.comments, p.reposts, p.unread);
    END LOOP;
    RETURN NEW;
END;
$$;
CREATE TRIGGER analytics_org_account_moved AFTER UPDATE OF institution_id, platform ON accounts
    FOR EACH ROW EXECUTE FUNCTION analytics_org_account_moved();
