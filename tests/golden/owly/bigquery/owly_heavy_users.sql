-- audience owly_heavy_users (audiences/owly.lac:6), dialect bigquery
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT x1.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x1
    JOIN OWLY.BANK.ACCOUNTS AS e2 ON e2.owner_user_id = x1.external_id_value
    WHERE x1.external_id_type = 'user_id'
      AND x1.segment_id IS NOT NULL
      AND e2.id IS NOT NULL
      AND e2.id IN (
        SELECT e3.account_id
        FROM OWLY.BANK.CREDIT_CARDS AS e3
        WHERE e3.account_id IS NOT NULL
          AND e3.id IS NOT NULL
          AND e3.name = 'Owly Card'
      )
      AND e2.id IN (
        SELECT e4.account_id
        FROM OWLY.BANK.TRANSACTIONS AS e4
        WHERE e4.id IS NOT NULL
          AND e4.created_at BETWEEN TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 90 DAY) AND CURRENT_TIMESTAMP()
        GROUP BY e4.account_id
        HAVING COUNT(*) >= 1 AND SUM(e4.amount) > 1000
      )
  )
  AND NOT COALESCE(p.email_opt_out = TRUE, FALSE)
  AND (
    p.segment_id IN (
        SELECT v5.segment_id
        FROM SEGMENT.PROFILES.TRACKS AS v5
        WHERE v5.event = 'Order Completed'
          AND v5.segment_id IS NOT NULL
          AND v5.timestamp BETWEEN TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 30 DAY) AND CURRENT_TIMESTAMP()
          AND CASE WHEN REGEXP_CONTAINS(JSON_VALUE(v5.properties, '$.total'), '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') THEN SAFE_CAST(JSON_VALUE(v5.properties, '$.total') AS FLOAT64) END > 50
        GROUP BY v5.segment_id
        HAVING COUNT(*) >= 3
      )
    OR p.segment_id IN (
        SELECT x6.segment_id
        FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x6
        JOIN OWLY.BANK.ACCOUNTS AS e7 ON e7.owner_user_id = x6.external_id_value
        JOIN OWLY.BANK.SUBSCRIPTIONS AS e8 ON e8.account_id = e7.id
        WHERE x6.external_id_type = 'user_id'
          AND x6.segment_id IS NOT NULL
          AND e8.id IS NOT NULL
          AND (
            e8.status = 'active'
            AND e8.tier = 'premium'
          )
      )
  )
  AND NOT COALESCE(p.segment_id IN (
    SELECT s9.member_id
    FROM lac.snapshot_churned AS s9
    WHERE s9.member_id IS NOT NULL
  ), FALSE);
