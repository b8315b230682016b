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
      AND CASE WHEN trim(CASE WHEN json_valid(v2.properties) THEN v2.properties END -> '$.total', '"') NOT GLOB '*[^0-9.eE+-]*' AND json_valid(replace(replace('[' || trim(CASE WHEN json_valid(v2.properties) THEN v2.properties END -> '$.total', '"') || ',0]', '[0', '[1'), '[-0', '[-1')) THEN CAST(trim(CASE WHEN json_valid(v2.properties) THEN v2.properties END -> '$.total', '"') AS REAL) END > 20
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
        CASE WHEN trim(CASE WHEN json_valid(v4.properties) THEN v4.properties END -> '$.price', '"') NOT GLOB '*[^0-9.eE+-]*' AND json_valid(replace(replace('[' || trim(CASE WHEN json_valid(v4.properties) THEN v4.properties END -> '$.price', '"') || ',0]', '[0', '[1'), '[-0', '[-1')) THEN CAST(trim(CASE WHEN json_valid(v4.properties) THEN v4.properties END -> '$.price', '"') AS REAL) END >= 10
        AND CASE json_type(CASE WHEN json_valid(v4.properties) THEN v4.properties END, '$.category') WHEN 'text' THEN json_extract(CASE WHEN json_valid(v4.properties) THEN v4.properties END, '$.category') WHEN 'integer' THEN trim(CASE WHEN json_valid(v4.properties) THEN v4.properties END -> '$.category', '"') WHEN 'real' THEN CAST(json_extract(CASE WHEN json_valid(v4.properties) THEN v4.properties END, '$.category') AS TEXT) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END <> 'food'
      )
  )
  AND EXISTS (
    SELECT COUNT(*)
    FROM TRACKS AS v5
    WHERE v5.segment_id = p.segment_id
      AND v5.event = 'Order Completed'
      AND v5.segment_id IS NOT NULL
      AND v5.timestamp >= date(julianday('now', '-90 days')) AND v5.timestamp < date(julianday('now'), '+1 days') AND julianday(v5.timestamp) BETWEEN julianday('now', '-90 days') AND julianday('now')
      AND CASE json_type(CASE WHEN json_valid(v5.properties) THEN v5.properties END, '$.currency') WHEN 'text' THEN json_extract(CASE WHEN json_valid(v5.properties) THEN v5.properties END, '$.currency') WHEN 'integer' THEN trim(CASE WHEN json_valid(v5.properties) THEN v5.properties END -> '$.currency', '"') WHEN 'real' THEN CAST(json_extract(CASE WHEN json_valid(v5.properties) THEN v5.properties END, '$.currency') AS TEXT) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END = p.preferred_currency
    HAVING COUNT(*) >= 1 AND SUM(CASE WHEN trim(CASE WHEN json_valid(v5.properties) THEN v5.properties END -> '$.total', '"') NOT GLOB '*[^0-9.eE+-]*' AND json_valid(replace(replace('[' || trim(CASE WHEN json_valid(v5.properties) THEN v5.properties END -> '$.total', '"') || ',0]', '[0', '[1'), '[-0', '[-1')) THEN CAST(trim(CASE WHEN json_valid(v5.properties) THEN v5.properties END -> '$.total', '"') AS REAL) END) > 50
  )
  AND p.segment_id IN (
    SELECT v6.segment_id
    FROM TRACKS AS v6
    WHERE v6.event = 'Order Completed'
      AND v6.segment_id IS NOT NULL
      AND v6.timestamp >= date(julianday('now', '-12 hours')) AND v6.timestamp < date(julianday('now'), '+1 days') AND julianday(v6.timestamp) BETWEEN julianday('now', '-12 hours') AND julianday('now')
    GROUP BY v6.segment_id
    HAVING COUNT(*) >= 1 AND MAX(CASE WHEN trim(CASE WHEN json_valid(v6.properties) THEN v6.properties END -> '$.total', '"') NOT GLOB '*[^0-9.eE+-]*' AND json_valid(replace(replace('[' || trim(CASE WHEN json_valid(v6.properties) THEN v6.properties END -> '$.total', '"') || ',0]', '[0', '[1'), '[-0', '[-1')) THEN CAST(trim(CASE WHEN json_valid(v6.properties) THEN v6.properties END -> '$.total', '"') AS REAL) END) >= 10
  )
  AND p.segment_id IN (
    SELECT v7.segment_id
    FROM TRACKS AS v7
    WHERE v7.event = 'Product Viewed'
      AND v7.segment_id IS NOT NULL
    GROUP BY v7.segment_id
    HAVING COUNT(*) >= 1 AND MIN(CASE WHEN trim(CASE WHEN json_valid(v7.properties) THEN v7.properties END -> '$.price', '"') NOT GLOB '*[^0-9.eE+-]*' AND json_valid(replace(replace('[' || trim(CASE WHEN json_valid(v7.properties) THEN v7.properties END -> '$.price', '"') || ',0]', '[0', '[1'), '[-0', '[-1')) THEN CAST(trim(CASE WHEN json_valid(v7.properties) THEN v7.properties END -> '$.price', '"') AS REAL) END) < 100
  )
  AND p.segment_id IN (
    SELECT v8.segment_id
    FROM TRACKS AS v8
    WHERE v8.event = 'Product Viewed'
      AND v8.segment_id IS NOT NULL
      AND v8.timestamp >= date(julianday('now', '-7 days')) AND v8.timestamp < date(julianday('now'), '+1 days') AND julianday(v8.timestamp) BETWEEN julianday('now', '-7 days') AND julianday('now')
    GROUP BY v8.segment_id
    HAVING COUNT(*) >= 1 AND AVG(CASE WHEN trim(CASE WHEN json_valid(v8.properties) THEN v8.properties END -> '$.price', '"') NOT GLOB '*[^0-9.eE+-]*' AND json_valid(replace(replace('[' || trim(CASE WHEN json_valid(v8.properties) THEN v8.properties END -> '$.price', '"') || ',0]', '[0', '[1'), '[-0', '[-1')) THEN CAST(trim(CASE WHEN json_valid(v8.properties) THEN v8.properties END -> '$.price', '"') AS REAL) END) > 5
  )
  AND NOT EXISTS (
    SELECT 1
    FROM TRACKS AS v9
    WHERE v9.segment_id = p.segment_id
      AND v9.event = 'Order Completed'
      AND v9.segment_id IS NOT NULL
      AND v9.timestamp >= date(julianday('now', '-90 minutes')) AND v9.timestamp < date(julianday('now'), '+1 days') AND julianday(v9.timestamp) BETWEEN julianday('now', '-90 minutes') AND julianday('now')
      AND substr(CASE json_type(CASE WHEN json_valid(v9.properties) THEN v9.properties END, '$.coupon') WHEN 'text' THEN json_extract(CASE WHEN json_valid(v9.properties) THEN v9.properties END, '$.coupon') WHEN 'integer' THEN trim(CASE WHEN json_valid(v9.properties) THEN v9.properties END -> '$.coupon', '"') WHEN 'real' THEN CAST(json_extract(CASE WHEN json_valid(v9.properties) THEN v9.properties END, '$.coupon') AS TEXT) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END, 1, length('FRAUD')) = 'FRAUD'
  )
  AND NOT EXISTS (
    SELECT 1
    FROM TRACKS AS v10
    WHERE v10.segment_id = p.segment_id
      AND v10.event = 'Order Completed'
      AND v10.segment_id IS NOT NULL
      AND v10.timestamp >= date(julianday('now', '-2 days')) AND v10.timestamp < date(julianday('now', '-1 days'), '+1 days') AND julianday(v10.timestamp) BETWEEN julianday('now', '-2 days') AND julianday('now', '-1 days')
  );
