-- b06_any_not: (VIP or >= 10 product views in 14 days), plan not 'free' (null
-- is fine), and no past-due subscription on any account.
SELECT p.segment_id AS member_id
FROM profiles.profile_traits AS p
WHERE (
    p.vip
    OR p.segment_id IN (
      SELECT segment_id
      FROM profiles.tracks
      WHERE event = 'Product Viewed'
        AND timestamp BETWEEN TIMESTAMP '2026-01-01 12:00:00' AND TIMESTAMP '2026-01-15 12:00:00'
      GROUP BY segment_id
      HAVING COUNT(*) >= 10
    )
  )
  AND p.plan IS DISTINCT FROM 'free'
  AND NOT EXISTS (
    SELECT 1
    FROM profiles.external_id_mapping AS x
    JOIN bank.accounts AS a ON a.owner_user_id = x.external_id_value
    JOIN bank.subscriptions AS s ON s.account_id = a.id
    WHERE x.segment_id = p.segment_id
      AND x.external_id_type = 'user_id'
      AND s.status = 'past_due'
  );
