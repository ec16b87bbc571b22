-- Analytics at scale, part five: the bottom (and top) posts of a large scope, day by
-- day.
--
-- The walk of 0054 reads the whole database's least (or most) interacted publications
-- first: it finds a thousand institutions' top posts of a month at once, but their
-- bottom posts only when that month holds enough of the whole database's least
-- interacted ones, which depends on the audience of the time (about one month in three
-- on the scale dataset); the others were ranked from every publication of the period.
-- publication_figures now carries its publication's Beijing day of publication, and an
-- index orders each day's figures by interactions: a period's bottom n are among each
-- of its days' bottom n, read from the index (AnalyticsRanked's day walk).
--
-- day is the Beijing day of the publication's published_at (NULL while it has none),
-- set when the figures are written and kept when the publication's instant changes.
ALTER TABLE publication_figures ADD COLUMN day TEXT;

UPDATE publication_figures f SET day = to_char(p.published_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')
FROM publications p WHERE p.id = f.publication_id AND p.published_at IS NOT NULL;

CREATE FUNCTION publication_figures_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.day := (SELECT to_char(p.published_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') FROM publications p WHERE p.id = NEW.publication_id);
    RETURN NEW;
END;
$$;
CREATE TRIGGER publication_figures_day BEFORE INSERT OR UPDATE OF publication_id ON publication_figures
    FOR EACH ROW EXECUTE FUNCTION publication_figures_day();

CREATE FUNCTION publication_figures_day_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE publication_figures SET day = to_char(NEW.published_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') WHERE publication_id = NEW.id;
    RETURN NEW;
END;
$$;
CREATE TRIGGER publication_figures_day_moved AFTER UPDATE OF published_at ON publications
    FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at) EXECUTE FUNCTION publication_figures_day_moved();

CREATE INDEX publication_figures_day ON publication_figures
    (day, (COALESCE(likes, 0) + COALESCE(comments, 0) + COALESCE(reposts, 0)), publication_id DESC) WHERE day IS NOT NULL;
ANALYZE publication_figures;
