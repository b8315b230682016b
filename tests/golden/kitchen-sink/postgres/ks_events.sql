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
      AND CASE WHEN (v2.properties #>> '{total}') ~ '^-?[0-9]+([.][0-9]+)?([eE][+-]?0*[0-9]{1,4})?$' THEN CAST((v2.properties #>> '{total}') AS NUMERIC) END > 20
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
        CASE WHEN (v4.properties #>> '{price}') ~ '^-?[0-9]+([.][0-9]+)?([eE][+-]?0*[0-9]{1,4})?$' THEN CAST((v4.properties #>> '{price}') AS NUMERIC) END >= 10
        AND CASE WHEN jsonb_typeof(to_jsonb(v4.properties #> '{category}')) IN ('string', 'number', 'boolean') THEN (v4.properties #>> '{category}') END <> 'food'
      )
  )
  AND EXISTS (
    SELECT COUNT(*)
    FROM PROFILES.TRACKS AS v5
    WHERE v5.segment_id = p.segment_id
      AND v5.event = 'Order Completed'
      AND v5.segment_id IS NOT NULL
      AND v5.timestamp BETWEEN ((now() AT TIME ZONE 'UTC') - INTERVAL '90 days') AND (now() AT TIME ZONE 'UTC')
      AND CASE WHEN jsonb_typeof(to_jsonb(v5.properties #> '{currency}')) IN ('string', 'number', 'boolean') THEN (v5.properties #>> '{currency}') END = p.preferred_currency
    HAVING COUNT(*) >= 1 AND SUM(CASE WHEN (v5.properties #>> '{total}') ~ '^-?[0-9]+([.][0-9]+)?([eE][+-]?0*[0-9]{1,4})?$' THEN CAST((v5.properties #>> '{total}') AS NUMERIC) END) > 50
  )
  AND p.segment_id IN (
    SELECT v6.segment_id
    FROM PROFILES.TRACKS AS v6
    WHERE v6.event = 'Order Completed'
      AND v6.segment_id IS NOT NULL
      AND v6.timestamp BETWEEN ((now() AT TIME ZONE 'UTC') - INTERVAL '12 hours') AND (now() AT TIME ZONE 'UTC')
    GROUP BY v6.segment_id
    HAVING COUNT(*) >= 1 AND MAX(CASE WHEN (v6.properties #>> '{total}') ~ '^-?[0-9]+([.][0-9]+)?([eE][+-]?0*[0-9]{1,4})?$' THEN CAST((v6.properties #>> '{total}') AS NUMERIC) END) >= 10
  )
  AND p.segment_id IN (
    SELECT v7.segment_id
    FROM PROFILES.TRACKS AS v7
    WHERE v7.event = 'Product Viewed'
      AND v7.segment_id IS NOT NULL
    GROUP BY v7.segment_id
    HAVING COUNT(*) >= 1 AND MIN(CASE WHEN (v7.properties #>> '{price}') ~ '^-?[0-9]+([.][0-9]+)?([eE][+-]?0*[0-9]{1,4})?$' THEN CAST((v7.properties #>> '{price}') AS NUMERIC) END) < 100
  )
  AND p.segment_id IN (
    SELECT v8.segment_id
    FROM PROFILES.TRACKS AS v8
    WHERE v8.event = 'Product Viewed'
      AND v8.segment_id IS NOT NULL
      AND v8.timestamp BETWEEN ((now() AT TIME ZONE 'UTC') - INTERVAL '7 days') AND (now() AT TIME ZONE 'UTC')
    GROUP BY v8.segment_id
    HAVING COUNT(*) >= 1 AND AVG(CASE WHEN (v8.properties #>> '{price}') ~ '^-?[0-9]+([.][0-9]+)?([eE][+-]?0*[0-9]{1,4})?$' THEN CAST((v8.properties #>> '{price}') AS NUMERIC) END) > 5
  )
  AND NOT EXISTS (
    SELECT 1
    FROM PROFILES.TRACKS AS v9
    WHERE v9.segment_id = p.segment_id
      AND v9.event = 'Order Completed'
      AND v9.segment_id IS NOT NULL
      AND v9.timestamp BETWEEN ((now() AT TIME ZONE 'UTC') - INTERVAL '90 minutes') AND (now() AT TIME ZONE 'UTC')
      AND starts_with(CASE WHEN jsonb_typeof(to_jsonb(v9.properties #> '{coupon}')) IN ('string', 'number', 'boolean') THEN (v9.properties #>> '{coupon}') END, 'FRAUD')
  )
  AND NOT EXISTS (
    SELECT 1
    FROM PROFILES.TRACKS AS v10
    WHERE v10.segment_id = p.segment_id
      AND v10.event = 'Order Completed'
      AND v10.segment_id IS NOT NULL
      AND v10.timestamp BETWEEN ((now() AT TIME ZONE 'UTC') - INTERVAL '2 days') AND ((now() AT TIME ZONE 'UTC') - INTERVAL '1 day')
  );
