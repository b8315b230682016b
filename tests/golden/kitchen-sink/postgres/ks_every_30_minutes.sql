-- audience ks_every_30_minutes (audiences/settings.lac:24), dialect postgres
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILES.PROFILE_TRAITS AS p
WHERE p.plan = 'pro';
