-- b14_fanout_three_hop_having: sell trades summing over 80000, each trade once.
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
  JOIN POSITIONS AS q ON q.wallet_id = w.id
  JOIN TRADES AS t ON t.position_id = q.id
  WHERE t.id IS NOT NULL
    AND t.side = 'sell'
  GROUP BY x.segment_id
  HAVING SUM(t.amount) > 80000
);
