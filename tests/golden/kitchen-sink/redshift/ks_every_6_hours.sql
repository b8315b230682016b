-- audience ks_every_6_hours (audiences/settings.lac:53), dialect redshift
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.ltv <= 0;
