-- audience enterprise_accounts (audiences/accounts.lac:3), dialect bigquery
-- membership: one row per member (target entity primary key)
SELECT t.id AS member_id
FROM BILLING.CORE.ACCOUNTS AS t
WHERE t.id IS NOT NULL
  AND t.plan = 'enterprise'
  AND t.id IN (
    SELECT e1.account_id
    FROM BILLING.CORE.SUBSCRIPTIONS AS e1
    WHERE e1.account_id IS NOT NULL
      AND e1.id IS NOT NULL
      AND e1.status = 'past_due'
  )
  AND EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p2
    WHERE p2.account_id = t.id
      AND p2.vip = TRUE
  );
