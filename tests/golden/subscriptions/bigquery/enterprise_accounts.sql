-- audience enterprise_accounts (audiences/accounts.lac:3), dialect bigquery
-- membership: one row per member (target entity primary key)
SELECT t.id AS member_id
FROM BILLING.CORE.ACCOUNTS AS t
WHERE t.id IN (
    SELECT e2.id
    FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p1
    JOIN BILLING.CORE.ACCOUNTS AS e2 ON e2.id = p1.account_id
    WHERE e2.id IS NOT NULL
  )
  AND t.plan = 'enterprise'
  AND t.id IN (
    SELECT e3.account_id
    FROM BILLING.CORE.SUBSCRIPTIONS AS e3
    WHERE e3.account_id IS NOT NULL
      AND e3.status = 'past_due'
  )
  AND t.id IN (
    SELECT e5.id
    FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p4
    JOIN BILLING.CORE.ACCOUNTS AS e5 ON e5.id = p4.account_id
    WHERE e5.id IS NOT NULL
      AND p4.vip = TRUE
  );
