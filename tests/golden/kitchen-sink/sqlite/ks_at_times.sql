-- audience ks_at_times (audiences/settings.lac:81), dialect sqlite
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE time(p.wake_time) < time('07:30:00');
