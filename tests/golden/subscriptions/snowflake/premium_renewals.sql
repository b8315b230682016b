-- audience premium_renewals (audiences/subscriptions.lac:22), dialect snowflake
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.account_id IN (
    SELECT e1.id
    FROM BILLING.CORE.ACCOUNTS AS e1
    JOIN BILLING.CORE.SUBSCRIPTIONS AS e2 ON e2.account_id = e1.id
    WHERE e1.id IS NOT NULL
      AND e2.id IS NOT NULL
      AND (
        e2.status = 'active'
        AND e2.tier = 'premium'
      )
  )
  AND p.account_id IN (
    SELECT e3.id
    FROM BILLING.CORE.ACCOUNTS AS e3
    JOIN BILLING.CORE.SUBSCRIPTIONS AS e4 ON e4.account_id = e3.id
    WHERE e3.id IS NOT NULL
      AND e4.id IS NOT NULL
      AND e4.renews_on BETWEEN CAST(SYSDATE() AS DATE) AND DATEADD(day, 30, CAST(SYSDATE() AS DATE))
  );
