-- audience ks_zero_counts (audiences/conditions.lac:18), dialect databricks
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE NOT EXISTS (
    SELECT 1
    FROM LOYALTY_CARDS AS e1
    WHERE e1.card_number = p.loyalty_id
      AND e1.card_number IS NOT NULL
      AND e1.id IS NOT NULL
  )
  AND NOT EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x2
    JOIN SHOP.CRM.CUSTOMERS AS e3 ON e3.email = x2.external_id_value
    JOIN SHOP.SALES.ORDERS AS e4 ON e4.customer_id = e3.id
    WHERE x2.segment_id = p.segment_id
      AND x2.external_id_type = 'email'
      AND x2.segment_id IS NOT NULL
      AND e4.id IS NOT NULL
  );
