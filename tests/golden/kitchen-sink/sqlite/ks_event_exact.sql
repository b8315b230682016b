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
        CASE json_type(CASE WHEN json_valid(v1.properties) THEN v1.properties END, '$.method') WHEN 'text' THEN json_extract(CASE WHEN json_valid(v1.properties) THEN v1.properties END, '$.method') WHEN 'integer' THEN trim(CASE WHEN json_valid(v1.properties) THEN v1.properties END -> '$.method', '"') WHEN 'real' THEN CAST(json_extract(CASE WHEN json_valid(v1.properties) THEN v1.properties END, '$.method') AS TEXT) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END = 'email'
        OR CASE json_type(CASE WHEN json_valid(v1.properties) THEN v1.properties END, '$.referrer') WHEN 'text' THEN json_extract(CASE WHEN json_valid(v1.properties) THEN v1.properties END, '$.referrer') WHEN 'integer' THEN trim(CASE WHEN json_valid(v1.properties) THEN v1.properties END -> '$.referrer', '"') WHEN 'real' THEN CAST(json_extract(CASE WHEN json_valid(v1.properties) THEN v1.properties END, '$.referrer') AS TEXT) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END IS NOT NULL
      )
    GROUP BY v1.segment_id
    HAVING COUNT(*) = 1
  );
