-- audience recent_buyers (audiences/care.lac:20), dialect postgres
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT v1.segment_id
    FROM PROFILES.TRACKS AS v1
    WHERE v1.event = 'Order Completed'
      AND v1.segment_id IS NOT NULL
      AND v1.timestamp BETWEEN ((now() AT TIME ZONE 'UTC') - INTERVAL '30 days') AND (now() AT TIME ZONE 'UTC')
      AND CASE WHEN (v1.properties #>> '{total}') ~ '^-?[0-9]+([.][0-9]+)?([eE][+-]?0*[0-9]{1,4})?$' THEN CAST((v1.properties #>> '{total}') AS NUMERIC) END >= 20
    GROUP BY v1.segment_id
    HAVING COUNT(*) >= 2
  )
  AND NOT COALESCE(p.vip = TRUE, FALSE);
