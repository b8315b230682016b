-- audience ks_at_one_day (audiences/settings.lac:88), dialect sqlite
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.last_login >= date(julianday('now', '-90 minutes')) AND p.last_login < date(julianday('now'), '+1 days') AND julianday(p.last_login) BETWEEN julianday('now', '-90 minutes') AND julianday('now');
