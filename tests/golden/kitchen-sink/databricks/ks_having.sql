-- audience ks_having (audiences/conditions.lac:26), dialect databricks
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT x1.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x1
    JOIN SHOP.CRM.CUSTOMERS AS e2 ON e2.email = x1.external_id_value
    JOIN SHOP.SALES.ORDERS AS e3 ON e3.customer_id = e2.id
    WHERE x1.external_id_type = 'email'
      AND x1.segment_id IS NOT NULL
      AND e3.id IS NOT NULL
    GROUP BY x1.segment_id
    HAVING COUNT(DISTINCT e3.id) >= 1 AND COUNT(DISTINCT e3.id) >= 2
  )
  AND p.segment_id IN (
    SELECT x4.segment_id
    FROM (
      SELECT DISTINCT q7.segment_id, q7.external_id_value
      FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS q7
      WHERE q7.external_id_type = 'email'
        AND q7.segment_id IS NOT NULL
        AND q7.external_id_value IN (SELECT e8.email FROM SHOP.CRM.CUSTOMERS AS e8)
    ) AS x4
    JOIN SHOP.CRM.CUSTOMERS AS e5 ON e5.email = x4.external_id_value
    JOIN SHOP.SALES.ORDERS AS e6 ON e6.customer_id = e5.id
    WHERE e6.id IS NOT NULL
      AND e6.status <> 'cancelled'
    GROUP BY x4.segment_id
    HAVING COUNT(*) >= 1 AND SUM(e6.total) > 100
  )
  AND p.segment_id IN (
    SELECT x9.segment_id
    FROM (
      SELECT DISTINCT q13.segment_id, q13.external_id_value
      FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS q13
      WHERE q13.external_id_type = 'email'
        AND q13.segment_id IS NOT NULL
        AND q13.external_id_value IN (SELECT e14.email FROM SHOP.CRM.CUSTOMERS AS e14)
    ) AS x9
    JOIN SHOP.CRM.CUSTOMERS AS e10 ON e10.email = x9.external_id_value
    JOIN SHOP.SALES.ORDERS AS e11 ON e11.customer_id = e10.id
    JOIN SHOP.SALES.LINE_ITEMS AS e12 ON e12.order_id = e11.id
    WHERE e12.id IS NOT NULL
    GROUP BY x9.segment_id
    HAVING COUNT(*) >= 1 AND AVG(e12.unit_price) >= 9.99
  )
  AND p.segment_id IN (
    SELECT x15.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x15
    JOIN SHOP.CRM.CUSTOMERS AS e16 ON e16.email = x15.external_id_value
    JOIN SHOP.SALES.ORDERS AS e17 ON e17.customer_id = e16.id
    WHERE x15.external_id_type = 'email'
      AND x15.segment_id IS NOT NULL
      AND e17.id IS NOT NULL
    GROUP BY x15.segment_id
    HAVING COUNT(DISTINCT e17.id) >= 1 AND MIN(e17.placed_at) < TIMESTAMP '2025-12-01 00:00:00'
  )
  AND p.segment_id IN (
    SELECT x18.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x18
    JOIN SHOP.CRM.CUSTOMERS AS e19 ON e19.email = x18.external_id_value
    JOIN SHOP.SALES.ORDERS AS e20 ON e20.customer_id = e19.id
    WHERE x18.external_id_type = 'email'
      AND x18.segment_id IS NOT NULL
      AND e20.id IS NOT NULL
    GROUP BY x18.segment_id
    HAVING COUNT(DISTINCT e20.id) >= 1 AND MAX(e20.delivery_slot) <= '18:00:00'
  )
  AND p.loyalty_id IN (
    SELECT e21.card_number
    FROM LOYALTY_CARDS AS e21
    WHERE e21.card_number IS NOT NULL
      AND e21.id IS NOT NULL
      AND e21.level <> 'none'
    GROUP BY e21.card_number
    HAVING COUNT(*) >= 1 AND MAX(e21.expires_on) > DATE '2026-06-30'
  );
