-- audience ks_events (audiences/conditions.lac:46), dialect databricks
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
      AND v2.timestamp BETWEEN (current_timestamp() - INTERVAL 30 DAYS) AND current_timestamp()
      AND CASE WHEN get_json_object(v2.properties, '$.total') RLIKE '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$' THEN try_cast(get_json_object(v2.properties, '$.total') AS DOUBLE) END > 20
    GROUP BY v2.segment_id
    HAVING COUNT(*) >= 2
  )
  AND NOT COALESCE(p.segment_id IN (
    SELECT v3.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v3
    WHERE v3.event = 'Order Completed'
      AND v3.segment_id IS NOT NULL
      AND v3.timestamp BETWEEN (current_timestamp() - INTERVAL 14 DAYS) AND current_timestamp()
    GROUP BY v3.segment_id
    HAVING NOT (COUNT(*) <= 10)
  ), FALSE)
  AND p.segment_id IN (
    SELECT v4.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v4
    WHERE v4.event = 'Product Viewed'
      AND v4.segment_id IS NOT NULL
      AND v4.timestamp BETWEEN (current_timestamp() - INTERVAL 30 DAYS) AND (current_timestamp() - INTERVAL 7 DAYS)
      AND (
        CASE WHEN get_json_object(v4.properties, '$.price') RLIKE '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$' THEN try_cast(get_json_object(v4.properties, '$.price') AS DOUBLE) END >= 10
        AND CASE WHEN json_object_keys(get_json_object(v4.properties, '$.category')) IS NULL AND json_array_length(get_json_object(v4.properties, '$.category')) IS NULL THEN get_json_object(v4.properties, '$.category') END <> 'food'
      )
  )
  AND EXISTS (
    SELECT COUNT(*)
    FROM SEGMENT.PROFILES.TRACKS AS v5
    WHERE v5.segment_id = p.segment_id
      AND v5.event = 'Order Completed'
      AND v5.segment_id IS NOT NULL
      AND v5.timestamp BETWEEN (current_timestamp() - INTERVAL 90 DAYS) AND current_timestamp()
      AND CASE WHEN json_object_keys(get_json_object(v5.properties, '$.currency')) IS NULL AND json_array_length(get_json_object(v5.properties, '$.currency')) IS NULL THEN get_json_object(v5.properties, '$.currency') END = p.preferred_currency
    HAVING COUNT(*) >= 1 AND SUM(CASE WHEN get_json_object(v5.properties, '$.total') RLIKE '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$' THEN try_cast(get_json_object(v5.properties, '$.total') AS DOUBLE) END) > 50
  )
  AND p.segment_id IN (
    SELECT v6.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v6
    WHERE v6.event = 'Order Completed'
      AND v6.segment_id IS NOT NULL
      AND v6.timestamp BETWEEN (current_timestamp() - INTERVAL 12 HOURS) AND current_timestamp()
    GROUP BY v6.segment_id
    HAVING COUNT(*) >= 1 AND MAX(CASE WHEN get_json_object(v6.properties, '$.total') RLIKE '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$' THEN try_cast(get_json_object(v6.properties, '$.total') AS DOUBLE) END) >= 10
  )
  AND p.segment_id IN (
    SELECT v7.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v7
    WHERE v7.event = 'Product Viewed'
      AND v7.segment_id IS NOT NULL
    GROUP BY v7.segment_id
    HAVING COUNT(*) >= 1 AND MIN(CASE WHEN get_json_object(v7.properties, '$.price') RLIKE '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$' THEN try_cast(get_json_object(v7.properties, '$.price') AS DOUBLE) END) < 100
  )
  AND p.segment_id IN (
    SELECT v8.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v8
    WHERE v8.event = 'Product Viewed'
      AND v8.segment_id IS NOT NULL
      AND v8.timestamp BETWEEN (current_timestamp() - INTERVAL 7 DAYS) AND current_timestamp()
    GROUP BY v8.segment_id
    HAVING COUNT(*) >= 1 AND AVG(CASE WHEN get_json_object(v8.properties, '$.price') RLIKE '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$' THEN try_cast(get_json_object(v8.properties, '$.price') AS DOUBLE) END) > 5
  )
  AND NOT EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.TRACKS AS v9
    WHERE v9.segment_id = p.segment_id
      AND v9.event = 'Order Completed'
      AND v9.segment_id IS NOT NULL
      AND v9.timestamp BETWEEN (current_timestamp() - INTERVAL 90 MINUTES) AND current_timestamp()
      AND startswith(CASE WHEN json_object_keys(get_json_object(v9.properties, '$.coupon')) IS NULL AND json_array_length(get_json_object(v9.properties, '$.coupon')) IS NULL THEN get_json_object(v9.properties, '$.coupon') END, 'FRAUD')
  )
  AND NOT EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.TRACKS AS v10
    WHERE v10.segment_id = p.segment_id
      AND v10.event = 'Order Completed'
      AND v10.segment_id IS NOT NULL
      AND v10.timestamp BETWEEN (current_timestamp() - INTERVAL 2 DAYS) AND (current_timestamp() - INTERVAL 1 DAYS)
  );
