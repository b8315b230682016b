-- audience upgrade_candidates (audiences/subscriptions.lac:42), dialect sqlite
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILE_TRAITS AS p
WHERE p.account_id IN (
    SELECT e1.id
    FROM ACCOUNTS AS e1
    JOIN SUBSCRIPTIONS AS e2 ON e2.account_id = e1.id
    WHERE e1.id IS NOT NULL
      AND e2.id IS NOT NULL
      AND (
        e2.status = 'active'
        AND e2.tier = 'basic'
      )
  )
  AND NOT COALESCE(p.account_id IN (
    SELECT e3.id
    FROM ACCOUNTS AS e3
    JOIN SUBSCRIPTIONS AS e4 ON e4.account_id = e3.id
    WHERE e3.id IS NOT NULL
      AND e4.id IS NOT NULL
      AND (
        e4.status = 'active'
        AND e4.tier = 'premium'
      )
  ), FALSE)
  AND NOT EXISTS (
    SELECT 1
    FROM TRACKS AS v5
    WHERE v5.segment_id = p.segment_id
      AND v5.event = 'Plan Upgraded'
      AND v5.segment_id IS NOT NULL
      AND v5.timestamp >= date(julianday('now', '-30 days')) AND v5.timestamp < date(julianday('now'), '+1 days') AND julianday(v5.timestamp) BETWEEN julianday('now', '-30 days') AND julianday('now')
  );
