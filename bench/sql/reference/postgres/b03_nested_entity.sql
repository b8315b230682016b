-- b03_nested_entity: one account with an Owly Card and > 1000 spent on it in 90 days.
WITH spenders AS (
  SELECT account_id
  FROM bank.transactions
  WHERE created_at BETWEEN TIMESTAMP '2025-10-17 12:00:00' AND TIMESTAMP '2026-01-15 12:00:00'
  GROUP BY account_id
  HAVING SUM(amount) > 1000
)
SELECT p.segment_id AS member_id
FROM profiles.profile_traits AS p
WHERE p.segment_id IN (
  SELECT x.segment_id
  FROM profiles.external_id_mapping AS x
  JOIN bank.accounts AS a ON a.owner_user_id = x.external_id_value
  JOIN spenders AS s ON s.account_id = a.id
  WHERE x.external_id_type = 'user_id'
    AND EXISTS (SELECT 1 FROM bank.credit_cards AS c WHERE c.account_id = a.id AND c.name = 'Owly Card')
);
