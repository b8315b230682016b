-- audience ks_every_30_minutes (audiences/settings.lac:24), dialect sqlite
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.plan = 'pro';
