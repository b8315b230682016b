-- audience multi_dog_owners (audiences/pets.lac:22), dialect redshift
-- the statements of a run, in order (run id '<run_id>', generation 1)

-- audience multi_dog_owners (audiences/pets.lac:22): lac's tables
CREATE SCHEMA IF NOT EXISTS lac;

-- audience multi_dog_owners (audiences/pets.lac:22): lac's tables
CREATE TABLE IF NOT EXISTS lac.lac_generation (audience VARCHAR(255) PRIMARY KEY, generation BIGINT NOT NULL);

-- audience multi_dog_owners (audiences/pets.lac:22): lac's tables
CREATE TABLE IF NOT EXISTS lac.lac_membership_log (member_id VARCHAR(65535) NOT NULL, audience VARCHAR(65535) NOT NULL, change VARCHAR(65535) NOT NULL, run_id VARCHAR(65535) NOT NULL, "at" VARCHAR(65535) NOT NULL);

-- audience multi_dog_owners (audiences/pets.lac:22): duplicate primary keys of entity household
SELECT CAST(id AS VARCHAR(65535)), COUNT(*) FROM PETS.PUBLIC.HOUSEHOLDS WHERE id IS NOT NULL GROUP BY id HAVING COUNT(*) > 1 LIMIT 1;

-- audience multi_dog_owners (audiences/pets.lac:22): duplicate primary keys of entity pet
SELECT CAST(id AS VARCHAR(65535)), COUNT(*) FROM PETS.PUBLIC.PETS WHERE id IS NOT NULL GROUP BY id HAVING COUNT(*) > 1 LIMIT 1;

-- audience multi_dog_owners (audiences/pets.lac:22): materialize the new snapshot (members)
DROP TABLE IF EXISTS lac.snapshot_multi_dog_owners__new;

-- audience multi_dog_owners (audiences/pets.lac:22): materialize the new snapshot (members)
CREATE TABLE lac.snapshot_multi_dog_owners__new AS
SELECT DISTINCT m.member_id
FROM (
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
  )
) AS m
WHERE m.member_id IS NOT NULL;

-- audience multi_dog_owners (audiences/pets.lac:22): materialize the matched entities of the new snapshot
DROP TABLE IF EXISTS lac.snapshot_multi_dog_owners__ent__new;

-- audience multi_dog_owners (audiences/pets.lac:22): materialize the matched entities of the new snapshot
CREATE TABLE lac.snapshot_multi_dog_owners__ent__new AS
SELECT CAST('households.pets' AS VARCHAR(65535)) AS path, CAST(x.member_id AS VARCHAR(65535)) AS member_id, CAST(x.entity_id AS VARCHAR(65535)) AS entity_id
FROM (
WITH members AS (
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
    )
)
SELECT DISTINCT m.member_id, e7.id AS entity_id
FROM members AS m
JOIN SEGMENT.PROFILES.PROFILE_TRAITS AS r4 ON r4.segment_id = m.member_id
JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x5 ON x5.segment_id = r4.segment_id AND x5.external_id_type = 'email'
JOIN PETS.PUBLIC.HOUSEHOLDS AS e6 ON e6.owner_email = x5.external_id_value
JOIN PETS.PUBLIC.PETS AS e7 ON e7.household_id = e6.id
WHERE e7.id IS NOT NULL
  AND e7.type = 'dog'
) AS x
WHERE x.entity_id IS NOT NULL;

-- audience multi_dog_owners (audiences/pets.lac:22): the previous snapshot (created empty on a fresh warehouse)
CREATE TABLE IF NOT EXISTS lac.snapshot_multi_dog_owners (LIKE lac.snapshot_multi_dog_owners__new);

-- audience multi_dog_owners (audiences/pets.lac:22): the previous snapshot (created empty on a fresh warehouse)
CREATE TABLE IF NOT EXISTS lac.snapshot_multi_dog_owners__ent (LIKE lac.snapshot_multi_dog_owners__ent__new);

-- audience multi_dog_owners (audiences/pets.lac:22): count the members that entered and exited
SELECT (SELECT COUNT(*) FROM (SELECT member_id FROM lac.snapshot_multi_dog_owners__new EXCEPT SELECT member_id FROM lac.snapshot_multi_dog_owners) AS d), (SELECT COUNT(*) FROM (SELECT member_id FROM lac.snapshot_multi_dog_owners EXCEPT SELECT member_id FROM lac.snapshot_multi_dog_owners__new) AS d);

-- audience multi_dog_owners (audiences/pets.lac:22): membership log (entered)
INSERT INTO lac.lac_membership_log (member_id, audience, change, run_id, "at")
SELECT CAST(d.member_id AS VARCHAR(65535)), 'multi_dog_owners', 'entered', '<run_id>', '2026-01-15T12:00:00Z'
FROM (SELECT member_id FROM lac.snapshot_multi_dog_owners__new EXCEPT SELECT member_id FROM lac.snapshot_multi_dog_owners) AS d
WHERE NOT EXISTS (SELECT 1 FROM lac.lac_membership_log AS l WHERE l.run_id = '<run_id>' AND l.audience = 'multi_dog_owners' AND l.change = 'entered');

-- audience multi_dog_owners (audiences/pets.lac:22): membership log (exited)
INSERT INTO lac.lac_membership_log (member_id, audience, change, run_id, "at")
SELECT CAST(d.member_id AS VARCHAR(65535)), 'multi_dog_owners', 'exited', '<run_id>', '2026-01-15T12:00:00Z'
FROM (SELECT member_id FROM lac.snapshot_multi_dog_owners EXCEPT SELECT member_id FROM lac.snapshot_multi_dog_owners__new) AS d
WHERE NOT EXISTS (SELECT 1 FROM lac.lac_membership_log AS l WHERE l.run_id = '<run_id>' AND l.audience = 'multi_dog_owners' AND l.change = 'exited');

-- audience multi_dog_owners (audiences/pets.lac:22): events of activation dog_bundle (entity added)
WITH d AS (SELECT d.member_id AS m, d.entity_id AS e, CASE WHEN d.member_id IN (SELECT CAST(n.member_id AS VARCHAR(65535)) FROM lac.snapshot_multi_dog_owners__new AS n) THEN 1 ELSE 0 END AS im, 0 AS c FROM (SELECT member_id, entity_id FROM lac.snapshot_multi_dog_owners__ent__new WHERE path = 'households.pets' EXCEPT SELECT member_id, entity_id FROM lac.snapshot_multi_dog_owners__ent WHERE path = 'households.pets') AS d)
SELECT d.m, d.e, d.im, d.c, 0 AS k, CAST(NULL AS VARCHAR(65535)), CAST(NULL AS VARCHAR(65535)), CAST(NULL AS VARCHAR(65535)), CAST(NULL AS VARCHAR(65535))
FROM d
UNION ALL
SELECT d.m, d.e, d.im, d.c, 1, CAST(x.external_id_type AS VARCHAR(65535)), CAST(x.external_id_value AS VARCHAR(65535)), CAST(NULL AS VARCHAR(65535)), CAST(NULL AS VARCHAR(65535))
FROM d JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x ON x.segment_id = d.m WHERE x.external_id_type = 'user_id'
UNION ALL
SELECT DISTINCT d.m, d.e, d.im, d.c, 2, CAST(e0.id AS VARCHAR(65535)), CAST(e1.id AS VARCHAR(65535)), CAST(e1.name AS VARCHAR(65535)), CAST(e1.age AS VARCHAR(65535))
FROM d JOIN lac.snapshot_multi_dog_owners__ent__new AS cx ON cx.path = 'households.pets' AND cx.member_id = d.m AND d.c <> 1
JOIN PETS.PUBLIC.PETS AS e1 ON CAST(e1.id AS VARCHAR(65535)) = cx.entity_id
JOIN PETS.PUBLIC.HOUSEHOLDS AS e0 ON e0.id = e1.household_id
WHERE EXISTS (SELECT 1 FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x WHERE x.segment_id = d.m AND x.external_id_type = 'email' AND x.external_id_value = e0.owner_email)
UNION ALL
SELECT DISTINCT d.m, d.e, d.im, d.c, 2, CAST(e0.id AS VARCHAR(65535)), CAST(e1.id AS VARCHAR(65535)), CAST(e1.name AS VARCHAR(65535)), CAST(e1.age AS VARCHAR(65535))
FROM d JOIN lac.snapshot_multi_dog_owners__ent AS cx ON cx.path = 'households.pets' AND cx.member_id = d.m AND d.c = 1
JOIN PETS.PUBLIC.PETS AS e1 ON CAST(e1.id AS VARCHAR(65535)) = cx.entity_id
JOIN PETS.PUBLIC.HOUSEHOLDS AS e0 ON e0.id = e1.household_id
WHERE EXISTS (SELECT 1 FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x WHERE x.segment_id = d.m AND x.external_id_type = 'email' AND x.external_id_value = e0.owner_email)
ORDER BY 1, 2, 4, 5, 6, 7, 8, 9;

-- audience multi_dog_owners (audiences/pets.lac:22): swap the snapshots (one transaction)
BEGIN;

-- audience multi_dog_owners (audiences/pets.lac:22): swap the snapshots (one transaction)
DROP TABLE IF EXISTS lac.snapshot_multi_dog_owners;

-- audience multi_dog_owners (audiences/pets.lac:22): swap the snapshots (one transaction)
ALTER TABLE lac.snapshot_multi_dog_owners__new RENAME TO snapshot_multi_dog_owners;

-- audience multi_dog_owners (audiences/pets.lac:22): swap the snapshots (one transaction)
DROP TABLE IF EXISTS lac.snapshot_multi_dog_owners__ent;

-- audience multi_dog_owners (audiences/pets.lac:22): swap the snapshots (one transaction)
ALTER TABLE lac.snapshot_multi_dog_owners__ent__new RENAME TO snapshot_multi_dog_owners__ent;

-- audience multi_dog_owners (audiences/pets.lac:22): swap the snapshots (one transaction)
DELETE FROM lac.lac_generation WHERE audience = 'multi_dog_owners';

-- audience multi_dog_owners (audiences/pets.lac:22): swap the snapshots (one transaction)
INSERT INTO lac.lac_generation (audience, generation) VALUES ('multi_dog_owners', 1);

-- audience multi_dog_owners (audiences/pets.lac:22): swap the snapshots (one transaction)
COMMIT;
