-- audience ks_trait_predicates (audiences/predicates.lac:4), dialect redshift
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE RIGHT(p.email, LENGTH('@example.com')) = '@example.com'
  AND NOT (STRPOS(p.email, '+') > 0)
  AND STRPOS(p.first_name, 'A') = 1
  AND STRPOS(p.first_name, 'n') > 0
  AND p.first_name <> 'Zoë "Z" O\\Neil
	'
  AND p.plan IN ('pro', 'team', 'enterprise')
  AND p.plan NOT IN ('free', 'trial')
  AND p.ltv BETWEEN -5 AND 1000.5
  AND p.vip <> FALSE
  AND p.email_opt_out IS NULL
  AND p.birthday BETWEEN DATE '1950-01-01' AND DATE '2005-12-31'
  AND p.birthday < (CAST(GETDATE() AS DATE) - 364)
  AND p.wake_time BETWEEN TIME '05:00:00' AND TIME '09:30:00'
  AND p.last_login > TIMESTAMP '2025-01-01 00:00:00'
  AND p.last_login BETWEEN DATEADD(day, -30, GETDATE()) AND GETDATE()
  AND p.address IS NOT NULL
  AND CASE WHEN NOT ((LEFT(JSON_EXTRACT_PATH_TEXT(p.address, 'city', TRUE), 1) = '{' AND IS_VALID_JSON(JSON_EXTRACT_PATH_TEXT(p.address, 'city', TRUE))) OR (LEFT(JSON_EXTRACT_PATH_TEXT(p.address, 'city', TRUE), 1) = '[' AND IS_VALID_JSON_ARRAY(JSON_EXTRACT_PATH_TEXT(p.address, 'city', TRUE)))) THEN JSON_EXTRACT_PATH_TEXT(p.address, 'city', TRUE) END = 'Paris'
  AND NOT COALESCE(CASE WHEN NOT ((LEFT(JSON_EXTRACT_PATH_TEXT(p.address, 'zip', TRUE), 1) = '{' AND IS_VALID_JSON(JSON_EXTRACT_PATH_TEXT(p.address, 'zip', TRUE))) OR (LEFT(JSON_EXTRACT_PATH_TEXT(p.address, 'zip', TRUE), 1) = '[' AND IS_VALID_JSON_ARRAY(JSON_EXTRACT_PATH_TEXT(p.address, 'zip', TRUE)))) THEN JSON_EXTRACT_PATH_TEXT(p.address, 'zip', TRUE) END IS NULL, FALSE)
  AND CASE WHEN NOT ((LEFT(JSON_EXTRACT_PATH_TEXT(p.address, 'country', TRUE), 1) = '{' AND IS_VALID_JSON(JSON_EXTRACT_PATH_TEXT(p.address, 'country', TRUE))) OR (LEFT(JSON_EXTRACT_PATH_TEXT(p.address, 'country', TRUE), 1) = '[' AND IS_VALID_JSON_ARRAY(JSON_EXTRACT_PATH_TEXT(p.address, 'country', TRUE)))) THEN JSON_EXTRACT_PATH_TEXT(p.address, 'country', TRUE) END IN ('FR', 'BE');
