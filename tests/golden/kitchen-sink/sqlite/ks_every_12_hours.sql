-- audience ks_every_12_hours (audiences/settings.lac:67), dialect sqlite
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.loyalty_id IS NOT NULL;
