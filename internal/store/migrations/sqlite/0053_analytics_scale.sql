-- Analytics at scale (1,000 institutions × 3 years, about a million publications): a
-- period's publications are added up in the database from this index alone (the
-- account's range of instants, with the state, format and post of each), without
-- reading the publications' rows. It replaces publications_published, its prefix.
CREATE INDEX publications_analytics ON publications (account_id, published_at, state, format, post_id) WHERE published_at IS NOT NULL;
DROP INDEX publications_published;
