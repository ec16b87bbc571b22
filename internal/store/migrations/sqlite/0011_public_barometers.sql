-- The organizations that chose to publish their barometer, by the slug the public
-- pages use (never the sequential id). None is public by default.
CREATE TABLE public_barometers (
    org_id INTEGER PRIMARY KEY REFERENCES organizations(id),
    slug TEXT NOT NULL UNIQUE,
    published_at TEXT NOT NULL
);
