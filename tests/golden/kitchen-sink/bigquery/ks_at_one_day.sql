-- audience ks_at_one_day (audiences/settings.lac:88), dialect bigquery
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.last_login BETWEEN TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 90 MINUTE) AND CURRENT_TIMESTAMP();
