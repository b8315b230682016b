-- b04_counts: two accounts or more and no credit card on any of them, in one pass.
SELECT p.segment_id AS member_id
FROM profiles.profile_traits AS p
JOIN (
  SELECT x.segment_id, COUNT(DISTINCT a.id) AS n_accounts, COUNT(c.id) AS n_cards
  FROM profiles.external_id_mapping AS x
  JOIN bank.accounts AS a ON a.owner_user_id = x.external_id_value
  LEFT JOIN bank.credit_cards AS c ON c.account_id = a.id
  WHERE x.external_id_type = 'user_id'
  GROUP BY x.segment_id
) AS s ON s.segment_id = p.segment_id
WHERE s.n_accounts >= 2
  AND s.n_cards = 0;
