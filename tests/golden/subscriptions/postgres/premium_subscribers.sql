-- audience premium_subscribers (audiences/subscriptions.lac:3), dialect postgres
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILES.PROFILE_TRAITS AS p
WHERE p.account_id IN (
    SELECT e1.id
    FROM CORE.ACCOUNTS AS e1
    JOIN CORE.SUBSCRIPTIONS AS e2 ON e2.account_id = e1.id
    WHERE e1.id IS NOT NULL
      AND e2.id IS NOT NULL
      AND (
        e2.status = 'active'
        AND e2.tier = 'premium'
      )
  );
