-- audience ks_event_exact (audiences/conditions.lac:62), dialect postgres
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT v1.segment_id
    FROM PROFILES.TRACKS AS v1
    WHERE v1.event = 'Signed Up'
      AND v1.segment_id IS NOT NULL
      AND (
        CASE WHEN jsonb_typeof(to_jsonb(v1.properties #> '{method}')) IN ('string', 'number', 'boolean') THEN (v1.properties #>> '{method}') END = 'email'
        OR CASE WHEN jsonb_typeof(to_jsonb(v1.properties #> '{referrer}')) IN ('string', 'number', 'boolean') THEN (v1.properties #>> '{referrer}') END IS NOT NULL
      )
    GROUP BY v1.segment_id
    HAVING COUNT(*) = 1
  );
