-- audience ks_at_one_day (audiences/settings.lac:88), dialect redshift
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.last_login BETWEEN DATEADD(minute, -90, GETDATE()) AND GETDATE();
