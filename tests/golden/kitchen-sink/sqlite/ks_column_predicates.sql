-- audience ks_column_predicates (audiences/predicates.lac:30), dialect sqlite
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
      AND e2.region = 'EU'
      AND e2.score >= 0.5
      AND e2.score > -1
      AND date(e2.joined_on) BETWEEN date('now', '-3640 days') AND date('now')
      AND date(e2.joined_on) <> date('2020-02-29')
      AND (
        e2.last_seen < date(julianday('now'), '+1 days') AND julianday(e2.last_seen) < julianday('now', '-90 days')
        OR e2.last_seen IS NULL
      )
      AND time(e2.opens_at) >= time('08:00:00')
      AND time(e2.opens_at) IN (time('08:00:00'), time('09:00:00'))
      AND e2.active = TRUE
      AND NOT (instr(e2.notes, '100%') > 0)
      AND e2.notes IS NOT NULL
  )
  AND p.segment_id IN (
    SELECT x3.segment_id
    FROM EXTERNAL_ID_MAPPING AS x3
    JOIN CUSTOMERS AS e4 ON e4.email = x3.external_id_value
    JOIN ORDERS AS e5 ON e5.customer_id = e4.id
    WHERE x3.external_id_type = 'email'
      AND x3.segment_id IS NOT NULL
      AND e5.id IS NOT NULL
      AND e5.status IN ('completed', 'shipped')
      AND e5.status <> 'cancelled'
      AND e5.total > 10
      AND e5.total <= 10000
      AND e5.total NOT IN (0, -1, 13.13)
      AND e5.currency = 'EUR'
      AND julianday(e5.placed_at) BETWEEN julianday('2025-01-01 00:00:00') AND julianday('2026-12-31 23:59:59')
      AND e5.placed_at >= date(julianday('now', '-365 days')) AND e5.placed_at < date(julianday('now'), '+1 days') AND julianday(e5.placed_at) BETWEEN julianday('now', '-365 days') AND julianday('now')
      AND e5.promised_at >= date(julianday('now')) AND julianday(e5.promised_at) > julianday('now', '+2 days')
      AND date(e5.ship_by) BETWEEN date('now') AND date('now', '+14 days')
      AND date(e5.ship_by) IN (date('2026-01-20'), date('2026-01-21'), date('2026-01-22'))
      AND time(e5.delivery_slot) BETWEEN time('08:00:00') AND time('12:00:00')
      AND time(e5.delivery_slot) <> time('10:30:00')
      AND e5.gift = FALSE
      AND (
        e5.coupon IS NULL
        OR NOT (instr(e5.coupon, '_') > 0)
      )
  )
  AND p.segment_id IN (
    SELECT x6.segment_id
    FROM EXTERNAL_ID_MAPPING AS x6
    JOIN CUSTOMERS AS e7 ON e7.email = x6.external_id_value
    JOIN ORDERS AS e8 ON e8.customer_id = e7.id
    JOIN LINE_ITEMS AS e9 ON e9.order_id = e8.id
    WHERE x6.external_id_type = 'email'
      AND x6.segment_id IS NOT NULL
      AND e9.id IS NOT NULL
      AND e9.qty < 100
      AND e9.qty IN (1, 2, 3)
      AND e9.unit_price BETWEEN 9.99 AND 99.5
  )
  AND p.segment_id IN (
    SELECT x10.segment_id
    FROM EXTERNAL_ID_MAPPING AS x10
    JOIN CUSTOMERS AS e11 ON e11.email = x10.external_id_value
    JOIN ORDERS AS e12 ON e12.customer_id = e11.id
    JOIN LINE_ITEMS AS e13 ON e13.order_id = e12.id
    JOIN PRODUCTS AS e14 ON e14.id = e13.product_id
    WHERE x10.external_id_type = 'email'
      AND x10.segment_id IS NOT NULL
      AND e13.id IS NOT NULL
      AND substr(e14.sku, 1, length('KS-')) = 'KS-'
      AND substr(e14.name, length(e14.name) - length('\') + 1) = '\'
      AND e14.category NOT IN ('food', 'toys')
      AND date(e14.released_on) < date('now', '-28 days')
      AND date(e14.released_on) < date('2026-01-01')
  )
  AND p.loyalty_id IN (
    SELECT e15.card_number
    FROM LOYALTY_CARDS AS e15
    WHERE e15.card_number IS NOT NULL
      AND e15.id IS NOT NULL
      AND date(e15.expires_on) > date('now', '+28 days')
      AND e15.level = 'gold'
      AND e15.points >= 1000
  );
