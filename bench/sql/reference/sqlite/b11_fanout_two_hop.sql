-- b11_fanout_two_hop: >= 140 equity positions over all of the profile's wallets.
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.segment_id IN (
  SELECT x.segment_id
  FROM EXTERNAL_ID_MAPPING AS x
  JOIN WALLETS AS w ON w.owner_user_id = x.external_id_value
  JOIN POSITIONS AS q ON q.wallet_id = w.id
  WHERE x.external_id_type = 'user_id'
    AND q.id IS NOT NULL
    AND q.asset_class = 'equity'
  GROUP BY x.segment_id
  HAVING COUNT(DISTINCT q.id) >= 140
);
