-- audience ks_event_exact (audiences/conditions.lac:62), dialect databricks
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT v1.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v1
    WHERE v1.event = 'Signed Up'
      AND v1.segment_id IS NOT NULL
      AND (
        CASE WHEN json_object_keys(get_json_object(v1.properties, '$.method')) IS NULL AND json_array_length(get_json_object(v1.properties, '$.method')) IS NULL THEN get_json_object(v1.properties, '$.method') END = 'email'
        OR CASE WHEN json_object_keys(get_json_object(v1.properties, '$.referrer')) IS NULL AND json_array_length(get_json_object(v1.properties, '$.referrer')) IS NULL THEN get_json_object(v1.properties, '$.referrer') END IS NOT NULL
      )
    GROUP BY v1.segment_id
    HAVING COUNT(*) = 1
  );
