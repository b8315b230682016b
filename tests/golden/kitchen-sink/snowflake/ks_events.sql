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
      AND (v2.properties['total'])::FLOAT > 20
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
        (v4.properties['price'])::FLOAT >= 10
        AND (v4.properties['category'])::STRING <> 'food'
      )
  )
  AND EXISTS (
    SELECT COUNT(*)
    FROM SEGMENT.PROFILES.TRACKS AS v5
    WHERE v5.segment_id = p.segment_id
      AND v5.event = 'Order Completed'
      AND v5.segment_id IS NOT NULL
      AND v5.timestamp BETWEEN DATEADD(day, -90, SYSDATE()) AND SYSDATE()
      AND (v5.properties['currency'])::STRING = p.preferred_currency
    HAVING COUNT(*) >= 1 AND SUM((v5.properties['total'])::FLOAT) > 50
  )
  AND p.segment_id IN (
    SELECT v6.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v6
    WHERE v6.event = 'Order Completed'
      AND v6.segment_id IS NOT NULL
      AND v6.timestamp BETWEEN DATEADD(hour, -12, SYSDATE()) AND SYSDATE()
    GROUP BY v6.segment_id
    HAVING COUNT(*) >= 1 AND MAX((v6.properties['total'])::FLOAT) >= 10
  )
  AND p.segment_id IN (
    SELECT v7.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v7
    WHERE v7.event = 'Product Viewed'
      AND v7.segment_id IS NOT NULL
    GROUP BY v7.segment_id
    HAVING COUNT(*) >= 1 AND MIN((v7.properties['price'])::FLOAT) < 100
  )
  AND p.segment_id IN (
    SELECT v8.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v8
    WHERE v8.event = 'Product Viewed'
      AND v8.segment_id IS NOT NULL
      AND v8.timestamp BETWEEN DATEADD(day, -7, SYSDATE()) AND SYSDATE()
    GROUP BY v8.segment_id
    HAVING COUNT(*) >= 1 AND AVG((v8.properties['price'])::FLOAT) > 5
  )
  AND NOT EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.TRACKS AS v9
    WHERE v9.segment_id = p.segment_id
      AND v9.event = 'Order Completed'
      AND v9.segment_id IS NOT NULL
      AND v9.timestamp BETWEEN DATEADD(minute, -90, SYSDATE()) AND SYSDATE()
      AND STARTSWITH((v9.properties['coupon'])::STRING, 'FRAUD')
  )
  AND NOT EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.TRACKS AS v10
    WHERE v10.segment_id = p.segment_id
      AND v10.event = 'Order Completed'
      AND v10.segment_id IS NOT NULL
      AND v10.timestamp BETWEEN DATEADD(day, -2, SYSDATE()) AND DATEADD(day, -1, SYSDATE())
  );
