-- audience ks_having (audiences/conditions.lac:26), dialect redshift
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT d4.k
    FROM (
      SELECT DISTINCT x1.segment_id AS k, e3.id AS pk
      FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x1
      JOIN SHOP.CRM.CUSTOMERS AS e2 ON e2.email = x1.external_id_value
      JOIN SHOP.SALES.ORDERS AS e3 ON e3.customer_id = e2.id
      WHERE x1.external_id_type = 'email'
        AND x1.segment_id IS NOT NULL
        AND e3.id IS NOT NULL
    ) AS d4
    GROUP BY d4.k
    HAVING COUNT(*) >= 1 AND COUNT(*) >= 2
  )
  AND p.segment_id IN (
    SELECT d8.k
    FROM (
      SELECT DISTINCT x5.segment_id AS k, e7.id AS pk, e7.total AS v
      FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x5
      JOIN SHOP.CRM.CUSTOMERS AS e6 ON e6.email = x5.external_id_value
      JOIN SHOP.SALES.ORDERS AS e7 ON e7.customer_id = e6.id
      WHERE x5.external_id_type = 'email'
        AND x5.segment_id IS NOT NULL
        AND e7.id IS NOT NULL
        AND e7.status <> 'cancelled'
    ) AS d8
    GROUP BY d8.k
    HAVING COUNT(*) >= 1 AND SUM(d8.v) > 100
  )
  AND p.segment_id IN (
    SELECT d13.k
    FROM (
      SELECT DISTINCT x9.segment_id AS k, e12.id AS pk, e12.unit_price AS v
      FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x9
      JOIN SHOP.CRM.CUSTOMERS AS e10 ON e10.email = x9.external_id_value
      JOIN SHOP.SALES.ORDERS AS e11 ON e11.customer_id = e10.id
      JOIN SHOP.SALES.LINE_ITEMS AS e12 ON e12.order_id = e11.id
      WHERE x9.external_id_type = 'email'
        AND x9.segment_id IS NOT NULL
        AND e12.id IS NOT NULL
    ) AS d13
    GROUP BY d13.k
    HAVING COUNT(*) >= 1 AND AVG(d13.v) >= 9.99
  )
  AND p.segment_id IN (
    SELECT d17.k
    FROM (
      SELECT DISTINCT x14.segment_id AS k, e16.id AS pk, e16.placed_at AS v
      FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x14
      JOIN SHOP.CRM.CUSTOMERS AS e15 ON e15.email = x14.external_id_value
      JOIN SHOP.SALES.ORDERS AS e16 ON e16.customer_id = e15.id
      WHERE x14.external_id_type = 'email'
        AND x14.segment_id IS NOT NULL
        AND e16.id IS NOT NULL
    ) AS d17
    GROUP BY d17.k
    HAVING COUNT(*) >= 1 AND MIN(d17.v) < TIMESTAMP '2025-12-01 00:00:00'
  )
  AND p.segment_id IN (
    SELECT d21.k
    FROM (
      SELECT DISTINCT x18.segment_id AS k, e20.id AS pk, e20.delivery_slot AS v
      FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x18
      JOIN SHOP.CRM.CUSTOMERS AS e19 ON e19.email = x18.external_id_value
      JOIN SHOP.SALES.ORDERS AS e20 ON e20.customer_id = e19.id
      WHERE x18.external_id_type = 'email'
        AND x18.segment_id IS NOT NULL
        AND e20.id IS NOT NULL
    ) AS d21
    GROUP BY d21.k
    HAVING COUNT(*) >= 1 AND MAX(d21.v) <= TIME '18:00:00'
  )
  AND p.loyalty_id IN (
    SELECT e22.card_number
    FROM LOYALTY_CARDS AS e22
    WHERE e22.card_number IS NOT NULL
      AND e22.id IS NOT NULL
      AND e22.level <> 'none'
    GROUP BY e22.card_number
    HAVING COUNT(*) >= 1 AND MAX(e22.expires_on) > DATE '2026-06-30'
  );
