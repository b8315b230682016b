-- audience ks_every_15_minutes (audiences/settings.lac:17), dialect snowflake
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.vip = TRUE;
