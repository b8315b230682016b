-- audience recent_buyers (audiences/care.lac:20), dialect sqlite
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT v1.segment_id
    FROM TRACKS AS v1
    WHERE v1.event = 'Order Completed'
      AND v1.segment_id IS NOT NULL
      AND v1.timestamp >= date(julianday('now', '-30 days')) AND v1.timestamp < date(julianday('now'), '+1 days') AND julianday(v1.timestamp) BETWEEN julianday('now', '-30 days') AND julianday('now')
      AND CASE WHEN trim(CASE WHEN json_valid(v1.properties) THEN v1.properties END -> '$.total', '"') NOT GLOB '*[^0-9.eE+-]*' AND json_valid(replace(replace('[' || trim(CASE WHEN json_valid(v1.properties) THEN v1.properties END -> '$.total', '"') || ',0]', '[0', '[1'), '[-0', '[-1')) THEN CAST(trim(CASE WHEN json_valid(v1.properties) THEN v1.properties END -> '$.total', '"') AS REAL) END >= 20
    GROUP BY v1.segment_id
    HAVING COUNT(*) >= 2
  )
  AND NOT COALESCE(p.vip = TRUE, FALSE);
