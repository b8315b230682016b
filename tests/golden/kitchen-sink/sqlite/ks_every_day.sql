-- audience ks_every_day (audiences/settings.lac:74), dialect sqlite
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.birthday IS NULL;
