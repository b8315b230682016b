-- audience typed_values (audiences/typed.lac:19), dialect bigquery
-- the statements of a run, in order (run id '<run_id>', generation 1)

-- audience typed_values (audiences/typed.lac:19): lac's tables
CREATE SCHEMA IF NOT EXISTS lac;

-- audience typed_values (audiences/typed.lac:19): lac's tables
CREATE TABLE IF NOT EXISTS lac.lac_generation (audience STRING NOT NULL, generation BIGINT NOT NULL);

-- audience typed_values (audiences/typed.lac:19): lac's tables
CREATE TABLE IF NOT EXISTS lac.lac_membership_log (member_id STRING NOT NULL, audience STRING NOT NULL, change STRING NOT NULL, run_id STRING NOT NULL, `at` STRING NOT NULL) CLUSTER BY run_id;

-- audience typed_values (audiences/typed.lac:19): materialize the new snapshot (members)
DROP TABLE IF EXISTS lac.snapshot_typed_values__new;

-- audience typed_values (audiences/typed.lac:19): materialize the new snapshot (members)
CREATE TABLE lac.snapshot_typed_values__new AS
SELECT DISTINCT m.member_id
FROM (
SELECT p.pid AS member_id
FROM profiles AS p
WHERE p.score IS NOT NULL
) AS m
WHERE m.member_id IS NOT NULL;

-- audience typed_values (audiences/typed.lac:19): materialize the matched entities of the new snapshot
DROP TABLE IF EXISTS lac.snapshot_typed_values__ent__new;

-- audience typed_values (audiences/typed.lac:19): materialize the matched entities of the new snapshot
CREATE TABLE lac.snapshot_typed_values__ent__new AS
SELECT CAST(NULL AS STRING) AS path, CAST(NULL AS STRING) AS member_id, CAST(NULL AS STRING) AS entity_id FROM (SELECT 1 AS one) AS z WHERE 1 = 0;

-- audience typed_values (audiences/typed.lac:19): the previous snapshot (created empty on a fresh warehouse)
CREATE TABLE IF NOT EXISTS lac.snapshot_typed_values AS SELECT * FROM lac.snapshot_typed_values__new WHERE 1 = 0;

-- audience typed_values (audiences/typed.lac:19): the previous snapshot (created empty on a fresh warehouse)
CREATE TABLE IF NOT EXISTS lac.snapshot_typed_values__ent AS SELECT * FROM lac.snapshot_typed_values__ent__new WHERE 1 = 0;

-- audience typed_values (audiences/typed.lac:19): count the members that entered and exited
SELECT (SELECT COUNT(*) FROM (SELECT member_id FROM lac.snapshot_typed_values__new EXCEPT DISTINCT SELECT member_id FROM lac.snapshot_typed_values) AS d), (SELECT COUNT(*) FROM (SELECT member_id FROM lac.snapshot_typed_values EXCEPT DISTINCT SELECT member_id FROM lac.snapshot_typed_values__new) AS d);

-- audience typed_values (audiences/typed.lac:19): membership log (entered)
INSERT INTO lac.lac_membership_log (member_id, audience, change, run_id, `at`)
SELECT CAST(d.member_id AS STRING), 'typed_values', 'entered', '<run_id>', '2026-01-15T12:00:00Z'
FROM (SELECT member_id FROM lac.snapshot_typed_values__new EXCEPT DISTINCT SELECT member_id FROM lac.snapshot_typed_values) AS d
WHERE NOT EXISTS (SELECT 1 FROM lac.lac_membership_log AS l WHERE l.run_id = '<run_id>' AND l.audience = 'typed_values' AND l.change = 'entered');

-- audience typed_values (audiences/typed.lac:19): membership log (exited)
INSERT INTO lac.lac_membership_log (member_id, audience, change, run_id, `at`)
SELECT CAST(d.member_id AS STRING), 'typed_values', 'exited', '<run_id>', '2026-01-15T12:00:00Z'
FROM (SELECT member_id FROM lac.snapshot_typed_values EXCEPT DISTINCT SELECT member_id FROM lac.snapshot_typed_values__new) AS d
WHERE NOT EXISTS (SELECT 1 FROM lac.lac_membership_log AS l WHERE l.run_id = '<run_id>' AND l.audience = 'typed_values' AND l.change = 'exited');

-- audience typed_values (audiences/typed.lac:19): events of activation sync (profile entered)
WITH d AS (SELECT CAST(d.member_id AS STRING) AS m, CAST(NULL AS STRING) AS e, 1 AS im, 0 AS c FROM (SELECT member_id FROM lac.snapshot_typed_values__new EXCEPT DISTINCT SELECT member_id FROM lac.snapshot_typed_values) AS d)
SELECT d.m, d.e, d.im, d.c, 0 AS k, FORMAT_DATE('%Y-%m-%d', t.born), FORMAT_TIME('%H:%M:%S', t.opens), REPLACE(FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E6SZ', t.joined, 'UTC'), '.000000Z', 'Z'), CASE t.member WHEN TRUE THEN 'true' WHEN FALSE THEN 'false' END, CAST(t.score AS STRING)
FROM d LEFT JOIN profiles AS t ON t.pid = d.m
ORDER BY 1, 2, 4, 5, 6, 7, 8, 9, 10;

-- audience typed_values (audiences/typed.lac:19): record the new generation (one transaction)
BEGIN TRANSACTION;

-- audience typed_values (audiences/typed.lac:19): record the new generation (one transaction)
DELETE FROM lac.lac_generation WHERE audience = 'typed_values';

-- audience typed_values (audiences/typed.lac:19): record the new generation (one transaction)
INSERT INTO lac.lac_generation (audience, generation) VALUES ('typed_values', 1);

-- audience typed_values (audiences/typed.lac:19): record the new generation (one transaction)
COMMIT TRANSACTION;

-- audience typed_values (audiences/typed.lac:19): swap the snapshots
CREATE OR REPLACE TABLE lac.snapshot_typed_values COPY lac.snapshot_typed_values__new;

-- audience typed_values (audiences/typed.lac:19): swap the snapshots
DROP TABLE lac.snapshot_typed_values__new;

-- audience typed_values (audiences/typed.lac:19): swap the snapshots
CREATE OR REPLACE TABLE lac.snapshot_typed_values__ent COPY lac.snapshot_typed_values__ent__new;

-- audience typed_values (audiences/typed.lac:19): swap the snapshots
DROP TABLE lac.snapshot_typed_values__ent__new;
