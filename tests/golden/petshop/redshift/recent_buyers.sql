-- audience recent_buyers (audiences/care.lac:20), dialect redshift
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT v1.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v1
    WHERE v1.event = 'Order Completed'
      AND v1.segment_id IS NOT NULL
      AND v1.timestamp BETWEEN DATEADD(day, -30, GETDATE()) AND GETDATE()
      AND CASE WHEN JSON_EXTRACT_PATH_TEXT(v1.properties, 'total', TRUE) ~ '^-?[0-9]+([.][0-9]+)?([eE][+-]?0*[0-9]{1,2})?$' THEN CAST(JSON_EXTRACT_PATH_TEXT(v1.properties, 'total', TRUE) AS DOUBLE PRECISION) END >= 20
    GROUP BY v1.segment_id
    HAVING COUNT(*) >= 2
  )
  AND NOT COALESCE(p.vip = TRUE, FALSE);
