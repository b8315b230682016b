-- audience ks_events (audiences/conditions.lac:46), dialect bigquery
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT v1.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v1
    WHERE v1.event = 'Signed Up'
      AND v1.segment_id IS NOT NULL
  )
  AND p.segment_id IN (
    SELECT v2.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v2
    WHERE v2.event = 'Order Completed'
      AND v2.segment_id IS NOT NULL
      AND v2.timestamp BETWEEN TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 30 DAY) AND CURRENT_TIMESTAMP()
      AND CASE WHEN REGEXP_CONTAINS(JSON_VALUE(v2.properties, '$.total'), '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') THEN SAFE_CAST(JSON_VALUE(v2.properties, '$.total') AS FLOAT64) END > 20
    GROUP BY v2.segment_id
    HAVING COUNT(*) >= 2
  )
  AND NOT COALESCE(p.segment_id IN (
    SELECT v3.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v3
    WHERE v3.event = 'Order Completed'
      AND v3.segment_id IS NOT NULL
      AND v3.timestamp BETWEEN TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 14 DAY) AND CURRENT_TIMESTAMP()
    GROUP BY v3.segment_id
    HAVING NOT (COUNT(*) <= 10)
  ), FALSE)
  AND p.segment_id IN (
    SELECT v4.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v4
    WHERE v4.event = 'Product Viewed'
      AND v4.segment_id IS NOT NULL
      AND v4.timestamp BETWEEN TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 30 DAY) AND TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 7 DAY)
      AND (
        CASE WHEN REGEXP_CONTAINS(JSON_VALUE(v4.properties, '$.price'), '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') THEN SAFE_CAST(JSON_VALUE(v4.properties, '$.price') AS FLOAT64) END >= 10
        AND JSON_VALUE(v4.properties, '$.category') <> 'food'
      )
  )
  AND EXISTS (
    SELECT COUNT(*)
    FROM SEGMENT.PROFILES.TRACKS AS v5
    WHERE v5.segment_id = p.segment_id
      AND v5.event = 'Order Completed'
      AND v5.segment_id IS NOT NULL
      AND v5.timestamp BETWEEN TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 90 DAY) AND CURRENT_TIMESTAMP()
      AND JSON_VALUE(v5.properties, '$.currency') = p.preferred_currency
    HAVING COUNT(*) >= 1 AND SUM(CASE WHEN REGEXP_CONTAINS(JSON_VALUE(v5.properties, '$.total'), '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') THEN SAFE_CAST(JSON_VALUE(v5.properties, '$.total') AS FLOAT64) END) > 50
  )
  AND p.segment_id IN (
    SELECT v6.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v6
    WHERE v6.event = 'Order Completed'
      AND v6.segment_id IS NOT NULL
      AND v6.timestamp BETWEEN TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 12 HOUR) AND CURRENT_TIMESTAMP()
    GROUP BY v6.segment_id
    HAVING COUNT(*) >= 1 AND MAX(CASE WHEN REGEXP_CONTAINS(JSON_VALUE(v6.properties, '$.total'), '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') THEN SAFE_CAST(JSON_VALUE(v6.properties, '$.total') AS FLOAT64) END) >= 10
  )
  AND p.segment_id IN (
    SELECT v7.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v7
    WHERE v7.event = 'Product Viewed'
      AND v7.segment_id IS NOT NULL
    GROUP BY v7.segment_id
    HAVING COUNT(*) >= 1 AND MIN(CASE WHEN REGEXP_CONTAINS(JSON_VALUE(v7.properties, '$.price'), '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') THEN SAFE_CAST(JSON_VALUE(v7.properties, '$.price') AS FLOAT64) END) < 100
  )
  AND p.segment_id IN (
    SELECT v8.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v8
    WHERE v8.event = 'Product Viewed'
      AND v8.segment_id IS NOT NULL
      AND v8.timestamp BETWEEN TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 7 DAY) AND CURRENT_TIMESTAMP()
    GROUP BY v8.segment_id
    HAVING COUNT(*) >= 1 AND AVG(CASE WHEN REGEXP_CONTAINS(JSON_VALUE(v8.properties, '$.price'), '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') THEN SAFE_CAST(JSON_VALUE(v8.properties, '$.price') AS FLOAT64) END) > 5
  )
  AND NOT EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.TRACKS AS v9
    WHERE v9.segment_id = p.segment_id
      AND v9.event = 'Order Completed'
      AND v9.segment_id IS NOT NULL
      AND v9.timestamp BETWEEN TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 90 MINUTE) AND CURRENT_TIMESTAMP()
      AND STARTS_WITH(JSON_VALUE(v9.properties, '$.coupon'), 'FRAUD')
  )
  AND NOT EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.TRACKS AS v10
    WHERE v10.segment_id = p.segment_id
      AND v10.event = 'Order Completed'
      AND v10.segment_id IS NOT NULL
      AND v10.timestamp BETWEEN TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 2 DAY) AND TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 DAY)
  );
