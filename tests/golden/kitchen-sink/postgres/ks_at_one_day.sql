-- audience ks_at_one_day (audiences/settings.lac:88), dialect postgres
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILES.PROFILE_TRAITS AS p
WHERE p.last_login BETWEEN ((now() AT TIME ZONE 'UTC') - INTERVAL '90 minutes') AND (now() AT TIME ZONE 'UTC');
