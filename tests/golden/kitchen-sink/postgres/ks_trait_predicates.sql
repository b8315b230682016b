-- audience ks_trait_predicates (audiences/predicates.lac:4), dialect postgres
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILES.PROFILE_TRAITS AS p
WHERE right(p.email, length('@example.com')) = '@example.com'
  AND NOT (strpos(p.email, '+') > 0)
  AND starts_with(p.first_name, 'A')
  AND strpos(p.first_name, 'n') > 0
  AND p.first_name <> 'Zoë "Z" O\Neil
	'
  AND p.plan IN ('pro', 'team', 'enterprise')
  AND p.plan NOT IN ('free', 'trial')
  AND p.ltv BETWEEN -5 AND 1000.5
  AND p.vip <> FALSE
  AND p.email_opt_out IS NULL
  AND p.birthday BETWEEN DATE '1950-01-01' AND DATE '2005-12-31'
  AND p.birthday < (CAST((now() AT TIME ZONE 'UTC') AS DATE) - 364)
  AND p.wake_time BETWEEN TIME '05:00:00' AND TIME '09:30:00'
  AND p.last_login > TIMESTAMP '2025-01-01 00:00:00'
  AND p.last_login BETWEEN ((now() AT TIME ZONE 'UTC') - INTERVAL '30 days') AND (now() AT TIME ZONE 'UTC')
  AND p.address IS NOT NULL
  AND CASE WHEN jsonb_typeof(to_jsonb(p.address #> '{city}')) IN ('string', 'number', 'boolean') THEN (p.address #>> '{city}') END = 'Paris'
  AND NOT COALESCE(CASE WHEN jsonb_typeof(to_jsonb(p.address #> '{zip}')) IN ('string', 'number', 'boolean') THEN (p.address #>> '{zip}') END IS NULL, FALSE)
  AND CASE WHEN jsonb_typeof(to_jsonb(p.address #> '{country}')) IN ('string', 'number', 'boolean') THEN (p.address #>> '{country}') END IN ('FR', 'BE');
