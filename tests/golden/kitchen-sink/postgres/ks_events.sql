-- audience ks_events (audiences/conditions.lac:46), dialect postgres
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT v1.segment_id
    FROM PROFILES.TRACKS AS v1
    WHERE v1.event = 'Signed Up'
      AND v1.segment_id IS NOT NULL
  )
  AND p.segment_id IN (
    SELECT v2.segment_id
    FROM PROFILES.TRACKS AS v2
    WHERE v2.event = 'Order Completed'
      AND v2.segment_id IS NOT NULL
      AND v2.timestamp BETWEEN ((now() AT TIME ZONE 'UTC') - INTERVAL '30 days') AND (now() AT TIME ZONE 'UTC')
      AND CAST((v2.properties ->> 'total') AS NUMERIC) > 20
    GROUP BY v2.segment_id
    HAVING COUNT(*) >= 2
  )
  AND NOT COALESCE(p.segment_id IN (
    SELECT v3.segment_id
    FROM PROFILES.TRACKS AS v3
    WHERE v3.event = 'Order Completed'
      AND v3.segment_id IS NOT NULL
      AND v3.timestamp BETWEEN ((now() AT TIME ZONE 'UTC') - INTERVAL '14 days') AND (now() AT TIME ZONE 'UTC')
    GROUP BY v3.segment_id
    HAVING NOT (COUNT(*) <= 10)
  ), FALSE)
  AND p.segment_id IN (
    SELECT v4.segment_id
    FROM PROFILES.TRACKS AS v4
    WHERE v4.event = 'Product Viewed'
      AND v4.segment_id IS NOT NULL
      AND v4.timestamp BETWEEN ((now() AT TIME ZONE 'UTC') - INTERVAL '30 days') AND ((now() AT TIME ZONE 'UTC') - INTERVAL '7 days')
      AND (
        CAST((v4.properties ->> 'price') AS NUMERIC) >= 10
        AND (v4.properties ->> 'category') <> 'food'
      )
  )
  AND EXISTS (
    SELECT COUNT(*)
    FROM PROFILES.TRACKS AS v5
    WHERE v5.segment_id = p.segment_id
      AND v5.event = 'Order Completed'
      AND v5.segment_id IS NOT NULL
      AND v5.timestamp BETWEEN ((now() AT TIME ZONE 'UTC') - INTERVAL '90 days') AND (now() AT TIME ZONE 'UTC')
      AND (v5.properties ->> 'currency') = p.preferred_currency
    HAVING COUNT(*) >= 1 AND SUM(CAST((v5.properties ->> 'total') AS NUMERIC)) > 50
  )
  AND p.segment_id IN (
    SELECT v6.segment_id
    FROM PROFILES.TRACKS AS v6
    WHERE v6.event = 'Order Completed'
      AND v6.segment_id IS NOT NULL
      AND v6.timestamp BETWEEN ((now() AT TIME ZONE 'UTC') - INTERVAL '12 hours') AND (now() AT TIME ZONE 'UTC')
    GROUP BY v6.segment_id
    HAVING COUNT(*) >= 1 AND MAX(CAST((v6.properties ->> 'total') AS NUMERIC)) >= 10
  )
  AND p.segment_id IN (
    SELECT v7.segment_id
    FROM PROFILES.TRACKS AS v7
    WHERE v7.event = 'Product Viewed'
      AND v7.segment_id IS NOT NULL
    GROUP BY v7.segment_id
    HAVING COUNT(*) >= 1 AND MIN(CAST((v7.properties ->> 'price') AS NUMERIC)) < 100
  )
  AND p.segment_id IN (
    SELECT v8.segment_id
    FROM PROFILES.TRACKS AS v8
    WHERE v8.event = 'Product Viewed'
      AND v8.segment_id IS NOT NULL
      AND v8.timestamp BETWEEN ((now() AT TIME ZONE 'UTC') - INTERVAL '7 days') AND (now() AT TIME ZONE 'UTC')
    GROUP BY v8.segment_id
    HAVING COUNT(*) >= 1 AND AVG(CAST((v8.properties ->> 'price') AS NUMERIC)) > 5
  )
  AND NOT EXISTS (
    SELECT 1
    FROM PROFILES.TRACKS AS v9
    WHERE v9.segment_id = p.segment_id
      AND v9.event = 'Order Completed'
      AND v9.segment_id IS NOT NULL
      AND v9.timestamp BETWEEN ((now() AT TIME ZONE 'UTC') - INTERVAL '90 minutes') AND (now() AT TIME ZONE 'UTC')
      AND starts_with((v9.properties ->> 'coupon'), 'FRAUD')
  )
  AND NOT EXISTS (
    SELECT 1
    FROM PROFILES.TRACKS AS v10
    WHERE v10.segment_id = p.segment_id
      AND v10.event = 'Order Completed'
      AND v10.segment_id IS NOT NULL
      AND v10.timestamp BETWEEN ((now() AT TIME ZONE 'UTC') - INTERVAL '2 days') AND ((now() AT TIME ZONE 'UTC') - INTERVAL '1 day')
  );
