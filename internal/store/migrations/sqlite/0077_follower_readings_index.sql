-- The follower readings as the analytics read them: an account's latest reading before
-- an instant (ordered by instant, then id), its followers read from the index itself.
-- The portfolio of an organization reads four of them per account, the follower sums'
-- triggers (0076) two per reading written.
CREATE INDEX account_snapshots_followers ON account_snapshots (account_id, taken_at, id, followers) WHERE followers IS NOT NULL;
