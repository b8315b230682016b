-- b07_part_of: in b02_event_window and not in b01_trait.
SELECT p.segment_id AS member_id
FROM profiles.profile_traits AS p
WHERE p.segment_id IN (
    SELECT segment_id
    FROM profiles.tracks
    WHERE event = 'Order Completed'
      AND timestamp BETWEEN TIMESTAMP '2025-12-16 12:00:00' AND TIMESTAMP '2026-01-15 12:00:00'
      AND (properties ->> 'total')::numeric > 50
      AND properties ->> 'currency' = 'EUR'
    GROUP BY segment_id
    HAVING COUNT(*) >= 3
  )
  AND (p.ltv IS NULL OR p.ltv <= 2500
       OR p.plan IS NULL OR p.plan NOT IN ('pro', 'enterprise')
       OR p.email_opt_out);
