-- audience ks_entity_counts (audiences/conditions.lac:4), dialect databricks
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
    FROM (
      SELECT DISTINCT q5.segment_id, q5.external_id_value
      FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS q5
      WHERE q5.external_id_type = 'email'
        AND q5.segment_id IS NOT NULL
        AND q5.external_id_value IN (SELECT e6.email FROM SHOP.CRM.CUSTOMERS AS e6)
    ) AS x3
    JOIN SHOP.CRM.CUSTOMERS AS e4 ON e4.email = x3.external_id_value
    LEFT JOIN (
      SELECT e8.customer_id AS k, COUNT(*) AS n
      FROM SHOP.SALES.ORDERS AS e8
      WHERE e8.customer_id IS NOT NULL
        AND e8.id IS NOT NULL
        AND e8.status = 'completed'
      GROUP BY e8.customer_id
    ) AS g7 ON g7.k = e4.id
    LEFT JOIN (
      SELECT e10.customer_id AS k, COUNT(*) AS n
      FROM SHOP.SALES.ORDERS AS e10
      WHERE e10.customer_id IS NOT NULL
        AND e10.id IS NOT NULL
        AND e10.status = 'returned'
      GROUP BY e10.customer_id
    ) AS g9 ON g9.k = e4.id
    LEFT JOIN (
      SELECT e12.customer_id AS k, COUNT(*) AS n
      FROM SHOP.SALES.ORDERS AS e12
      WHERE e12.customer_id IS NOT NULL
        AND e12.id IS NOT NULL
        AND e12.gift = TRUE
      GROUP BY e12.customer_id
    ) AS g11 ON g11.k = e4.id
    LEFT JOIN (
      SELECT e14.customer_id AS k, COUNT(*) AS n
      FROM SHOP.SALES.ORDERS AS e14
      JOIN SHOP.SALES.LINE_ITEMS AS e15 ON e15.order_id = e14.id
      WHERE e14.customer_id IS NOT NULL
        AND e15.id IS NOT NULL
      GROUP BY e14.customer_id
    ) AS g13 ON g13.k = e4.id
    WHERE e4.id IS NOT NULL
    GROUP BY x3.segment_id
    HAVING COALESCE(SUM(g7.n), 0) >= 2 AND COALESCE(SUM(g9.n), 0) <= 3 AND COALESCE(SUM(g11.n), 0) = 1 AND COALESCE(SUM(g13.n), 0) >= 1 AND COALESCE(SUM(g13.n), 0) >= 2
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
    WHERE e19.id IS NOT NULL
    GROUP BY e19.card_number
    HAVING COUNT(*) = 1
  );
