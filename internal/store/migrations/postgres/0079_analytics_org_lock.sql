-- The organization's sums (0075, 0076) under one lock per organization.
--
-- Two transactions writing publications, figures or follower readings of one
-- organization at once (two accounts collected by two workers, the scale generator's
-- workers) add to the same rows of analytics_org_days and analytics_org_followers, each
-- in its own order: they deadlocked. Every write to an organization's sums now first
-- takes a transaction-scoped advisory lock on the organization (class 79, key the
-- organization's id), so the writers of one organization's sums take their turns, each
-- until it commits; writers of different organizations never wait for each other.
--
-- The lock also makes the follower sums exact when two transactions change the
-- readings of one account at once: the statement that works out the change runs after
-- the lock is granted and, under READ COMMITTED, sees what the previous holder
-- committed, and what it takes out is worked out from what is there now.
--
-- The functions that write the sums keep their names for their callers: the originals
-- are renamed *_unlocked and wrapped.
CREATE FUNCTION analytics_org_lock(org BIGINT) RETURNS void LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(79, (org % 2147483647)::INT)
$$;

ALTER FUNCTION analytics_org_add(BIGINT, TIMESTAMPTZ, TEXT, TEXT, TEXT, BIGINT, BOOLEAN, BIGINT, BOOLEAN, BIGINT, BIGINT, BIGINT, BIGINT)
    RENAME TO analytics_org_add_unlocked;

CREATE FUNCTION analytics_org_add(org BIGINT, ts TIMESTAMPTZ, platform TEXT, format TEXT, theme TEXT, sgn BIGINT, with_post BOOLEAN,
    v BIGINT, lb BOOLEAN, l BIGINT, c BIGINT, r BIGINT, du BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF org IS NULL THEN
        RETURN;
    END IF;
    PERFORM analytics_org_lock(org);
    PERFORM analytics_org_add_unlocked(org, ts, platform, format, theme, sgn, with_post, v, lb, l, c, r, du);
END;
$$;

ALTER FUNCTION analytics_org_followers_apply(BIGINT[], BIGINT[], BIGINT[], BIGINT[], TIMESTAMPTZ[], BIGINT[])
    RENAME TO analytics_org_followers_apply_unlocked;

-- The organizations of the accounts touched, locked in the order of their ids (a
-- statement may touch accounts of several).
CREATE FUNCTION analytics_org_followers_apply(touched BIGINT[], changed BIGINT[], o_id BIGINT[], o_acct BIGINT[], o_ts TIMESTAMPTZ[], o_v BIGINT[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM analytics_org_lock(o.org_id)
    FROM (SELECT DISTINCT i.org_id FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE a.id = ANY(touched) ORDER BY 1) o;
    PERFORM analytics_org_followers_apply_unlocked(touched, changed, o_id, o_acct, o_ts, o_v);
END;
$$;

-- An account moved between organizations: both locked, in the order of their ids,
-- before the triggers of 0075 and 0076 move its sums.
CREATE FUNCTION analytics_org_account_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.institution_id IS DISTINCT FROM NEW.institution_id THEN
        PERFORM analytics_org_lock(o.org_id)
        FROM (SELECT DISTINCT org_id FROM institutions WHERE id IN (OLD.institution_id, NEW.institution_id) ORDER BY 1) o;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER analytics_org_account_lock BEFORE UPDATE OF institution_id ON accounts
    FOR EACH ROW EXECUTE FUNCTION analytics_org_account_lock();
