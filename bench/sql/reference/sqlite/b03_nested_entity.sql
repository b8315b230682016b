-- b03_nested_entity: one account with an Owly Card and > 1000 spent on it in 90 days.
WITH spenders AS (
  SELECT account_id
  FROM TRANSACTIONS
  WHERE created_at BETWEEN '2025-10-17 12:00:00' AND '2026-01-15 12:00:00'
  GROUP BY account_id
  HAVING SUM(amount) > 1000
)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.segment_id IN (
  SELECT x.segment_id
  FROM EXTERNAL_ID_MAPPING AS x
  JOIN ACCOUNTS AS a ON a.owner_user_id = x.external_id_value
  JOIN spenders AS s ON s.account_id = a.id
  WHERE x.external_id_type = 'user_id'
    AND EXISTS (SELECT 1 FROM CREDIT_CARDS AS c WHERE c.account_id = a.id AND c.name = 'Owly Card')
);
