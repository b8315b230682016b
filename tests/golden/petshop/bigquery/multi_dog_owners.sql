-- audience multi_dog_owners (audiences/pets.lac:22), dialect bigquery
-- membership: one row per member (profile id)
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT x1.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x1
    JOIN PETS.PUBLIC.HOUSEHOLDS AS e2 ON e2.owner_email = x1.external_id_value
    JOIN PETS.PUBLIC.PETS AS e3 ON e3.household_id = e2.id
    WHERE x1.external_id_type = 'email'
      AND e3.type = 'dog'
    GROUP BY x1.segment_id
    HAVING COUNT(DISTINCT e3.id) >= 2
  );
