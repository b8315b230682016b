-- audience ks_entity_counts (audiences/conditions.lac:4), dialect sqlite
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT x1.segment_id
    FROM EXTERNAL_ID_MAPPING AS x1
    JOIN CUSTOMERS AS e2 ON e2.email = x1.external_id_value
    WHERE x1.external_id_type = 'email'
      AND x1.segment_id IS NOT NULL
      AND e2.id IS NOT NULL
  )
  AND p.segment_id IN (
    SELECT d6.k
    FROM (
      SELECT DISTINCT x3.segment_id AS k, e5.id AS pk
      FROM EXTERNAL_ID_MAPPING AS x3
      JOIN CUSTOMERS AS e4 ON e4.email = x3.external_id_value
      JOIN ORDERS AS e5 ON e5.customer_id = e4.id
      WHERE x3.external_id_type = 'email'
        AND x3.segment_id IS NOT NULL
        AND e5.id IS NOT NULL
        AND e5.status = 'completed'
    ) AS d6
    GROUP BY d6.k
    HAVING COUNT(*) >= 2
  )
  AND NOT COALESCE(p.segment_id IN (
    SELECT d10.k
    FROM (
      SELECT DISTINCT x7.segment_id AS k, e9.id AS pk
      FROM EXTERNAL_ID_MAPPING AS x7
      JOIN CUSTOMERS AS e8 ON e8.email = x7.external_id_value
      JOIN ORDERS AS e9 ON e9.customer_id = e8.id
      WHERE x7.external_id_type = 'email'
        AND x7.segment_id IS NOT NULL
        AND e9.id IS NOT NULL
        AND e9.status = 'returned'
    ) AS d10
    GROUP BY d10.k
    HAVING NOT (COUNT(*) <= 3)
  ), FALSE)
  AND p.segment_id IN (
    SELECT d14.k
    FROM (
      SELECT DISTINCT x11.segment_id AS k, e13.id AS pk
      FROM EXTERNAL_ID_MAPPING AS x11
      JOIN CUSTOMERS AS e12 ON e12.email = x11.external_id_value
      JOIN ORDERS AS e13 ON e13.customer_id = e12.id
      WHERE x11.external_id_type = 'email'
        AND x11.segment_id IS NOT NULL
        AND e13.id IS NOT NULL
        AND e13.gift = TRUE
    ) AS d14
    GROUP BY d14.k
    HAVING COUNT(*) = 1
  )
  AND p.segment_id IN (
    SELECT d19.k
    FROM (
      SELECT DISTINCT x15.segment_id AS k, e18.id AS pk
      FROM EXTERNAL_ID_MAPPING AS x15
      JOIN CUSTOMERS AS e16 ON e16.email = x15.external_id_value
      JOIN ORDERS AS e17 ON e17.customer_id = e16.id
      JOIN LINE_ITEMS AS e18 ON e18.order_id = e17.id
      WHERE x15.external_id_type = 'email'
        AND x15.segment_id IS NOT NULL
        AND e18.id IS NOT NULL
    ) AS d19
    GROUP BY d19.k
    HAVING COUNT(*) >= 1 AND COUNT(*) >= 2
  )
  AND NOT EXISTS (
    SELECT 1
    FROM EXTERNAL_ID_MAPPING AS x20
    JOIN CUSTOMERS AS e21 ON e21.email = x20.external_id_value
    JOIN ORDERS AS e22 ON e22.customer_id = e21.id
    WHERE x20.segment_id = p.segment_id
      AND x20.external_id_type = 'email'
      AND x20.segment_id IS NOT NULL
      AND e22.id IS NOT NULL
      AND e22.status = 'fraud'
  )
  AND p.loyalty_id IN (
    SELECT e23.card_number
    FROM LOYALTY_CARDS AS e23
    WHERE e23.card_number IS NOT NULL
      AND e23.id IS NOT NULL
    GROUP BY e23.card_number
    HAVING COUNT(*) = 1
  );
