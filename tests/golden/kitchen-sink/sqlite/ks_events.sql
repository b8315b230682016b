-- audience ks_events (audiences/conditions.lac:46), dialect sqlite
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT v1.segment_id
    FROM TRACKS AS v1
    WHERE v1.event = 'Signed Up'
      AND v1.segment_id IS NOT NULL
  )
  AND p.segment_id IN (
    SELECT v2.segment_id
    FROM TRACKS AS v2
    WHERE v2.event = 'Order Completed'
      AND v2.segment_id IS NOT NULL
      AND v2.timestamp >= date(julianday('now', '-30 days')) AND v2.timestamp < date(julianday('now'), '+1 days') AND julianday(v2.timestamp) BETWEEN julianday('now', '-30 days') AND julianday('now')
      AND CASE WHEN trim(v2.properties -> '$.total', '"') NOT GLOB '*[^0-9.eE+-]*' AND json_valid(replace(replace('[' || trim(v2.properties -> '$.total', '"') || ',0]', '[0', '[1'), '[-0', '[-1')) THEN CAST(trim(v2.properties -> '$.total', '"') AS REAL) END > 20
    GROUP BY v2.segment_id
    HAVING COUNT(*) >= 2
  )
  AND NOT COALESCE(p.segment_id IN (
    SELECT v3.segment_id
    FROM TRACKS AS v3
    WHERE v3.event = 'Order Completed'
      AND v3.segment_id IS NOT NULL
      AND v3.timestamp >= date(julianday('now', '-14 days')) AND v3.timestamp < date(julianday('now'), '+1 days') AND julianday(v3.timestamp) BETWEEN julianday('now', '-14 days') AND julianday('now')
    GROUP BY v3.segment_id
    HAVING NOT (COUNT(*) <= 10)
  ), FALSE)
  AND p.segment_id IN (
    SELECT v4.segment_id
    FROM TRACKS AS v4
    WHERE v4.event = 'Product Viewed'
      AND v4.segment_id IS NOT NULL
      AND v4.timestamp >= date(julianday('now', '-30 days')) AND v4.timestamp < date(julianday('now', '-7 days'), '+1 days') AND julianday(v4.timestamp) BETWEEN julianday('now', '-30 days') AND julianday('now', '-7 days')
      AND (
        CASE WHEN trim(v4.properties -> '$.price', '"') NOT GLOB '*[^0-9.eE+-]*' AND json_valid(replace(replace('[' || trim(v4.properties -> '$.price', '"') || ',0]', '[0', '[1'), '[-0', '[-1')) THEN CAST(trim(v4.properties -> '$.price', '"') AS REAL) END >= 10
        AND CASE json_type(v4.properties, '$.category') WHEN 'text' THEN json_extract(v4.properties, '$.category') WHEN 'integer' THEN trim(v4.properties -> '$.category', '"') WHEN 'real' THEN trim(v4.properties -> '$.category', '"') WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END <> 'food'
      )
  )
  AND EXISTS (
    SELECT COUNT(*)
    FROM TRACKS AS v5
    WHERE v5.segment_id = p.segment_id
      AND v5.event = 'Order Completed'
      AND v5.segment_id IS NOT NULL
      AND v5.timestamp >= date(julianday('now', '-90 days')) AND v5.timestamp < date(julianday('now'), '+1 days') AND julianday(v5.timestamp) BETWEEN julianday('now', '-90 days') AND julianday('now')
      AND CASE json_type(v5.properties, '$.currency') WHEN 'text' THEN json_extract(v5.properties, '$.currency') WHEN 'integer' THEN trim(v5.properties -> '$.currency', '"') WHEN 'real' THEN trim(v5.properties -> '$.currency', '"') WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END = p.preferred_currency
    HAVING COUNT(*) >= 1 AND SUM(CASE WHEN trim(v5.properties -> '$.total', '"') NOT GLOB '*[^0-9.eE+-]*' AND json_valid(replace(replace('[' || trim(v5.properties -> '$.total', '"') || ',0]', '[0', '[1'), '[-0', '[-1')) THEN CAST(trim(v5.properties -> '$.total', '"') AS REAL) END) > 50
  )
  AND p.segment_id IN (
    SELECT v6.segment_id
    FROM TRACKS AS v6
    WHERE v6.event = 'Order Completed'
      AND v6.segment_id IS NOT NULL
      AND v6.timestamp >= date(julianday('now', '-12 hours')) AND v6.timestamp < date(julianday('now'), '+1 days') AND julianday(v6.timestamp) BETWEEN julianday('now', '-12 hours') AND julianday('now')
    GROUP BY v6.segment_id
    HAVING COUNT(*) >= 1 AND MAX(CASE WHEN trim(v6.properties -> '$.total', '"') NOT GLOB '*[^0-9.eE+-]*' AND json_valid(replace(replace('[' || trim(v6.properties -> '$.total', '"') || ',0]', '[0', '[1'), '[-0', '[-1')) THEN CAST(trim(v6.properties -> '$.total', '"') AS REAL) END) >= 10
  )
  AND p.segment_id IN (
    SELECT v7.segment_id
    FROM TRACKS AS v7
    WHERE v7.event = 'Product Viewed'
      AND v7.segment_id IS NOT NULL
    GROUP BY v7.segment_id
    HAVING COUNT(*) >= 1 AND MIN(CASE WHEN trim(v7.properties -> '$.price', '"') NOT GLOB '*[^0-9.eE+-]*' AND json_valid(replace(replace('[' || trim(v7.properties -> '$.price', '"') || ',0]', '[0', '[1'), '[-0', '[-1')) THEN CAST(trim(v7.properties -> '$.price', '"') AS REAL) END) < 100
  )
  AND p.segment_id IN (
    SELECT v8.segment_id
    FROM TRACKS AS v8
    WHERE v8.event = 'Product Viewed'
      AND v8.segment_id IS NOT NULL
      AND v8.timestamp >= date(julianday('now', '-7 days')) AND v8.timestamp < date(julianday('now'), '+1 days') AND julianday(v8.timestamp) BETWEEN julianday('now', '-7 days') AND julianday('now')
    GROUP BY v8.segment_id
    HAVING COUNT(*) >= 1 AND AVG(CASE WHEN trim(v8.properties -> '$.price', '"') NOT GLOB '*[^0-9.eE+-]*' AND json_valid(replace(replace('[' || trim(v8.properties -> '$.price', '"') || ',0]', '[0', '[1'), '[-0', '[-1')) THEN CAST(trim(v8.properties -> '$.price', '"') AS REAL) END) > 5
  )
  AND NOT EXISTS (
    SELECT 1
    FROM TRACKS AS v9
    WHERE v9.segment_id = p.segment_id
      AND v9.event = 'Order Completed'
      AND v9.segment_id IS NOT NULL
      AND v9.timestamp >= date(julianday('now', '-90 minutes')) AND v9.timestamp < date(julianday('now'), '+1 days') AND julianday(v9.timestamp) BETWEEN julianday('now', '-90 minutes') AND julianday('now')
      AND substr(CASE json_type(v9.properties, '$.coupon') WHEN 'text' THEN json_extract(v9.properties, '$.coupon') WHEN 'integer' THEN trim(v9.properties -> '$.coupon', '"') WHEN 'real' THEN trim(v9.properties -> '$.coupon', '"') WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END, 1, length('FRAUD')) = 'FRAUD'
  )
  AND NOT EXISTS (
    SELECT 1
    FROM TRACKS AS v10
    WHERE v10.segment_id = p.segment_id
      AND v10.event = 'Order Completed'
      AND v10.segment_id IS NOT NULL
      AND v10.timestamp >= date(julianday('now', '-2 days')) AND v10.timestamp < date(julianday('now', '-1 days'), '+1 days') AND julianday(v10.timestamp) BETWEEN julianday('now', '-2 days') AND julianday('now', '-1 days')
  );
