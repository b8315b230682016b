-- audience ks_trait_predicates (audiences/predicates.lac:4), dialect bigquery
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE ENDS_WITH(p.email, '@example.com')
  AND NOT (STRPOS(p.email, '+') > 0)
  AND STARTS_WITH(p.first_name, 'A')
  AND STRPOS(p.first_name, 'n') > 0
  AND p.first_name <> 'Zoë "Z" O\\Neil\n	'
  AND p.plan IN ('pro', 'team', 'enterprise')
  AND p.plan NOT IN ('free', 'trial')
  AND p.ltv BETWEEN -5 AND 1000.5
  AND p.vip <> FALSE
  AND p.email_opt_out IS NULL
  AND p.birthday BETWEEN DATE '1950-01-01' AND DATE '2005-12-31'
  AND p.birthday < DATE_SUB(DATE(CURRENT_TIMESTAMP()), INTERVAL 364 DAY)
  AND p.wake_time BETWEEN TIME '05:00:00' AND TIME '09:30:00'
  AND p.last_login > TIMESTAMP '2025-01-01 00:00:00+00'
  AND p.last_login BETWEEN TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 30 DAY) AND CURRENT_TIMESTAMP()
  AND p.address IS NOT NULL
  AND JSON_VALUE(p.address, '$.city') = 'Paris'
  AND NOT COALESCE(JSON_VALUE(p.address, '$.zip') IS NULL, FALSE)
  AND JSON_VALUE(p.address, '$.country') IN ('FR', 'BE');
