-- audience enterprise_accounts (audiences/accounts.lac:3), dialect sqlite
-- membership: one row per member (target entity primary key)
SELECT t.id AS member_id
FROM ACCOUNTS AS t
WHERE t.id IN (
    SELECT e2.id
    FROM PROFILE_TRAITS AS p1
    JOIN ACCOUNTS AS e2 ON e2.id = p1.account_id
    WHERE e2.id IS NOT NULL
  )
  AND t.plan = 'enterprise'
  AND t.id IN (
    SELECT e3.account_id
    FROM SUBSCRIPTIONS AS e3
    WHERE e3.account_id IS NOT NULL
      AND e3.status = 'past_due'
  )
  AND t.id IN (
    SELECT e5.id
    FROM PROFILE_TRAITS AS p4
    JOIN ACCOUNTS AS e5 ON e5.id = p4.account_id
    WHERE e5.id IS NOT NULL
      AND p4.vip = TRUE
  );
