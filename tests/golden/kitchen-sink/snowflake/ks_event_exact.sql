-- audience ks_event_exact (audiences/conditions.lac:62), dialect snowflake
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT v1.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v1
    WHERE v1.event = 'Signed Up'
      AND v1.segment_id IS NOT NULL
      AND (
        CASE WHEN NOT (IS_OBJECT(v1.properties['method']) OR IS_ARRAY(v1.properties['method'])) THEN (v1.properties['method'])::STRING END = 'email'
        OR CASE WHEN NOT (IS_OBJECT(v1.properties['referrer']) OR IS_ARRAY(v1.properties['referrer'])) THEN (v1.properties['referrer'])::STRING END IS NOT NULL
      )
    GROUP BY v1.segment_id
    HAVING COUNT(*) = 1
  );
