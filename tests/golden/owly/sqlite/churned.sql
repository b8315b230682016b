-- audience churned (audiences/membership.lac:12), dialect sqlite
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT x1.segment_id
    FROM EXTERNAL_ID_MAPPING AS x1
    JOIN ACCOUNTS AS e2 ON e2.owner_user_id = x1.external_id_value
    JOIN SUBSCRIPTIONS AS e3 ON e3.account_id = e2.id
    WHERE x1.external_id_type = 'user_id'
      AND x1.segment_id IS NOT NULL
      AND e3.id IS NOT NULL
      AND e3.status = 'cancelled'
  )
  AND NOT EXISTS (
    SELECT 1
    FROM EXTERNAL_ID_MAPPING AS x4
    JOIN ACCOUNTS AS e5 ON e5.owner_user_id = x4.external_id_value
    JOIN SUBSCRIPTIONS AS e6 ON e6.account_id = e5.id
    WHERE x4.segment_id = p.segment_id
      AND x4.external_id_type = 'user_id'
      AND x4.segment_id IS NOT NULL
      AND e6.id IS NOT NULL
      AND e6.status = 'active'
  );
