-- Visitor pages: audioguide tours with numbered stops, virtual exhibitions. Public
-- pages are addressed by public_token (random), never by id.
CREATE TABLE tours (
    id INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES institutions(id),
    public_token TEXT NOT NULL UNIQUE,
    title_zh TEXT NOT NULL,
    title_fr TEXT NOT NULL DEFAULT '',
    title_en TEXT NOT NULL DEFAULT '',
    intro_zh TEXT NOT NULL DEFAULT '',
    intro_fr TEXT NOT NULL DEFAULT '',
    intro_en TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX tours_institution ON tours (institution_id, id);

CREATE TABLE tour_stops (
    id INTEGER PRIMARY KEY,
    tour_id INTEGER NOT NULL REFERENCES tours(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    title_zh TEXT NOT NULL,
    title_fr TEXT NOT NULL DEFAULT '',
    title_en TEXT NOT NULL DEFAULT '',
    transcript_zh TEXT NOT NULL DEFAULT '',
    transcript_fr TEXT NOT NULL DEFAULT '',
    transcript_en TEXT NOT NULL DEFAULT '',
    audio_media_id INTEGER REFERENCES media_assets(id),
    audio_fr_media_id INTEGER REFERENCES media_assets(id),
    audio_en_media_id INTEGER REFERENCES media_assets(id),
    image_media_id INTEGER REFERENCES media_assets(id),
    artwork TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (tour_id, number)
);

CREATE TABLE exhibitions (
    id INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES institutions(id),
    public_token TEXT NOT NULL UNIQUE,
    title_zh TEXT NOT NULL,
    title_fr TEXT NOT NULL DEFAULT '',
    title_en TEXT NOT NULL DEFAULT '',
    digest_zh TEXT NOT NULL DEFAULT '',
    cover_media_id INTEGER REFERENCES media_assets(id),
    rooms TEXT NOT NULL DEFAULT '[]',
    published_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX exhibitions_institution ON exhibitions (institution_id, id);
