-- audience recent_buyers (audiences/care.lac:20), dialect snowflake
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT v1.segment_id
    FROM SEGMENT.PROFILES.TRACKS AS v1
    WHERE v1.event = 'Order Completed'
      AND v1.segment_id IS NOT NULL
      AND v1.timestamp BETWEEN DATEADD(day, -30, SYSDATE()) AND SYSDATE()
      AND CASE WHEN REGEXP_LIKE((v1.properties['total'])::STRING, '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') THEN TRY_TO_DOUBLE((v1.properties['total'])::STRING) END >= 20
    GROUP BY v1.segment_id
    HAVING COUNT(*) >= 2
  )
  AND NOT COALESCE(p.vip = TRUE, FALSE);
