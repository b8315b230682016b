-- audience ks_trait_predicates (audiences/predicates.lac:4), dialect databricks
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE endswith(p.email, '@example.com')
  AND NOT (contains(p.email, '+'))
  AND startswith(p.first_name, 'A')
  AND contains(p.first_name, 'n')
  AND p.first_name <> 'Zoë "Z" O\\Neil\n	'
  AND p.plan IN ('pro', 'team', 'enterprise')
  AND p.plan NOT IN ('free', 'trial')
  AND p.ltv BETWEEN -5 AND 1000.5
  AND p.vip <> FALSE
  AND p.email_opt_out IS NULL
  AND p.birthday BETWEEN DATE '1950-01-01' AND DATE '2005-12-31'
  AND p.birthday < date_add(CAST(current_timestamp() AS DATE), -364)
  AND p.wake_time BETWEEN '05:00:00' AND '09:30:00'
  AND p.last_login > TIMESTAMP '2025-01-01 00:00:00'
  AND p.last_login BETWEEN (current_timestamp() - INTERVAL 30 DAYS) AND current_timestamp()
  AND p.address IS NOT NULL
  AND CASE WHEN json_object_keys(get_json_object(p.address, '$.city')) IS NULL AND json_array_length(get_json_object(p.address, '$.city')) IS NULL THEN get_json_object(p.address, '$.city') END = 'Paris'
  AND NOT COALESCE(CASE WHEN json_object_keys(get_json_object(p.address, '$.zip')) IS NULL AND json_array_length(get_json_object(p.address, '$.zip')) IS NULL THEN get_json_object(p.address, '$.zip') END IS NULL, FALSE)
  AND CASE WHEN json_object_keys(get_json_object(p.address, '$.country')) IS NULL AND json_array_length(get_json_object(p.address, '$.country')) IS NULL THEN get_json_object(p.address, '$.country') END IN ('FR', 'BE');
