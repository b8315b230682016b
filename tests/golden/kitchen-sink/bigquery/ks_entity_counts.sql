-- audience ks_entity_counts (audiences/conditions.lac:4), dialect bigquery
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT x1.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x1
    JOIN SHOP.CRM.CUSTOMERS AS e2 ON e2.email = x1.external_id_value
    WHERE x1.external_id_type = 'email'
      AND x1.segment_id IS NOT NULL
      AND e2.id IS NOT NULL
  )
  AND p.segment_id IN (
    SELECT x3.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x3
    JOIN SHOP.CRM.CUSTOMERS AS e4 ON e4.email = x3.external_id_value
    JOIN SHOP.SALES.ORDERS AS e5 ON e5.customer_id = e4.id
    WHERE x3.external_id_type = 'email'
      AND x3.segment_id IS NOT NULL
      AND e5.id IS NOT NULL
      AND e5.status = 'completed'
    GROUP BY x3.segment_id
    HAVING COUNT(DISTINCT e5.id) >= 2
  )
  AND NOT COALESCE(p.segment_id IN (
    SELECT x6.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x6
    JOIN SHOP.CRM.CUSTOMERS AS e7 ON e7.email = x6.external_id_value
    JOIN SHOP.SALES.ORDERS AS e8 ON e8.customer_id = e7.id
    WHERE x6.external_id_type = 'email'
      AND x6.segment_id IS NOT NULL
      AND e8.id IS NOT NULL
      AND e8.status = 'returned'
    GROUP BY x6.segment_id
    HAVING NOT (COUNT(DISTINCT e8.id) <= 3)
  ), FALSE)
  AND p.segment_id IN (
    SELECT x9.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x9
    JOIN SHOP.CRM.CUSTOMERS AS e10 ON e10.email = x9.external_id_value
    JOIN SHOP.SALES.ORDERS AS e11 ON e11.customer_id = e10.id
    WHERE x9.external_id_type = 'email'
      AND x9.segment_id IS NOT NULL
      AND e11.id IS NOT NULL
      AND e11.gift = TRUE
    GROUP BY x9.segment_id
    HAVING COUNT(DISTINCT e11.id) = 1
  )
  AND p.segment_id IN (
    SELECT x12.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x12
    JOIN SHOP.CRM.CUSTOMERS AS e13 ON e13.email = x12.external_id_value
    JOIN SHOP.SALES.ORDERS AS e14 ON e14.customer_id = e13.id
    JOIN SHOP.SALES.LINE_ITEMS AS e15 ON e15.order_id = e14.id
    WHERE x12.external_id_type = 'email'
      AND x12.segment_id IS NOT NULL
      AND e15.id IS NOT NULL
    GROUP BY x12.segment_id
    HAVING COUNT(DISTINCT e15.id) >= 1 AND COUNT(DISTINCT e15.id) >= 2
  )
  AND NOT EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x16
    JOIN SHOP.CRM.CUSTOMERS AS e17 ON e17.email = x16.external_id_value
    JOIN SHOP.SALES.ORDERS AS e18 ON e18.customer_id = e17.id
    WHERE x16.segment_id = p.segment_id
      AND x16.external_id_type = 'email'
      AND x16.segment_id IS NOT NULL
      AND e18.id IS NOT NULL
      AND e18.status = 'fraud'
  )
  AND p.loyalty_id IN (
    SELECT e19.card_number
    FROM LOYALTY_CARDS AS e19
    WHERE e19.card_number IS NOT NULL
      AND e19.id IS NOT NULL
    GROUP BY e19.card_number
    HAVING COUNT(*) = 1
  );
