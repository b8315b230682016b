-- audience ks_trait_predicates (audiences/predicates.lac:4), dialect snowflake
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE ENDSWITH(p.email, '@example.com')
  AND NOT (CONTAINS(p.email, '+'))
  AND STARTSWITH(p.first_name, 'A')
  AND CONTAINS(p.first_name, 'n')
  AND p.first_name <> 'Zoë "Z" O\\Neil
	'
  AND p.plan IN ('pro', 'team', 'enterprise')
  AND p.plan NOT IN ('free', 'trial')
  AND p.ltv BETWEEN -5 AND 1000.5
  AND p.vip <> FALSE
  AND p.email_opt_out IS NULL
  AND p.birthday BETWEEN DATE '1950-01-01' AND DATE '2005-12-31'
  AND p.birthday < DATEADD(day, -364, CAST(SYSDATE() AS DATE))
  AND p.wake_time BETWEEN TIME '05:00:00' AND TIME '09:30:00'
  AND p.last_login > TIMESTAMP '2025-01-01 00:00:00'
  AND p.last_login BETWEEN DATEADD(day, -30, SYSDATE()) AND SYSDATE()
  AND p.address IS NOT NULL
  AND CASE WHEN NOT (IS_OBJECT(p.address['city']) OR IS_ARRAY(p.address['city'])) THEN (p.address['city'])::STRING END = 'Paris'
  AND NOT COALESCE(CASE WHEN NOT (IS_OBJECT(p.address['zip']) OR IS_ARRAY(p.address['zip'])) THEN (p.address['zip'])::STRING END IS NULL, FALSE)
  AND CASE WHEN NOT (IS_OBJECT(p.address['country']) OR IS_ARRAY(p.address['country'])) THEN (p.address['country'])::STRING END IN ('FR', 'BE');
