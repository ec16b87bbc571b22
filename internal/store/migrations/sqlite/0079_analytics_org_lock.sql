-- The organization's sums under one lock per organization: PostgreSQL only (see its
-- 0079). SQLite has one writer at a time, so its writers of the sums never interleave.
SELECT 1;
