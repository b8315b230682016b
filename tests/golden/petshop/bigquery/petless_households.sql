-- audience petless_households (audiences/pets.lac:39), dialect bigquery
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT x1.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x1
    JOIN PETS.PUBLIC.HOUSEHOLDS AS e2 ON e2.owner_email = x1.external_id_value
    WHERE x1.external_id_type = 'email'
      AND x1.segment_id IS NOT NULL
      AND e2.id IS NOT NULL
      AND NOT EXISTS (
        SELECT 1
        FROM PETS.PUBLIC.PETS AS e3
        WHERE e3.household_id = e2.id
          AND e3.household_id IS NOT NULL
          AND e3.id IS NOT NULL
      )
  );
