-- audience ks_every_4_hours (audiences/settings.lac:46), dialect databricks
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.ltv < 10;
