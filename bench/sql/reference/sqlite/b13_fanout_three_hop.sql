-- b13_fanout_three_hop: >= 35 buy trades in the last 30 days, three hops down.
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.segment_id IN (
  SELECT x.segment_id
  FROM EXTERNAL_ID_MAPPING AS x
  JOIN WALLETS AS w ON w.owner_user_id = x.external_id_value
  JOIN POSITIONS AS q ON q.wallet_id = w.id
  JOIN TRADES AS t ON t.position_id = q.id
  WHERE x.external_id_type = 'user_id'
    AND t.id IS NOT NULL
    AND t.side = 'buy'
    AND t.executed_at BETWEEN '2025-12-16 12:00:00' AND '2026-01-15 12:00:00'
  GROUP BY x.segment_id
  HAVING COUNT(DISTINCT t.id) >= 35
);
