-- audience ks_part_of (audiences/logic.lac:22), dialect sqlite
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.ltv > 100
  AND p.ltv >= 50
  AND p.segment_id IN (
    SELECT s1.member_id
    FROM snapshot_ks_every_12_hours AS s1
    WHERE s1.member_id IS NOT NULL
  )
  AND NOT COALESCE((
    NOT EXISTS (
        SELECT 1
        FROM LOYALTY_CARDS AS e2
        WHERE e2.card_number = p.loyalty_id
          AND e2.card_number IS NOT NULL
          AND e2.id IS NOT NULL
      )
    AND NOT EXISTS (
        SELECT 1
        FROM EXTERNAL_ID_MAPPING AS x3
        JOIN CUSTOMERS AS e4 ON e4.email = x3.external_id_value
        JOIN ORDERS AS e5 ON e5.customer_id = e4.id
        WHERE x3.segment_id = p.segment_id
          AND x3.external_id_type = 'email'
          AND x3.segment_id IS NOT NULL
          AND e5.id IS NOT NULL
      )
  ), FALSE)
  AND NOT COALESCE(p.segment_id IN (
    SELECT s6.member_id
    FROM snapshot_ks_every_day AS s6
    WHERE s6.member_id IS NOT NULL
  ), FALSE)
  AND (
    (
        (
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
            FROM EXTERNAL_ID_MAPPING AS x7
            JOIN CUSTOMERS AS e8 ON e8.email = x7.external_id_value
            JOIN ORDERS AS e9 ON e9.customer_id = e8.id
            WHERE x7.segment_id = p.segment_id
              AND x7.external_id_type = 'email'
              AND x7.segment_id IS NOT NULL
              AND e9.id IS NOT NULL
              AND e9.status = 'fraud'
          )
        AND NOT COALESCE((
            p.email_opt_out = TRUE
            OR p.plan = 'banned'
          ), FALSE)
      )
    OR p.vip = TRUE
  );
