-- audience ks_events (audiences/conditions.lac:46), dialect redshift
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
      AND v2.timestamp BETWEEN DATEADD(day, -30, GETDATE()) AND GETDATE()
      AND CASE WHEN JSON_EXTRACT_PATH_TEXT(v2.properties, 'total', TRUE) ~ '^-?[0-9]+([.][0-9]+)?([eE][+-]?0*[0-9]{1,2})?$' THEN CAST(JSON_EXTRACT_PATH_TEXT(v2.properties, 'total', TRUE) AS DOUBLE PRECISION) END > 20
    GROUP BY v2.segment_id
    HAVING COUNT(*) >= 2
  )
  AND NOT COALESCE(p.segment_id IN (
    SELECT v3.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v3
    WHERE v3.event = 'Order Completed'
      AND v3.segment_id IS NOT NULL
      AND v3.timestamp BETWEEN DATEADD(day, -14, GETDATE()) AND GETDATE()
    GROUP BY v3.segment_id
    HAVING NOT (COUNT(*) <= 10)
  ), FALSE)
  AND p.segment_id IN (
    SELECT v4.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v4
    WHERE v4.event = 'Product Viewed'
      AND v4.segment_id IS NOT NULL
      AND v4.timestamp BETWEEN DATEADD(day, -30, GETDATE()) AND DATEADD(day, -7, GETDATE())
      AND (
        CASE WHEN JSON_EXTRACT_PATH_TEXT(v4.properties, 'price', TRUE) ~ '^-?[0-9]+([.][0-9]+)?([eE][+-]?0*[0-9]{1,2})?$' THEN CAST(JSON_EXTRACT_PATH_TEXT(v4.properties, 'price', TRUE) AS DOUBLE PRECISION) END >= 10
        AND CASE WHEN NOT ((LEFT(JSON_EXTRACT_PATH_TEXT(v4.properties, 'category', TRUE), 1) = '{' AND IS_VALID_JSON(JSON_EXTRACT_PATH_TEXT(v4.properties, 'category', TRUE))) OR (LEFT(JSON_EXTRACT_PATH_TEXT(v4.properties, 'category', TRUE), 1) = '[' AND IS_VALID_JSON_ARRAY(JSON_EXTRACT_PATH_TEXT(v4.properties, 'category', TRUE)))) THEN JSON_EXTRACT_PATH_TEXT(v4.properties, 'category', TRUE) END <> 'food'
      )
  )
  AND EXISTS (
    SELECT COUNT(*)
    FROM SEGMENT.PROFILES.TRACKS AS v5
    WHERE v5.segment_id = p.segment_id
      AND v5.event = 'Order Completed'
      AND v5.segment_id IS NOT NULL
      AND v5.timestamp BETWEEN DATEADD(day, -90, GETDATE()) AND GETDATE()
      AND CASE WHEN NOT ((LEFT(JSON_EXTRACT_PATH_TEXT(v5.properties, 'currency', TRUE), 1) = '{' AND IS_VALID_JSON(JSON_EXTRACT_PATH_TEXT(v5.properties, 'currency', TRUE))) OR (LEFT(JSON_EXTRACT_PATH_TEXT(v5.properties, 'currency', TRUE), 1) = '[' AND IS_VALID_JSON_ARRAY(JSON_EXTRACT_PATH_TEXT(v5.properties, 'currency', TRUE)))) THEN JSON_EXTRACT_PATH_TEXT(v5.properties, 'currency', TRUE) END = p.preferred_currency
    HAVING COUNT(*) >= 1 AND SUM(CASE WHEN JSON_EXTRACT_PATH_TEXT(v5.properties, 'total', TRUE) ~ '^-?[0-9]+([.][0-9]+)?([eE][+-]?0*[0-9]{1,2})?$' THEN CAST(JSON_EXTRACT_PATH_TEXT(v5.properties, 'total', TRUE) AS DOUBLE PRECISION) END) > 50
  )
  AND p.segment_id IN (
    SELECT v6.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v6
    WHERE v6.event = 'Order Completed'
      AND v6.segment_id IS NOT NULL
      AND v6.timestamp BETWEEN DATEADD(hour, -12, GETDATE()) AND GETDATE()
    GROUP BY v6.segment_id
    HAVING COUNT(*) >= 1 AND MAX(CASE WHEN JSON_EXTRACT_PATH_TEXT(v6.properties, 'total', TRUE) ~ '^-?[0-9]+([.][0-9]+)?([eE][+-]?0*[0-9]{1,2})?$' THEN CAST(JSON_EXTRACT_PATH_TEXT(v6.properties, 'total', TRUE) AS DOUBLE PRECISION) END) >= 10
  )
  AND p.segment_id IN (
    SELECT v7.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v7
    WHERE v7.event = 'Product Viewed'
      AND v7.segment_id IS NOT NULL
    GROUP BY v7.segment_id
    HAVING COUNT(*) >= 1 AND MIN(CASE WHEN JSON_EXTRACT_PATH_TEXT(v7.properties, 'price', TRUE) ~ '^-?[0-9]+([.][0-9]+)?([eE][+-]?0*[0-9]{1,2})?$' THEN CAST(JSON_EXTRACT_PATH_TEXT(v7.properties, 'price', TRUE) AS DOUBLE PRECISION) END) < 100
  )
  AND p.segment_id IN (
    SELECT v8.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v8
    WHERE v8.event = 'Product Viewed'
      AND v8.segment_id IS NOT NULL
      AND v8.timestamp BETWEEN DATEADD(day, -7, GETDATE()) AND GETDATE()
    GROUP BY v8.segment_id
    HAVING COUNT(*) >= 1 AND AVG(CASE WHEN JSON_EXTRACT_PATH_TEXT(v8.properties, 'price', TRUE) ~ '^-?[0-9]+([.][0-9]+)?([eE][+-]?0*[0-9]{1,2})?$' THEN CAST(JSON_EXTRACT_PATH_TEXT(v8.properties, 'price', TRUE) AS DOUBLE PRECISION) END) > 5
  )
  AND NOT EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.TRACKS AS v9
    WHERE v9.segment_id = p.segment_id
      AND v9.event = 'Order Completed'
      AND v9.segment_id IS NOT NULL
      AND v9.timestamp BETWEEN DATEADD(minute, -90, GETDATE()) AND GETDATE()
      AND STRPOS(CASE WHEN NOT ((LEFT(JSON_EXTRACT_PATH_TEXT(v9.properties, 'coupon', TRUE), 1) = '{' AND IS_VALID_JSON(JSON_EXTRACT_PATH_TEXT(v9.properties, 'coupon', TRUE))) OR (LEFT(JSON_EXTRACT_PATH_TEXT(v9.properties, 'coupon', TRUE), 1) = '[' AND IS_VALID_JSON_ARRAY(JSON_EXTRACT_PATH_TEXT(v9.properties, 'coupon', TRUE)))) THEN JSON_EXTRACT_PATH_TEXT(v9.properties, 'coupon', TRUE) END, 'FRAUD') = 1
  )
  AND NOT EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.TRACKS AS v10
    WHERE v10.segment_id = p.segment_id
      AND v10.event = 'Order Completed'
      AND v10.segment_id IS NOT NULL
      AND v10.timestamp BETWEEN DATEADD(day, -2, GETDATE()) AND DATEADD(day, -1, GETDATE())
  );
