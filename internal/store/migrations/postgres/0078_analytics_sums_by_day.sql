-- A whole organization's sums by day and month: read along the day (or month) for
-- every account at once, not account by account (analyticsSums with
-- AllInstitutions). Covering, so that the rows are not looked up.
CREATE INDEX analytics_days_day ON analytics_days (day) INCLUDE (account_id, posts, views, lower_bounds, likes, comments, reposts, viewed_interactions);
CREATE INDEX analytics_months_month ON analytics_months (month) INCLUDE (account_id, posts, views, lower_bounds, likes, comments, reposts, viewed_interactions);
