-- b02_event_window: >= 3 EUR orders over 50 in the 30 days up to now.
SELECT p.segment_id AS member_id
FROM profiles.profile_traits AS p
JOIN (
  SELECT segment_id
  FROM profiles.tracks
  WHERE event = 'Order Completed'
    AND timestamp BETWEEN TIMESTAMP '2025-12-16 12:00:00' AND TIMESTAMP '2026-01-15 12:00:00'
    AND (properties ->> 'total')::numeric > 50
    AND properties ->> 'currency' = 'EUR'
  GROUP BY segment_id
  HAVING COUNT(*) >= 3
) AS o ON o.segment_id = p.segment_id;
