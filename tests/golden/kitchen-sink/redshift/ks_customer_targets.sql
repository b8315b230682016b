-- audience ks_customer_targets (audiences/accounts.lac:12), dialect redshift
-- membership: one row per member (target entity primary key)
SELECT t.id AS member_id
FROM SHOP.CRM.CUSTOMERS AS t
WHERE t.id IS NOT NULL
  AND t.region IN ('EU', 'UK')
  AND t.id IN (
    SELECT e1.customer_id
    FROM SHOP.SALES.ORDERS AS e1
    WHERE e1.id IS NOT NULL
      AND (
        e1.status = 'completed'
        AND e1.total > 10
      )
    GROUP BY e1.customer_id
    HAVING COUNT(*) >= 1
  )
  AND EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p2
    JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x3 ON x3.segment_id = p2.segment_id AND x3.external_id_type = 'email'
    WHERE x3.external_id_value = t.email
      AND p2.vip = TRUE
  )
  AND NOT EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p4
    JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x5 ON x5.segment_id = p4.segment_id AND x5.external_id_type = 'email'
    WHERE x5.external_id_value = t.email
      AND p4.email_opt_out = TRUE
  )
  AND EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p6
    JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x7 ON x7.segment_id = p6.segment_id AND x7.external_id_type = 'email'
    WHERE x7.external_id_value = t.email
      AND p6.segment_id IN (
        SELECT v8.segment_id
        FROM SEGMENT.PROFILES.TRACKS AS v8
        WHERE v8.event = 'Order Completed'
          AND v8.segment_id IS NOT NULL
          AND v8.timestamp BETWEEN DATEADD(day, -30, GETDATE()) AND GETDATE()
      )
  )
  AND t.active = TRUE
  AND (
    NOT COALESCE(t.id IN (
        SELECT s9.member_id
        FROM lac.snapshot_ks_active_customers AS s9
        WHERE s9.member_id IS NOT NULL
      ), FALSE)
    OR t.score > 0.9
  );
