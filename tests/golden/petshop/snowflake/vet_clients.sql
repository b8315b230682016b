-- audience vet_clients (audiences/care.lac:5), dialect snowflake
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT x1.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x1
    JOIN PETS.PUBLIC.HOUSEHOLDS AS e2 ON e2.owner_email = x1.external_id_value
    JOIN PETS.PUBLIC.HOUSEHOLD_VETS AS j3 ON j3.household_id = e2.id
    JOIN PETS.PUBLIC.VETS AS e4 ON e4.id = j3.vet_id
    WHERE x1.external_id_type = 'email'
      AND x1.segment_id IS NOT NULL
      AND j3.id IS NOT NULL
      AND (
        CONTAINS(e4.name, '100%')
        OR ENDSWITH(e4.name, '_Vet')
      )
  );
