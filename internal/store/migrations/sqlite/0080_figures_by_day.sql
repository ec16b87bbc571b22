-- The figures' Beijing day of publication, as on PostgreSQL (see its 0080), kept by
-- triggers. SQLite has no index on it: it ranks a large scope's period as fast as it
-- walks the index of 0054, and AnalyticsRanked walks by day on PostgreSQL only.
ALTER TABLE publication_figures ADD COLUMN day TEXT;

UPDATE publication_figures SET day = (SELECT strftime('%Y-%m-%d', p.published_at, '+8 hours') FROM publications p WHERE p.id = publication_figures.publication_id);

CREATE TRIGGER publication_figures_day AFTER INSERT ON publication_figures
BEGIN
    UPDATE publication_figures SET day = (SELECT strftime('%Y-%m-%d', p.published_at, '+8 hours') FROM publications p WHERE p.id = NEW.publication_id)
    WHERE publication_id = NEW.publication_id;
END;

CREATE TRIGGER publication_figures_day_changed AFTER UPDATE OF publication_id ON publication_figures
BEGIN
    UPDATE publication_figures SET day = (SELECT strftime('%Y-%m-%d', p.published_at, '+8 hours') FROM publications p WHERE p.id = NEW.publication_id)
    WHERE publication_id = NEW.publication_id;
END;

CREATE TRIGGER publication_figures_day_moved AFTER UPDATE OF published_at ON publications WHEN OLD.published_at IS NOT NEW.published_at
BEGIN
    UPDATE publication_figures SET day = strftime('%Y-%m-%d', NEW.published_at, '+8 hours') WHERE publication_id = NEW.id;
END;
