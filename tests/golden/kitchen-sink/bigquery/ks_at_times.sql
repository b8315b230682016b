-- audience ks_at_times (audiences/settings.lac:81), dialect bigquery
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.wake_time < TIME '07:30:00';
