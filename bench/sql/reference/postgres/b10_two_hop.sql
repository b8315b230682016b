-- b10_two_hop: >= 5 distinct transactions of 100 or more in 60 days over all accounts.
SELECT x.segment_id AS member_id
FROM profiles.external_id_mapping AS x
JOIN profiles.profile_traits AS p ON p.segment_id = x.segment_id
JOIN bank.accounts AS a ON a.owner_user_id = x.external_id_value
JOIN bank.transactions AS t ON t.account_id = a.id
WHERE x.external_id_type = 'user_id'
  AND t.amount >= 100
  AND t.created_at BETWEEN TIMESTAMP '2025-11-16 12:00:00' AND TIMESTAMP '2026-01-15 12:00:00'
GROUP BY x.segment_id
HAVING COUNT(DISTINCT t.id) >= 5;
