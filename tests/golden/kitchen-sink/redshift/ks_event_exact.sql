-- audience ks_event_exact (audiences/conditions.lac:62), dialect redshift
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT v1.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v1
    WHERE v1.event = 'Signed Up'
      AND v1.segment_id IS NOT NULL
      AND (
        CASE WHEN NOT ((LEFT(JSON_EXTRACT_PATH_TEXT(v1.properties, 'method', TRUE), 1) = '{' AND IS_VALID_JSON(JSON_EXTRACT_PATH_TEXT(v1.properties, 'method', TRUE))) OR (LEFT(JSON_EXTRACT_PATH_TEXT(v1.properties, 'method', TRUE), 1) = '[' AND IS_VALID_JSON_ARRAY(JSON_EXTRACT_PATH_TEXT(v1.properties, 'method', TRUE)))) THEN JSON_EXTRACT_PATH_TEXT(v1.properties, 'method', TRUE) END = 'email'
        OR CASE WHEN NOT ((LEFT(JSON_EXTRACT_PATH_TEXT(v1.properties, 'referrer', TRUE), 1) = '{' AND IS_VALID_JSON(JSON_EXTRACT_PATH_TEXT(v1.properties, 'referrer', TRUE))) OR (LEFT(JSON_EXTRACT_PATH_TEXT(v1.properties, 'referrer', TRUE), 1) = '[' AND IS_VALID_JSON_ARRAY(JSON_EXTRACT_PATH_TEXT(v1.properties, 'referrer', TRUE)))) THEN JSON_EXTRACT_PATH_TEXT(v1.properties, 'referrer', TRUE) END IS NOT NULL
      )
    GROUP BY v1.segment_id
    HAVING COUNT(*) = 1
  );
