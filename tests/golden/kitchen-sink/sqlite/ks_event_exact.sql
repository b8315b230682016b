-- audience ks_event_exact (audiences/conditions.lac:62), dialect sqlite
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT v1.segment_id
    FROM TRACKS AS v1
    WHERE v1.event = 'Signed Up'
      AND v1.segment_id IS NOT NULL
      AND (
        CASE json_type(v1.properties, '$.method') WHEN 'text' THEN json_extract(v1.properties, '$.method') WHEN 'integer' THEN trim(v1.properties -> '$.method', '"') WHEN 'real' THEN trim(v1.properties -> '$.method', '"') WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END = 'email'
        OR CASE json_type(v1.properties, '$.referrer') WHEN 'text' THEN json_extract(v1.properties, '$.referrer') WHEN 'integer' THEN trim(v1.properties -> '$.referrer', '"') WHEN 'real' THEN trim(v1.properties -> '$.referrer', '"') WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END IS NOT NULL
      )
    GROUP BY v1.segment_id
    HAVING COUNT(*) = 1
  );
