-- The platform identity (Weibo screen name) that authorised an account, shown beside its uid.
ALTER TABLE account_connections ADD COLUMN platform_name TEXT NOT NULL DEFAULT '';
