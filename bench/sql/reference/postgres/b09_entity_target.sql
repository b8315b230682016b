-- b09_entity_target: business accounts with a past-due subscription whose
-- owner (some associated profile) is a VIP.
SELECT a.id AS member_id
FROM bank.accounts AS a
WHERE a.plan = 'business'
  AND a.id IN (SELECT account_id FROM bank.subscriptions WHERE status = 'past_due')
  AND EXISTS (
    SELECT 1
    FROM profiles.external_id_mapping AS x
    JOIN profiles.profile_traits AS p ON p.segment_id = x.segment_id
    WHERE x.external_id_type = 'user_id'
      AND x.external_id_value = a.owner_user_id
      AND p.vip
  );
