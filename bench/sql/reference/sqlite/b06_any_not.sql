-- b06_any_not: (VIP or >= 10 product views in 14 days), plan not 'free' (null
-- is fine), and no past-due subscription on any account.
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE (
    p.vip = 1
    OR p.segment_id IN (
      SELECT segment_id
      FROM TRACKS
      WHERE event = 'Product Viewed'
        AND timestamp BETWEEN '2026-01-01 12:00:00' AND '2026-01-15 12:00:00'
      GROUP BY segment_id
      HAVING COUNT(*) >= 10
    )
  )
  AND p.plan IS NOT 'free'
  AND NOT EXISTS (
    SELECT 1
    FROM EXTERNAL_ID_MAPPING AS x
    JOIN ACCOUNTS AS a ON a.owner_user_id = x.external_id_value
    JOIN SUBSCRIPTIONS AS s ON s.account_id = a.id
    WHERE x.segment_id = p.segment_id
      AND x.external_id_type = 'user_id'
      AND s.status = 'past_due'
  );
