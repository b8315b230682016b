-- audience recent_buyers (audiences/care.lac:20), dialect databricks
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT v1.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v1
    WHERE v1.event = 'Order Completed'
      AND v1.segment_id IS NOT NULL
      AND v1.timestamp BETWEEN (current_timestamp() - INTERVAL 30 DAYS) AND current_timestamp()
      AND CASE WHEN get_json_object(v1.properties, '$.total') RLIKE '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$' THEN try_cast(get_json_object(v1.properties, '$.total') AS DOUBLE) END >= 20
    GROUP BY v1.segment_id
    HAVING COUNT(*) >= 2
  )
  AND NOT COALESCE(p.vip = TRUE, FALSE);
