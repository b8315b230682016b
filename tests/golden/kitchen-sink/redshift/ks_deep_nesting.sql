-- audience ks_deep_nesting (audiences/deep/nesting.lac:5), dialect redshift
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x1
    JOIN SHOP.CRM.CUSTOMERS AS e2 ON e2.email = x1.external_id_value
    JOIN SHOP.SALES.ORDERS AS e3 ON e3.customer_id = e2.id
    JOIN SHOP.SALES.LINE_ITEMS AS e4 ON e4.order_id = e3.id
    JOIN SHOP.CATALOG.PRODUCTS AS e5 ON e5.id = e4.product_id
    JOIN SHOP.CATALOG.PRODUCT_TAGS AS j6 ON j6.product_id = e5.id
    JOIN SHOP.CATALOG.TAGS AS e7 ON e7.id = j6.tag_id
    WHERE x1.segment_id = p.segment_id
      AND x1.external_id_type = 'email'
      AND x1.segment_id IS NOT NULL
      AND e2.id IS NOT NULL
      AND e2.city = CASE WHEN NOT ((LEFT(JSON_EXTRACT_PATH_TEXT(p.address, 'city', TRUE), 1) = '{' AND IS_VALID_JSON(JSON_EXTRACT_PATH_TEXT(p.address, 'city', TRUE))) OR (LEFT(JSON_EXTRACT_PATH_TEXT(p.address, 'city', TRUE), 1) = '[' AND IS_VALID_JSON_ARRAY(JSON_EXTRACT_PATH_TEXT(p.address, 'city', TRUE)))) THEN JSON_EXTRACT_PATH_TEXT(p.address, 'city', TRUE) END
      AND e2.email = p.email
      AND e3.id IS NOT NULL
      AND e3.placed_at > e2.last_seen
      AND e3.currency = p.preferred_currency
      AND e4.id IS NOT NULL
      AND e4.unit_price <= e3.total
      AND e5.price >= e4.unit_price
      AND j6.id IS NOT NULL
      AND STRPOS(e7.label, e2.region) > 0
      AND NOT (STRPOS(e7.label, e5.category) > 0)
      AND STRPOS(e7.label, e2.region) = 1
      AND RIGHT(e7.label, LENGTH(e5.sku)) = e5.sku
      AND e7.label <> e3.status
      AND e7.weight >= e4.qty
      AND e7.weight < e5.price
  );
