-- audience ks_every_2_hours (audiences/settings.lac:39), dialect postgres
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILES.PROFILE_TRAITS AS p
WHERE p.ltv >= 50;
