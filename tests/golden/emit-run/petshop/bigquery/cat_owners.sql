-- audience cat_owners (audiences/pets.lac:3), dialect bigquery
-- the statements of a run, in order (run id '<run_id>', generation 1)

-- audience cat_owners (audiences/pets.lac:3): lac's tables
CREATE SCHEMA IF NOT EXISTS lac;

-- audience cat_owners (audiences/pets.lac:3): lac's tables
CREATE TABLE IF NOT EXISTS lac.lac_generation (audience STRING NOT NULL, generation BIGINT NOT NULL);

-- audience cat_owners (audiences/pets.lac:3): lac's tables
CREATE TABLE IF NOT EXISTS lac.lac_membership_log (member_id STRING NOT NULL, audience STRING NOT NULL, change STRING NOT NULL, run_id STRING NOT NULL, `at` STRING NOT NULL) CLUSTER BY run_id;

-- audience cat_owners (audiences/pets.lac:3): duplicate primary keys of entity household
SELECT CAST(id AS STRING), COUNT(*) FROM PETS.PUBLIC.HOUSEHOLDS WHERE id IS NOT NULL GROUP BY id HAVING COUNT(*) > 1 LIMIT 1;

-- audience cat_owners (audiences/pets.lac:3): duplicate primary keys of entity pet
SELECT CAST(id AS STRING), COUNT(*) FROM PETS.PUBLIC.PETS WHERE id IS NOT NULL GROUP BY id HAVING COUNT(*) > 1 LIMIT 1;

-- audience cat_owners (audiences/pets.lac:3): materialize the new snapshot (members)
DROP TABLE IF EXISTS lac.snapshot_cat_owners__new;

-- audience cat_owners (audiences/pets.lac:3): materialize the new snapshot (members)
CREATE TABLE lac.snapshot_cat_owners__new AS
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
      AND x1.segment_id IS NOT NULL
      AND e3.id IS NOT NULL
      AND e3.type = 'cat'
  )
) AS m
WHERE m.member_id IS NOT NULL;

-- audience cat_owners (audiences/pets.lac:3): materialize the matched entities of the new snapshot
DROP TABLE IF EXISTS lac.snapshot_cat_owners__ent__new;

-- audience cat_owners (audiences/pets.lac:3): materialize the matched entities of the new snapshot
CREATE TABLE lac.snapshot_cat_owners__ent__new AS
SELECT CAST('households.pets' AS STRING) AS path, CAST(x.member_id AS STRING) AS member_id, CAST(x.entity_id AS STRING) AS entity_id
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
        AND x1.segment_id IS NOT NULL
        AND e3.id IS NOT NULL
        AND e3.type = 'cat'
    )
)
SELECT DISTINCT m.member_id, e7.id AS entity_id
FROM members AS m
JOIN SEGMENT.PROFILES.PROFILE_TRAITS AS r4 ON r4.segment_id = m.member_id
JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x5 ON x5.segment_id = r4.segment_id AND x5.external_id_type = 'email'
JOIN PETS.PUBLIC.HOUSEHOLDS AS e6 ON e6.owner_email = x5.external_id_value
JOIN PETS.PUBLIC.PETS AS e7 ON e7.household_id = e6.id
WHERE e7.id IS NOT NULL
  AND e7.type = 'cat'
) AS x
WHERE x.entity_id IS NOT NULL;

-- audience cat_owners (audiences/pets.lac:3): the previous snapshot (created empty on a fresh warehouse)
CREATE TABLE IF NOT EXISTS lac.snapshot_cat_owners AS SELECT * FROM lac.snapshot_cat_owners__new WHERE 1 = 0;

-- audience cat_owners (audiences/pets.lac:3): the previous snapshot (created empty on a fresh warehouse)
CREATE TABLE IF NOT EXISTS lac.snapshot_cat_owners__ent AS SELECT * FROM lac.snapshot_cat_owners__ent__new WHERE 1 = 0;

-- audience cat_owners (audiences/pets.lac:3): count the members that entered and exited
SELECT (SELECT COUNT(*) FROM (SELECT member_id FROM lac.snapshot_cat_owners__new EXCEPT DISTINCT SELECT member_id FROM lac.snapshot_cat_owners) AS d), (SELECT COUNT(*) FROM (SELECT member_id FROM lac.snapshot_cat_owners EXCEPT DISTINCT SELECT member_id FROM lac.snapshot_cat_owners__new) AS d);

-- audience cat_owners (audiences/pets.lac:3): membership log (entered)
INSERT INTO lac.lac_membership_log (member_id, audience, change, run_id, `at`)
SELECT CAST(d.member_id AS STRING), 'cat_owners', 'entered', '<run_id>', '2026-01-15T12:00:00Z'
FROM (SELECT member_id FROM lac.snapshot_cat_owners__new EXCEPT DISTINCT SELECT member_id FROM lac.snapshot_cat_owners) AS d
WHERE NOT EXISTS (SELECT 1 FROM lac.lac_membership_log AS l WHERE l.run_id = '<run_id>' AND l.audience = 'cat_owners' AND l.change = 'entered');

-- audience cat_owners (audiences/pets.lac:3): membership log (exited)
INSERT INTO lac.lac_membership_log (member_id, audience, change, run_id, `at`)
SELECT CAST(d.member_id AS STRING), 'cat_owners', 'exited', '<run_id>', '2026-01-15T12:00:00Z'
FROM (SELECT member_id FROM lac.snapshot_cat_owners EXCEPT DISTINCT SELECT member_id FROM lac.snapshot_cat_owners__new) AS d
WHERE NOT EXISTS (SELECT 1 FROM lac.lac_membership_log AS l WHERE l.run_id = '<run_id>' AND l.audience = 'cat_owners' AND l.change = 'exited');

-- audience cat_owners (audiences/pets.lac:3): events of activation welcome_cat (profile entered)
WITH d AS (SELECT CAST(d.member_id AS STRING) AS m, CAST(NULL AS STRING) AS e, 1 AS im, 0 AS c FROM (SELECT member_id FROM lac.snapshot_cat_owners__new EXCEPT DISTINCT SELECT member_id FROM lac.snapshot_cat_owners) AS d)
SELECT d.m, d.e, d.im, d.c, 0 AS k, CAST(t.email AS STRING), CAST(t.first_name AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING)
FROM d LEFT JOIN SEGMENT.PROFILES.PROFILE_TRAITS AS t ON t.segment_id = d.m
UNION ALL
SELECT d.m, d.e, d.im, d.c, 1, CAST(x.external_id_type AS STRING), CAST(x.external_id_value AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING)
FROM d JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x ON x.segment_id = d.m WHERE x.external_id_type = 'user_id'
UNION ALL
SELECT DISTINCT d.m, d.e, d.im, d.c, 2, CAST(e0.id AS STRING), CAST(e1.id AS STRING), CAST(e1.type AS STRING), CAST(e1.age AS STRING)
FROM d JOIN lac.snapshot_cat_owners__ent__new AS cx ON cx.path = 'households.pets' AND cx.member_id = d.m AND d.c <> 1
JOIN PETS.PUBLIC.PETS AS e1 ON CAST(e1.id AS STRING) = cx.entity_id
JOIN PETS.PUBLIC.HOUSEHOLDS AS e0 ON e0.id = e1.household_id
WHERE EXISTS (SELECT 1 FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x WHERE x.segment_id = d.m AND x.external_id_type = 'email' AND x.external_id_value = e0.owner_email)
UNION ALL
SELECT DISTINCT d.m, d.e, d.im, d.c, 2, CAST(e0.id AS STRING), CAST(e1.id AS STRING), CAST(e1.type AS STRING), CAST(e1.age AS STRING)
FROM d JOIN lac.snapshot_cat_owners__ent AS cx ON cx.path = 'households.pets' AND cx.member_id = d.m AND d.c = 1
JOIN PETS.PUBLIC.PETS AS e1 ON CAST(e1.id AS STRING) = cx.entity_id
JOIN PETS.PUBLIC.HOUSEHOLDS AS e0 ON e0.id = e1.household_id
WHERE EXISTS (SELECT 1 FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x WHERE x.segment_id = d.m AND x.external_id_type = 'email' AND x.external_id_value = e0.owner_email)
ORDER BY 1, 2, 4, 5, 6, 7, 8, 9;

-- audience cat_owners (audiences/pets.lac:3): record the new generation (one transaction)
BEGIN TRANSACTION;

-- audience cat_owners (audiences/pets.lac:3): record the new generation (one transaction)
DELETE FROM lac.lac_generation WHERE audience = 'cat_owners';

-- audience cat_owners (audiences/pets.lac:3): record the new generation (one transaction)
INSERT INTO lac.lac_generation (audience, generation) VALUES ('cat_owners', 1);

-- audience cat_owners (audiences/pets.lac:3): record the new generation (one transaction)
COMMIT TRANSACTION;

-- audience cat_owners (audiences/pets.lac:3): swap the snapshots
CREATE OR REPLACE TABLE lac.snapshot_cat_owners COPY lac.snapshot_cat_owners__new;

-- audience cat_owners (audiences/pets.lac:3): swap the snapshots
DROP TABLE lac.snapshot_cat_owners__new;

-- audience cat_owners (audiences/pets.lac:3): swap the snapshots
CREATE OR REPLACE TABLE lac.snapshot_cat_owners__ent COPY lac.snapshot_cat_owners__ent__new;

-- audience cat_owners (audiences/pets.lac:3): swap the snapshots
DROP TABLE lac.snapshot_cat_owners__ent__new;
