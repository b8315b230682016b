-- audience ks_dotted_path (audiences/deep/nesting.lac:36), dialect postgres
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT x1.segment_id
    FROM PROFILES.EXTERNAL_ID_MAPPING AS x1
    JOIN CRM.CUSTOMERS AS e2 ON e2.email = x1.external_id_value
    JOIN SALES.ORDERS AS e3 ON e3.customer_id = e2.id
    JOIN SALES.LINE_ITEMS AS e4 ON e4.order_id = e3.id
    JOIN CATALOG.PRODUCTS AS e5 ON e5.id = e4.product_id
    JOIN CATALOG.PRODUCT_TAGS AS j6 ON j6.product_id = e5.id
    JOIN CATALOG.TAGS AS e7 ON e7.id = j6.tag_id
    WHERE x1.external_id_type = 'email'
      AND e4.id IS NOT NULL
      AND j6.id IS NOT NULL
      AND e7.label IN ('sale', 'new')
    GROUP BY x1.segment_id
    HAVING COUNT(DISTINCT e7.id) >= 2
  )
  AND p.segment_id IN (
    SELECT x8.segment_id
    FROM PROFILES.EXTERNAL_ID_MAPPING AS x8
    JOIN CRM.CUSTOMERS AS e9 ON e9.email = x8.external_id_value
    JOIN SALES.ORDERS AS e10 ON e10.customer_id = e9.id
    WHERE x8.external_id_type = 'email'
      AND x8.segment_id IS NOT NULL
      AND e10.id IS NOT NULL
      AND e10.total >= e10.total
  );
