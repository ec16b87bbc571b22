-- Lists page by id within an organization: serve WHERE org_id = ? ORDER BY id from the
-- index instead of sorting.
CREATE INDEX institutions_org_id ON institutions (org_id, id);
