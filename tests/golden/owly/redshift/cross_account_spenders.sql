-- audience cross_account_spenders (audiences/owly.lac:37), dialect redshift
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT x1.segment_id
    FROM (
      SELECT DISTINCT q4.segment_id, q4.external_id_value
      FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS q4
      WHERE q4.external_id_type = 'user_id'
        AND q4.segment_id IS NOT NULL
        AND q4.external_id_value IN (SELECT e5.owner_user_id FROM OWLY.BANK.ACCOUNTS AS e5)
    ) AS x1
    JOIN OWLY.BANK.ACCOUNTS AS e2 ON e2.owner_user_id = x1.external_id_value
    JOIN OWLY.BANK.TRANSACTIONS AS e3 ON e3.account_id = e2.id
    WHERE e3.id IS NOT NULL
    GROUP BY x1.segment_id
    HAVING COUNT(*) >= 1 AND SUM(e3.amount) > 2000
  );
