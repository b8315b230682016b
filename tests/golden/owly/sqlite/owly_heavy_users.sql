-- audience owly_heavy_users (audiences/owly.lac:6), dialect sqlite
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT x1.segment_id
    FROM EXTERNAL_ID_MAPPING AS x1
    JOIN ACCOUNTS AS e2 ON e2.owner_user_id = x1.external_id_value
    WHERE x1.external_id_type = 'user_id'
      AND x1.segment_id IS NOT NULL
      AND e2.id IS NOT NULL
      AND e2.id IN (
        SELECT e3.account_id
        FROM CREDIT_CARDS AS e3
        WHERE e3.account_id IS NOT NULL
          AND e3.id IS NOT NULL
          AND e3.name = 'Owly Card'
      )
      AND e2.id IN (
        SELECT e4.account_id
        FROM TRANSACTIONS AS e4
        WHERE e4.id IS NOT NULL
          AND e4.created_at >= date(julianday('now', '-90 days')) AND e4.created_at < date(julianday('now'), '+1 days') AND julianday(e4.created_at) BETWEEN julianday('now', '-90 days') AND julianday('now')
        GROUP BY e4.account_id
        HAVING COUNT(*) >= 1 AND SUM(e4.amount) > 1000
      )
  )
  AND NOT COALESCE(p.email_opt_out = TRUE, FALSE)
  AND (
    p.segment_id IN (
        SELECT v5.segment_id
        FROM TRACKS AS v5
        WHERE v5.event = 'Order Completed'
          AND v5.segment_id IS NOT NULL
          AND v5.timestamp >= date(julianday('now', '-30 days')) AND v5.timestamp < date(julianday('now'), '+1 days') AND julianday(v5.timestamp) BETWEEN julianday('now', '-30 days') AND julianday('now')
          AND CASE WHEN trim(CASE WHEN json_valid(v5.properties) THEN v5.properties END -> '$.total', '"') NOT GLOB '*[^0-9.eE+-]*' AND json_valid(replace(replace('[' || trim(CASE WHEN json_valid(v5.properties) THEN v5.properties END -> '$.total', '"') || ',0]', '[0', '[1'), '[-0', '[-1')) THEN CAST(trim(CASE WHEN json_valid(v5.properties) THEN v5.properties END -> '$.total', '"') AS REAL) END > 50
        GROUP BY v5.segment_id
        HAVING COUNT(*) >= 3
      )
    OR p.segment_id IN (
        SELECT x6.segment_id
        FROM EXTERNAL_ID_MAPPING AS x6
        JOIN ACCOUNTS AS e7 ON e7.owner_user_id = x6.external_id_value
        JOIN SUBSCRIPTIONS AS e8 ON e8.account_id = e7.id
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
    FROM snapshot_churned AS s9
    WHERE s9.member_id IS NOT NULL
  ), FALSE);
