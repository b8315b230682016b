-- audience ks_settings (audiences/settings.lac:4), dialect postgres
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILES.PROFILE_TRAITS AS p
WHERE p.email IS NOT NULL;
