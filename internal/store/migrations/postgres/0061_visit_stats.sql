-- Visitor pages' counts, without personal data: per stop (plays started, played to
-- 90 % or the end) and per exhibition (views, read to the last room), per Beijing day.
CREATE TABLE visit_plays (
    stop_id BIGINT NOT NULL REFERENCES tour_stops(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    starts BIGINT NOT NULL DEFAULT 0,
    completes BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (stop_id, day)
);

CREATE TABLE visit_views (
    exhibition_id BIGINT NOT NULL REFERENCES exhibitions(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    views BIGINT NOT NULL DEFAULT 0,
    completes BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (exhibition_id, day)
);
