-- audience ks_settings (audiences/settings.lac:4), dialect bigquery
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.email IS NOT NULL;
