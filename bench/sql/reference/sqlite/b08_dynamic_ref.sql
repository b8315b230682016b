-- b08_dynamic_ref: a transaction above its account's credit limit in 30 days.
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.segment_id IN (
  SELECT x.segment_id
  FROM EXTERNAL_ID_MAPPING AS x
  JOIN ACCOUNTS AS a ON a.owner_user_id = x.external_id_value
  JOIN TRANSACTIONS AS t ON t.account_id = a.id
  WHERE x.external_id_type = 'user_id'
    AND t.created_at BETWEEN '2025-12-16 12:00:00' AND '2026-01-15 12:00:00'
    AND t.amount > a.credit_limit
);
