-- audience ks_having_per_customer (audiences/conditions.lac:40), dialect postgres
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT x1.segment_id
    FROM PROFILES.EXTERNAL_ID_MAPPING AS x1
    JOIN CRM.CUSTOMERS AS e2 ON e2.email = x1.external_id_value
    WHERE x1.external_id_type = 'email'
      AND x1.segment_id IS NOT NULL
      AND e2.id IS NOT NULL
      AND e2.id IN (
        SELECT e3.customer_id
        FROM SALES.ORDERS AS e3
        WHERE e3.id IS NOT NULL
        GROUP BY e3.customer_id
        HAVING COUNT(*) >= 1 AND SUM(e3.total) > 100
      )
  );
