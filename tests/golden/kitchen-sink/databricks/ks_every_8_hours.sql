-- audience ks_every_8_hours (audiences/settings.lac:60), dialect databricks
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.plan <> 'free';
