-- b12_fanout_having: bond quantity over 14000, each position once (the
-- mapping has duplicate rows: read the user ids that own a wallet once each).
SELECT p.segment_id AS member_id
FROM profiles.profile_traits AS p
WHERE p.segment_id IN (
  SELECT x.segment_id
  FROM (
    SELECT DISTINCT segment_id, external_id_value
    FROM profiles.external_id_mapping
    WHERE external_id_type = 'user_id'
      AND external_id_value IN (SELECT owner_user_id FROM bank.wallets)
  ) AS x
  JOIN bank.wallets AS w ON w.owner_user_id = x.external_id_value
  JOIN bank.positions AS q ON q.wallet_id = w.id
  WHERE q.id IS NOT NULL
    AND q.asset_class = 'bond'
  GROUP BY x.segment_id
  HAVING SUM(q.quantity) > 14000
);
