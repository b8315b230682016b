-- audience ks_at_one_day (audiences/settings.lac:88), dialect databricks
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.last_login BETWEEN (current_timestamp() - INTERVAL 90 MINUTES) AND current_timestamp();
