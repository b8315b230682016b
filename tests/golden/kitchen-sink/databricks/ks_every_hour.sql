-- audience ks_every_hour (audiences/settings.lac:31), dialect databricks
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.ltv > 100;
