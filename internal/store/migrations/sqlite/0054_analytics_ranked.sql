-- Analytics at scale, part three: the top and bottom posts of a period. Publications
-- are ranked by their interactions (likes + comments + reposts of their newest
-- figures, a missing one counting as 0), ties by id; this index holds that order, so
-- that the top posts of a large scope are found by walking its first entries instead
-- of ranking every publication of the period (AnalyticsRanked; the bottom posts walk
-- it backwards). Nothing to keep by hand: the index follows every write.
CREATE INDEX publication_figures_interactions ON publication_figures
    ((COALESCE(likes, 0) + COALESCE(comments, 0) + COALESCE(reposts, 0)) DESC, publication_id);
