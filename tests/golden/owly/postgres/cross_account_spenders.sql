-- audience cross_account_spenders (audiences/owly.lac:37), dialect postgres
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT d4.k
    FROM (
      SELECT DISTINCT x1.segment_id AS k, e3.id AS pk, e3.amount AS v
      FROM PROFILES.EXTERNAL_ID_MAPPING AS x1
      JOIN BANK.ACCOUNTS AS e2 ON e2.owner_user_id = x1.external_id_value
      JOIN BANK.TRANSACTIONS AS e3 ON e3.account_id = e2.id
      WHERE x1.external_id_type = 'user_id'
        AND x1.segment_id IS NOT NULL
        AND e3.id IS NOT NULL
    ) AS d4
    GROUP BY d4.k
    HAVING COUNT(*) >= 1 AND SUM(d4.v) > 2000
  );
