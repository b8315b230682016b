-- audience ks_logic (audiences/logic.lac:4), dialect sqlite
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE (
    p.vip = TRUE
    OR p.ltv > 500
  )
  AND (
    (
        p.plan = 'pro'
        AND p.vip = TRUE
      )
    OR (
        (
            p.ltv > 100
            OR p.ltv < -5
          )
        AND NOT COALESCE(p.first_name IS NULL, FALSE)
      )
    OR (
        p.email IS NOT NULL
        AND NOT COALESCE(p.plan IN ('free', 'trial'), FALSE)
      )
  )
  AND NOT EXISTS (
    SELECT 1
    FROM EXTERNAL_ID_MAPPING AS x1
    JOIN CUSTOMERS AS e2 ON e2.email = x1.external_id_value
    JOIN ORDERS AS e3 ON e3.customer_id = e2.id
    WHERE x1.segment_id = p.segment_id
      AND x1.external_id_type = 'email'
      AND x1.segment_id IS NOT NULL
      AND e3.id IS NOT NULL
      AND e3.status = 'fraud'
  )
  AND NOT COALESCE((
    p.email_opt_out = TRUE
    OR p.plan = 'banned'
  ), FALSE);
