-- audience typed_values (audiences/typed.lac:19), dialect postgres
-- the statements of a run, in order (run id '<run_id>', generation 1)

-- audience typed_values (audiences/typed.lac:19): lac's tables
CREATE SCHEMA IF NOT EXISTS lac;

-- audience typed_values (audiences/typed.lac:19): lac's tables
CREATE TABLE IF NOT EXISTS lac.lac_generation (audience VARCHAR(255) PRIMARY KEY, generation BIGINT NOT NULL);

-- audience typed_values (audiences/typed.lac:19): lac's tables
CREATE TABLE IF NOT EXISTS lac.lac_membership_log (member_id TEXT NOT NULL, audience TEXT NOT NULL, change TEXT NOT NULL, run_id TEXT NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL);

-- audience typed_values (audiences/typed.lac:19): lac's tables
CREATE INDEX IF NOT EXISTS lac_membership_log_run ON lac.lac_membership_log (run_id);

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
SELECT CAST(NULL AS TEXT) AS path, CAST(NULL AS TEXT) AS member_id, CAST(NULL AS TEXT) AS entity_id FROM (SELECT 1 AS one) AS z WHERE 1 = 0;

-- audience typed_values (audiences/typed.lac:19): the previous snapshot (created empty on a fresh warehouse)
CREATE TABLE IF NOT EXISTS lac.snapshot_typed_values AS SELECT * FROM lac.snapshot_typed_values__new WHERE 1 = 0;

-- audience typed_values (audiences/typed.lac:19): the previous snapshot (created empty on a fresh warehouse)
CREATE TABLE IF NOT EXISTS lac.snapshot_typed_values__ent AS SELECT * FROM lac.snapshot_typed_values__ent__new WHERE 1 = 0;

-- audience typed_values (audiences/typed.lac:19): count the members that entered and exited
SELECT (SELECT COUNT(*) FROM (SELECT member_id FROM lac.snapshot_typed_values__new EXCEPT SELECT member_id FROM lac.snapshot_typed_values) AS d), (SELECT COUNT(*) FROM (SELECT member_id FROM lac.snapshot_typed_values EXCEPT SELECT member_id FROM lac.snapshot_typed_values__new) AS d);

-- audience typed_values (audiences/typed.lac:19): membership log (entered)
INSERT INTO lac.lac_membership_log (member_id, audience, change, run_id, "at")
SELECT CAST(d.member_id AS TEXT), 'typed_values', 'entered', '<run_id>', '2026-01-15T12:00:00Z'
FROM (SELECT member_id FROM lac.snapshot_typed_values__new EXCEPT SELECT member_id FROM lac.snapshot_typed_values) AS d
WHERE NOT EXISTS (SELECT 1 FROM lac.lac_membership_log AS l WHERE l.run_id = '<run_id>' AND l.audience = 'typed_values' AND l.change = 'entered');

-- audience typed_values (audiences/typed.lac:19): membership log (exited)
INSERT INTO lac.lac_membership_log (member_id, audience, change, run_id, "at")
SELECT CAST(d.member_id AS TEXT), 'typed_values', 'exited', '<run_id>', '2026-01-15T12:00:00Z'
FROM (SELECT member_id FROM lac.snapshot_typed_values EXCEPT SELECT member_id FROM lac.snapshot_typed_values__new) AS d
WHERE NOT EXISTS (SELECT 1 FROM lac.lac_membership_log AS l WHERE l.run_id = '<run_id>' AND l.audience = 'typed_values' AND l.change = 'exited');

-- audience typed_values (audiences/typed.lac:19): events of activation sync (profile entered)
WITH d AS (SELECT CAST(d.member_id AS TEXT) AS m, CAST(NULL AS TEXT) AS e, 1 AS im, 0 AS c FROM (SELECT member_id FROM lac.snapshot_typed_values__new EXCEPT SELECT member_id FROM lac.snapshot_typed_values) AS d)
SELECT d.m, d.e, d.im, d.c, 0 AS k, to_char(t.born, 'YYYY-MM-DD'), to_char(DATE '2000-01-01' + t.opens, 'HH24:MI:SS'), replace(to_char(t.joined AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '.000000Z', 'Z'), CASE t.member WHEN TRUE THEN 'true' WHEN FALSE THEN 'false' END, CAST(t.score AS TEXT)
FROM d LEFT JOIN profiles AS t ON t.pid = d.m
ORDER BY 1, 2, 4, 5, 6, 7, 8, 9, 10;

-- audience typed_values (audiences/typed.lac:19): swap the snapshots (one transaction)
BEGIN;

-- audience typed_values (audiences/typed.lac:19): swap the snapshots (one transaction)
DROP TABLE IF EXISTS lac.snapshot_typed_values;

-- audience typed_values (audiences/typed.lac:19): swap the snapshots (one transaction)
ALTER TABLE lac.snapshot_typed_values__new RENAME TO snapshot_typed_values;

-- audience typed_values (audiences/typed.lac:19): swap the snapshots (one transaction)
DROP TABLE IF EXISTS lac.snapshot_typed_values__ent;

-- audience typed_values (audiences/typed.lac:19): swap the snapshots (one transaction)
ALTER TABLE lac.snapshot_typed_values__ent__new RENAME TO snapshot_typed_values__ent;

-- audience typed_values (audiences/typed.lac:19): swap the snapshots (one transaction)
DELETE FROM lac.lac_generation WHERE audience = 'typed_values';

-- audience typed_values (audiences/typed.lac:19): swap the snapshots (one transaction)
INSERT INTO lac.lac_generation (audience, generation) VALUES ('typed_values', 1);

-- audience typed_values (audiences/typed.lac:19): swap the snapshots (one transaction)
COMMIT;
