-- audience ks_event_exact (audiences/conditions.lac:62), dialect bigquery
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT v1.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v1
    WHERE v1.event = 'Signed Up'
      AND v1.segment_id IS NOT NULL
      AND (
        JSON_VALUE(v1.properties, '$.method') = 'email'
        OR JSON_VALUE(v1.properties, '$.referrer') IS NOT NULL
      )
    GROUP BY v1.segment_id
    HAVING COUNT(*) = 1
  );
