-- b01_trait: ltv > 2500, plan pro/enterprise, not opted out (null counts as not).
SELECT segment_id AS member_id
FROM profiles.profile_traits
WHERE ltv > 2500
  AND plan IN ('pro', 'enterprise')
  AND email_opt_out IS NOT TRUE;
