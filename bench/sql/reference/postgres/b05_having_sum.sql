-- b05_having_sum: order totals over 1500 in the last 180 days.
SELECT p.segment_id AS member_id
FROM profiles.profile_traits AS p
JOIN (
  SELECT segment_id
  FROM profiles.tracks
  WHERE event = 'Order Completed'
    AND timestamp BETWEEN TIMESTAMP '2025-07-19 12:00:00' AND TIMESTAMP '2026-01-15 12:00:00'
  GROUP BY segment_id
  HAVING SUM((properties ->> 'total')::numeric) > 1500
) AS o ON o.segment_id = p.segment_id;
