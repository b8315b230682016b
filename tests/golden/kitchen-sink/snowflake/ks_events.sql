-- audience ks_events (audiences/conditions.lac:46), dialect snowflake
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
      AND v2.timestamp BETWEEN DATEADD(day, -30, SYSDATE()) AND SYSDATE()
      AND CASE WHEN REGEXP_LIKE((v2.properties['total'])::STRING, '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') THEN TRY_TO_DOUBLE((v2.properties['total'])::STRING) END > 20
    GROUP BY v2.segment_id
    HAVING COUNT(*) >= 2
  )
  AND NOT COALESCE(p.segment_id IN (
    SELECT v3.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v3
    WHERE v3.event = 'Order Completed'
      AND v3.segment_id IS NOT NULL
      AND v3.timestamp BETWEEN DATEADD(day, -14, SYSDATE()) AND SYSDATE()
    GROUP BY v3.segment_id
    HAVING NOT (COUNT(*) <= 10)
  ), FALSE)
  AND p.segment_id IN (
    SELECT v4.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v4
    WHERE v4.event = 'Product Viewed'
      AND v4.segment_id IS NOT NULL
      AND v4.timestamp BETWEEN DATEADD(day, -30, SYSDATE()) AND DATEADD(day, -7, SYSDATE())
      AND (
        CASE WHEN REGEXP_LIKE((v4.properties['price'])::STRING, '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') THEN TRY_TO_DOUBLE((v4.properties['price'])::STRING) END >= 10
        AND CASE WHEN NOT (IS_OBJECT(v4.properties['category']) OR IS_ARRAY(v4.properties['category'])) THEN (v4.properties['category'])::STRING END <> 'food'
      )
  )
  AND EXISTS (
    SELECT COUNT(*)
    FROM SEGMENT.PROFILES.TRACKS AS v5
    WHERE v5.segment_id = p.segment_id
      AND v5.event = 'Order Completed'
      AND v5.segment_id IS NOT NULL
      AND v5.timestamp BETWEEN DATEADD(day, -90, SYSDATE()) AND SYSDATE()
      AND CASE WHEN NOT (IS_OBJECT(v5.properties['currency']) OR IS_ARRAY(v5.properties['currency'])) THEN (v5.properties['currency'])::STRING END = p.preferred_currency
    HAVING COUNT(*) >= 1 AND SUM(CASE WHEN REGEXP_LIKE((v5.properties['total'])::STRING, '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') THEN TRY_TO_DOUBLE((v5.properties['total'])::STRING) END) > 50
  )
  AND p.segment_id IN (
    SELECT v6.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v6
    WHERE v6.event = 'Order Completed'
      AND v6.segment_id IS NOT NULL
      AND v6.timestamp BETWEEN DATEADD(hour, -12, SYSDATE()) AND SYSDATE()
    GROUP BY v6.segment_id
    HAVING COUNT(*) >= 1 AND MAX(CASE WHEN REGEXP_LIKE((v6.properties['total'])::STRING, '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') THEN TRY_TO_DOUBLE((v6.properties['total'])::STRING) END) >= 10
  )
  AND p.segment_id IN (
    SELECT v7.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v7
    WHERE v7.event = 'Product Viewed'
      AND v7.segment_id IS NOT NULL
    GROUP BY v7.segment_id
    HAVING COUNT(*) >= 1 AND MIN(CASE WHEN REGEXP_LIKE((v7.properties['price'])::STRING, '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') THEN TRY_TO_DOUBLE((v7.properties['price'])::STRING) END) < 100
  )
  AND p.segment_id IN (
    SELECT v8.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v8
    WHERE v8.event = 'Product Viewed'
      AND v8.segment_id IS NOT NULL
      AND v8.timestamp BETWEEN DATEADD(day, -7, SYSDATE()) AND SYSDATE()
    GROUP BY v8.segment_id
    HAVING COUNT(*) >= 1 AND AVG(CASE WHEN REGEXP_LIKE((v8.properties['price'])::STRING, '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') THEN TRY_TO_DOUBLE((v8.properties['price'])::STRING) END) > 5
  )
  AND NOT EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.TRACKS AS v9
    WHERE v9.segment_id = p.segment_id
      AND v9.event = 'Order Completed'
      AND v9.segment_id IS NOT NULL
      AND v9.timestamp BETWEEN DATEADD(minute, -90, SYSDATE()) AND SYSDATE()
      AND STARTSWITH(CASE WHEN NOT (IS_OBJECT(v9.properties['coupon']) OR IS_ARRAY(v9.properties['coupon'])) THEN (v9.properties['coupon'])::STRING END, 'FRAUD')
  )
  AND NOT EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.TRACKS AS v10
    WHERE v10.segment_id = p.segment_id
      AND v10.event = 'Order Completed'
      AND v10.segment_id IS NOT NULL
      AND v10.timestamp BETWEEN DATEADD(day, -2, SYSDATE()) AND DATEADD(day, -1, SYSDATE())
  );
