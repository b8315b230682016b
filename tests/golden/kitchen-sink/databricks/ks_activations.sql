-- audience ks_activations (audiences/activations.lac:3), dialect databricks
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
      AND e2.id IN (
        SELECT e3.customer_id
        FROM SHOP.SALES.ORDERS AS e3
        WHERE e3.customer_id IS NOT NULL
          AND e3.id IS NOT NULL
          AND e3.status = 'completed'
      )
  )
  AND p.loyalty_id IN (
    SELECT e4.card_number
    FROM LOYALTY_CARDS AS e4
    WHERE e4.card_number IS NOT NULL
      AND e4.id IS NOT NULL
      AND e4.level IN ('gold', 'silver')
  )
  AND NOT EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x5
    JOIN SHOP.CRM.CUSTOMERS AS e6 ON e6.email = x5.external_id_value
    JOIN SHOP.SALES.ORDERS AS e7 ON e7.customer_id = e6.id
    WHERE x5.segment_id = p.segment_id
      AND x5.external_id_type = 'email'
      AND x5.segment_id IS NOT NULL
      AND e7.id IS NOT NULL
      AND e7.status = 'fraud'
  );
