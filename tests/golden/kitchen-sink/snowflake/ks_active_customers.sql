-- audience ks_active_customers (audiences/accounts.lac:4), dialect snowflake
-- membership: one row per member (target entity primary key)
SELECT t.id AS member_id
FROM SHOP.CRM.CUSTOMERS AS t
WHERE t.id IS NOT NULL
  AND EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p1
    JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x2 ON x2.segment_id = p1.segment_id AND x2.external_id_type = 'email'
    WHERE x2.external_id_value = t.email
  )
  AND t.active = TRUE;
