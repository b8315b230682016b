-- audience ks_having (audiences/conditions.lac:26), dialect postgres
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT x1.segment_id
    FROM (
      SELECT DISTINCT q3.segment_id, q3.external_id_value
      FROM PROFILES.EXTERNAL_ID_MAPPING AS q3
      WHERE q3.external_id_type = 'email'
        AND q3.segment_id IS NOT NULL
        AND q3.external_id_value IN (SELECT e4.email FROM CRM.CUSTOMERS AS e4)
    ) AS x1
    JOIN CRM.CUSTOMERS AS e2 ON e2.email = x1.external_id_value
    LEFT JOIN (
      SELECT e6.customer_id AS k, COUNT(*) AS n
      FROM SALES.ORDERS AS e6
      WHERE e6.customer_id IS NOT NULL
        AND e6.id IS NOT NULL
      GROUP BY e6.customer_id
    ) AS g5 ON g5.k = e2.id
    LEFT JOIN (
      SELECT e8.customer_id AS k, COUNT(*) AS n, SUM(e8.total) AS a
      FROM SALES.ORDERS AS e8
      WHERE e8.customer_id IS NOT NULL
        AND e8.id IS NOT NULL
        AND e8.status <> 'cancelled'
      GROUP BY e8.customer_id
    ) AS g7 ON g7.k = e2.id
    LEFT JOIN (
      SELECT e10.customer_id AS k, COUNT(*) AS n, MIN(e10.placed_at) AS a
      FROM SALES.ORDERS AS e10
      WHERE e10.customer_id IS NOT NULL
        AND e10.id IS NOT NULL
      GROUP BY e10.customer_id
    ) AS g9 ON g9.k = e2.id
    LEFT JOIN (
      SELECT e12.customer_id AS k, COUNT(*) AS n, MAX(e12.delivery_slot) AS a
      FROM SALES.ORDERS AS e12
      WHERE e12.customer_id IS NOT NULL
        AND e12.id IS NOT NULL
      GROUP BY e12.customer_id
    ) AS g11 ON g11.k = e2.id
    WHERE e2.id IS NOT NULL
    GROUP BY x1.segment_id
    HAVING COALESCE(SUM(g5.n), 0) >= 1 AND COALESCE(SUM(g5.n), 0) >= 2 AND COALESCE(SUM(g7.n), 0) >= 1 AND SUM(g7.a) > 100 AND COALESCE(SUM(g9.n), 0) >= 1 AND MIN(g9.a) < TIMESTAMP '2025-12-01 00:00:00' AND COALESCE(SUM(g11.n), 0) >= 1 AND MAX(g11.a) <= TIME '18:00:00'
  )
  AND p.segment_id IN (
    SELECT x13.segment_id
    FROM (
      SELECT DISTINCT q17.segment_id, q17.external_id_value
      FROM PROFILES.EXTERNAL_ID_MAPPING AS q17
      WHERE q17.external_id_type = 'email'
        AND q17.segment_id IS NOT NULL
        AND q17.external_id_value IN (SELECT e18.email FROM CRM.CUSTOMERS AS e18)
    ) AS x13
    JOIN CRM.CUSTOMERS AS e14 ON e14.email = x13.external_id_value
    JOIN SALES.ORDERS AS e15 ON e15.customer_id = e14.id
    JOIN SALES.LINE_ITEMS AS e16 ON e16.order_id = e15.id
    WHERE e16.id IS NOT NULL
    GROUP BY x13.segment_id
    HAVING COUNT(*) >= 1 AND AVG(e16.unit_price) >= 9.99
  )
  AND p.loyalty_id IN (
    SELECT e19.card_number
    FROM LOYALTY_CARDS AS e19
    WHERE e19.id IS NOT NULL
      AND e19.level <> 'none'
    GROUP BY e19.card_number
    HAVING COUNT(*) >= 1 AND MAX(e19.expires_on) > DATE '2026-06-30'
  );
