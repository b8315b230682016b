-- audience ks_column_predicates (audiences/predicates.lac:30), dialect redshift
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
      AND e2.region = 'EU'
      AND e2.score >= 0.5
      AND e2.score > -1
      AND e2.joined_on BETWEEN (CAST(GETDATE() AS DATE) - 3640) AND CAST(GETDATE() AS DATE)
      AND e2.joined_on <> DATE '2020-02-29'
      AND (
        e2.last_seen < DATEADD(day, -90, GETDATE())
        OR e2.last_seen IS NULL
      )
      AND e2.opens_at >= TIME '08:00:00'
      AND e2.opens_at IN (TIME '08:00:00', TIME '09:00:00')
      AND e2.active = TRUE
      AND NOT (STRPOS(e2.notes, '100%') > 0)
      AND e2.notes IS NOT NULL
  )
  AND p.segment_id IN (
    SELECT x3.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x3
    JOIN SHOP.CRM.CUSTOMERS AS e4 ON e4.email = x3.external_id_value
    JOIN SHOP.SALES.ORDERS AS e5 ON e5.customer_id = e4.id
    WHERE x3.external_id_type = 'email'
      AND x3.segment_id IS NOT NULL
      AND e5.id IS NOT NULL
      AND e5.status IN ('completed', 'shipped')
      AND e5.status <> 'cancelled'
      AND e5.total > 10
      AND e5.total <= 10000
      AND e5.total NOT IN (0, -1, 13.13)
      AND e5.currency = 'EUR'
      AND e5.placed_at BETWEEN TIMESTAMP '2025-01-01 00:00:00' AND TIMESTAMP '2026-12-31 23:59:59'
      AND e5.placed_at BETWEEN DATEADD(day, -365, GETDATE()) AND GETDATE()
      AND e5.promised_at > DATEADD(day, 2, GETDATE())
      AND e5.ship_by BETWEEN CAST(GETDATE() AS DATE) AND (CAST(GETDATE() AS DATE) + 14)
      AND e5.ship_by IN (DATE '2026-01-20', DATE '2026-01-21', DATE '2026-01-22')
      AND e5.delivery_slot BETWEEN TIME '08:00:00' AND TIME '12:00:00'
      AND e5.delivery_slot <> TIME '10:30:00'
      AND e5.gift = FALSE
      AND (
        e5.coupon IS NULL
        OR NOT (STRPOS(e5.coupon, '_') > 0)
      )
  )
  AND p.segment_id IN (
    SELECT x6.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x6
    JOIN SHOP.CRM.CUSTOMERS AS e7 ON e7.email = x6.external_id_value
    JOIN SHOP.SALES.ORDERS AS e8 ON e8.customer_id = e7.id
    JOIN SHOP.SALES.LINE_ITEMS AS e9 ON e9.order_id = e8.id
    WHERE x6.external_id_type = 'email'
      AND x6.segment_id IS NOT NULL
      AND e9.id IS NOT NULL
      AND e9.qty < 100
      AND e9.qty IN (1, 2, 3)
      AND e9.unit_price BETWEEN 9.99 AND 99.5
  )
  AND p.segment_id IN (
    SELECT x10.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x10
    JOIN SHOP.CRM.CUSTOMERS AS e11 ON e11.email = x10.external_id_value
    JOIN SHOP.SALES.ORDERS AS e12 ON e12.customer_id = e11.id
    JOIN SHOP.SALES.LINE_ITEMS AS e13 ON e13.order_id = e12.id
    JOIN SHOP.CATALOG.PRODUCTS AS e14 ON e14.id = e13.product_id
    WHERE x10.external_id_type = 'email'
      AND x10.segment_id IS NOT NULL
      AND e13.id IS NOT NULL
      AND STRPOS(e14.sku, 'KS-') = 1
      AND RIGHT(e14.name, LENGTH('\\')) = '\\'
      AND e14.category NOT IN ('food', 'toys')
      AND e14.released_on < (CAST(GETDATE() AS DATE) - 28)
      AND e14.released_on < DATE '2026-01-01'
  )
  AND p.loyalty_id IN (
    SELECT e15.card_number
    FROM LOYALTY_CARDS AS e15
    WHERE e15.card_number IS NOT NULL
      AND e15.id IS NOT NULL
      AND e15.expires_on > (CAST(GETDATE() AS DATE) + 28)
      AND e15.level = 'gold'
      AND e15.points >= 1000
  );
