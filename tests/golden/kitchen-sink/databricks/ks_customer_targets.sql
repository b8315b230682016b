-- audience ks_customer_targets (audiences/accounts.lac:12), dialect databricks
-- membership: one row per member (target entity primary key)
SELECT t.id AS member_id
FROM SHOP.CRM.CUSTOMERS AS t
WHERE t.id IN (
    SELECT e3.id
    FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p1
    JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x2 ON x2.segment_id = p1.segment_id AND x2.external_id_type = 'email'
    JOIN SHOP.CRM.CUSTOMERS AS e3 ON e3.email = x2.external_id_value
    WHERE e3.id IS NOT NULL
  )
  AND t.region IN ('EU', 'UK')
  AND t.id IN (
    SELECT e4.customer_id
    FROM SHOP.SALES.ORDERS AS e4
    WHERE e4.customer_id IS NOT NULL
      AND (
        e4.status = 'completed'
        AND e4.total > 10
      )
    GROUP BY e4.customer_id
    HAVING COUNT(*) >= 1
  )
  AND t.id IN (
    SELECT e7.id
    FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p5
    JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x6 ON x6.segment_id = p5.segment_id AND x6.external_id_type = 'email'
    JOIN SHOP.CRM.CUSTOMERS AS e7 ON e7.email = x6.external_id_value
    WHERE e7.id IS NOT NULL
      AND p5.vip = TRUE
  )
  AND NOT COALESCE(t.id IN (
    SELECT e10.id
    FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p8
    JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x9 ON x9.segment_id = p8.segment_id AND x9.external_id_type = 'email'
    JOIN SHOP.CRM.CUSTOMERS AS e10 ON e10.email = x9.external_id_value
    WHERE e10.id IS NOT NULL
      AND p8.email_opt_out = TRUE
  ), FALSE)
  AND t.id IN (
    SELECT e13.id
    FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p11
    JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x12 ON x12.segment_id = p11.segment_id AND x12.external_id_type = 'email'
    JOIN SHOP.CRM.CUSTOMERS AS e13 ON e13.email = x12.external_id_value
    WHERE e13.id IS NOT NULL
      AND p11.segment_id IN (
        SELECT v14.segment_id
        FROM SEGMENT.PROFILES.TRACKS AS v14
        WHERE v14.event = 'Order Completed'
          AND v14.segment_id IS NOT NULL
          AND v14.timestamp BETWEEN (current_timestamp() - INTERVAL 30 DAYS) AND current_timestamp()
      )
  )
  AND t.active = TRUE
  AND (
    NOT COALESCE(t.id IN (
        SELECT s15.member_id
        FROM lac.snapshot_ks_active_customers AS s15
        WHERE s15.member_id IS NOT NULL
      ), FALSE)
    OR t.score > 0.9
  );
