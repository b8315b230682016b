-- audience ks_trait_predicates (audiences/predicates.lac:4), dialect sqlite
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE substr(p.email, length(p.email) - length('@example.com') + 1) = '@example.com'
  AND NOT (instr(p.email, '+') > 0)
  AND substr(p.first_name, 1, length('A')) = 'A'
  AND instr(p.first_name, 'n') > 0
  AND p.first_name <> 'Zoë "Z" O\Neil
	'
  AND p.plan IN ('pro', 'team', 'enterprise')
  AND p.plan NOT IN ('free', 'trial')
  AND p.ltv BETWEEN -5 AND 1000.5
  AND p.vip <> FALSE
  AND p.email_opt_out IS NULL
  AND date(p.birthday) BETWEEN date('1950-01-01') AND date('2005-12-31')
  AND date(p.birthday) < date('now', '-364 days')
  AND time(p.wake_time) BETWEEN time('05:00:00') AND time('09:30:00')
  AND julianday(p.last_login) > julianday('2025-01-01 00:00:00')
  AND p.last_login >= date(julianday('now', '-30 days')) AND p.last_login < date(julianday('now'), '+1 days') AND julianday(p.last_login) BETWEEN julianday('now', '-30 days') AND julianday('now')
  AND p.address IS NOT NULL
  AND CASE json_type(CASE WHEN json_valid(p.address) THEN p.address END, '$.city') WHEN 'text' THEN json_extract(CASE WHEN json_valid(p.address) THEN p.address END, '$.city') WHEN 'integer' THEN trim(CASE WHEN json_valid(p.address) THEN p.address END -> '$.city', '"') WHEN 'real' THEN CAST(json_extract(CASE WHEN json_valid(p.address) THEN p.address END, '$.city') AS TEXT) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END = 'Paris'
  AND NOT COALESCE(CASE json_type(CASE WHEN json_valid(p.address) THEN p.address END, '$.zip') WHEN 'text' THEN json_extract(CASE WHEN json_valid(p.address) THEN p.address END, '$.zip') WHEN 'integer' THEN trim(CASE WHEN json_valid(p.address) THEN p.address END -> '$.zip', '"') WHEN 'real' THEN CAST(json_extract(CASE WHEN json_valid(p.address) THEN p.address END, '$.zip') AS TEXT) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END IS NULL, FALSE)
  AND CASE json_type(CASE WHEN json_valid(p.address) THEN p.address END, '$.country') WHEN 'text' THEN json_extract(CASE WHEN json_valid(p.address) THEN p.address END, '$.country') WHEN 'integer' THEN trim(CASE WHEN json_valid(p.address) THEN p.address END -> '$.country', '"') WHEN 'real' THEN CAST(json_extract(CASE WHEN json_valid(p.address) THEN p.address END, '$.country') AS TEXT) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END IN ('FR', 'BE');
