-- b15_fanout_siblings: three counts over the wallets in one grouped scan:
-- per wallet, its positions' quantity and its trades, pre-aggregated.
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.segment_id IN (
  SELECT x.segment_id
  FROM (
    SELECT DISTINCT segment_id, external_id_value
    FROM EXTERNAL_ID_MAPPING
    WHERE external_id_type = 'user_id'
      AND external_id_value IN (SELECT owner_user_id FROM WALLETS)
  ) AS x
  JOIN WALLETS AS w ON w.owner_user_id = x.external_id_value
  LEFT JOIN (
    SELECT wallet_id, SUM(quantity) AS qty
    FROM POSITIONS
    WHERE id IS NOT NULL
    GROUP BY wallet_id
  ) AS pq ON pq.wallet_id = w.id
  LEFT JOIN (
    SELECT q.wallet_id, COUNT(*) AS n
    FROM POSITIONS AS q
    JOIN TRADES AS t ON t.position_id = q.id
    WHERE t.id IS NOT NULL
    GROUP BY q.wallet_id
  ) AS tq ON tq.wallet_id = w.id
  WHERE w.id IS NOT NULL
  GROUP BY x.segment_id
  HAVING COUNT(*) >= 3
    AND SUM(pq.qty) > 60000
    AND SUM(tq.n) >= 500
);
