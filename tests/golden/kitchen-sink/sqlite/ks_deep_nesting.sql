-- audience ks_deep_nesting (audiences/deep/nesting.lac:5), dialect sqlite
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE EXISTS (
    SELECT 1
    FROM EXTERNAL_ID_MAPPING AS x1
    JOIN CUSTOMERS AS e2 ON e2.email = x1.external_id_value
    JOIN ORDERS AS e3 ON e3.customer_id = e2.id
    JOIN LINE_ITEMS AS e4 ON e4.order_id = e3.id
    JOIN PRODUCTS AS e5 ON e5.id = e4.product_id
    JOIN PRODUCT_TAGS AS j6 ON j6.product_id = e5.id
    JOIN TAGS AS e7 ON e7.id = j6.tag_id
    WHERE x1.segment_id = p.segment_id
      AND x1.external_id_type = 'email'
      AND x1.segment_id IS NOT NULL
      AND e2.id IS NOT NULL
      AND e2.city = CASE json_type(CASE WHEN json_valid(p.address) THEN p.address END, '$.city') WHEN 'text' THEN json_extract(CASE WHEN json_valid(p.address) THEN p.address END, '$.city') WHEN 'integer' THEN trim(CASE WHEN json_valid(p.address) THEN p.address END -> '$.city', '"') WHEN 'real' THEN CAST(json_extract(CASE WHEN json_valid(p.address) THEN p.address END, '$.city') AS TEXT) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END
      AND e2.email = p.email
      AND e3.id IS NOT NULL
      AND julianday(e3.placed_at) > julianday(e2.last_seen)
      AND e3.currency = p.preferred_currency
      AND e4.id IS NOT NULL
      AND e4.unit_price <= e3.total
      AND e5.price >= e4.unit_price
      AND j6.id IS NOT NULL
      AND instr(e7.label, e2.region) > 0
      AND NOT (instr(e7.label, e5.category) > 0)
      AND substr(e7.label, 1, length(e2.region)) = e2.region
      AND substr(e7.label, length(e7.label) - length(e5.sku) + 1) = e5.sku
      AND e7.label <> e3.status
      AND e7.weight >= e4.qty
      AND e7.weight < e5.price
  );
