-- audience recent_buyers (audiences/care.lac:20), dialect bigquery
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT v1.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v1
    WHERE v1.event = 'Order Completed'
      AND v1.segment_id IS NOT NULL
      AND v1.timestamp BETWEEN TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 30 DAY) AND CURRENT_TIMESTAMP()
      AND CASE WHEN REGEXP_CONTAINS(JSON_VALUE(v1.properties, '$.total'), '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') THEN SAFE_CAST(JSON_VALUE(v1.properties, '$.total') AS FLOAT64) END >= 20
    GROUP BY v1.segment_id
    HAVING COUNT(*) >= 2
  )
  AND NOT COALESCE(p.vip = TRUE, FALSE);
