-- audience premium_subscribers (audiences/membership.lac:3), dialect snowflake
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT x1.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x1
    JOIN OWLY.BANK.ACCOUNTS AS e2 ON e2.owner_user_id = x1.external_id_value
    JOIN OWLY.BANK.SUBSCRIPTIONS AS e3 ON e3.account_id = e2.id
    WHERE x1.external_id_type = 'user_id'
      AND x1.segment_id IS NOT NULL
      AND e3.id IS NOT NULL
      AND (
        e3.status = 'active'
        AND e3.tier = 'premium'
      )
  );
