-- audience typed_values (audiences/typed.lac:19), dialect sqlite
-- the statements of a run, in order (run id '<run_id>', generation 1)

-- audience typed_values (audiences/typed.lac:19): lac's tables
CREATE TABLE IF NOT EXISTS lac_generation (audience VARCHAR(255) PRIMARY KEY, generation BIGINT NOT NULL);

-- audience typed_values (audiences/typed.lac:19): lac's tables
CREATE TABLE IF NOT EXISTS lac_membership_log (member_id TEXT NOT NULL, audience TEXT NOT NULL, change TEXT NOT NULL, run_id TEXT NOT NULL, "at" TEXT NOT NULL);

-- audience typed_values (audiences/typed.lac:19): lac's tables
CREATE INDEX IF NOT EXISTS lac_membership_log_run ON lac_membership_log (run_id);

-- audience typed_values (audiences/typed.lac:19): materialize the new snapshot (members)
DROP TABLE IF EXISTS snapshot_typed_values__new;

-- audience typed_values (audiences/typed.lac:19): materialize the new snapshot (members)
CREATE TABLE snapshot_typed_values__new AS
SELECT DISTINCT m.member_id
FROM (
SELECT p.pid AS member_id
FROM profiles AS p
WHERE p.score IS NOT NULL
) AS m
WHERE m.member_id IS NOT NULL;

-- audience typed_values (audiences/typed.lac:19): materialize the new snapshot (members)
CREATE UNIQUE INDEX IF NOT EXISTS lac_ix_typed_values_1 ON snapshot_typed_values__new (member_id);

-- audience typed_values (audiences/typed.lac:19): materialize the matched entities of the new snapshot
DROP TABLE IF EXISTS snapshot_typed_values__ent__new;

-- audience typed_values (audiences/typed.lac:19): materialize the matched entities of the new snapshot
CREATE TABLE snapshot_typed_values__ent__new AS
SELECT CAST(NULL AS TEXT) AS path, CAST(NULL AS TEXT) AS member_id, CAST(NULL AS TEXT) AS entity_id FROM (SELECT 1 AS one) AS z WHERE 1 = 0;

-- audience typed_values (audiences/typed.lac:19): materialize the matched entities of the new snapshot
CREATE INDEX IF NOT EXISTS lac_ix_typed_values_ent_1 ON snapshot_typed_values__ent__new (path, member_id, entity_id);

-- audience typed_values (audiences/typed.lac:19): the previous snapshot (created empty on a fresh warehouse)
CREATE TABLE IF NOT EXISTS snapshot_typed_values AS SELECT * FROM snapshot_typed_values__new WHERE 1 = 0;

-- audience typed_values (audiences/typed.lac:19): the previous snapshot (created empty on a fresh warehouse)
CREATE TABLE IF NOT EXISTS snapshot_typed_values__ent AS SELECT * FROM snapshot_typed_values__ent__new WHERE 1 = 0;

-- audience typed_values (audiences/typed.lac:19): count the members that entered and exited
SELECT (SELECT COUNT(*) FROM (SELECT member_id FROM snapshot_typed_values__new EXCEPT SELECT member_id FROM snapshot_typed_values) AS d), (SELECT COUNT(*) FROM (SELECT member_id FROM snapshot_typed_values EXCEPT SELECT member_id FROM snapshot_typed_values__new) AS d);

-- audience typed_values (audiences/typed.lac:19): membership log (entered)
INSERT INTO lac_membership_log (member_id, audience, change, run_id, "at")
SELECT CAST(d.member_id AS TEXT), 'typed_values', 'entered', '<run_id>', '2026-01-15T12:00:00Z'
FROM (SELECT member_id FROM snapshot_typed_values__new EXCEPT SELECT member_id FROM snapshot_typed_values) AS d
WHERE NOT EXISTS (SELECT 1 FROM lac_membership_log AS l WHERE l.run_id = '<run_id>' AND l.audience = 'typed_values' AND l.change = 'entered');

-- audience typed_values (audiences/typed.lac:19): membership log (exited)
INSERT INTO lac_membership_log (member_id, audience, change, run_id, "at")
SELECT CAST(d.member_id AS TEXT), 'typed_values', 'exited', '<run_id>', '2026-01-15T12:00:00Z'
FROM (SELECT member_id FROM snapshot_typed_values EXCEPT SELECT member_id FROM snapshot_typed_values__new) AS d
WHERE NOT EXISTS (SELECT 1 FROM lac_membership_log AS l WHERE l.run_id = '<run_id>' AND l.audience = 'typed_values' AND l.change = 'exited');

-- audience typed_values (audiences/typed.lac:19): events of activation sync (profile entered)
WITH d AS (SELECT CAST(d.member_id AS TEXT) AS m, CAST(NULL AS TEXT) AS e, 1 AS im, 0 AS c FROM (SELECT member_id FROM snapshot_typed_values__new EXCEPT SELECT member_id FROM snapshot_typed_values) AS d)
SELECT d.m, d.e, d.im, d.c, 0 AS k, strftime('%Y-%m-%d', t.born), strftime('%H:%M:%S', t.opens), replace(strftime('%Y-%m-%dT%H:%M:%f000Z', t.joined), '.000000Z', 'Z'), CASE t.member WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE CAST(t.member AS TEXT) END, CAST(t.score AS TEXT)
FROM d LEFT JOIN profiles AS t ON t.pid = d.m
ORDER BY 1, 2, 4, 5, 6, 7, 8, 9, 10;

-- audience typed_values (audiences/typed.lac:19): swap the snapshots (one transaction)
BEGIN;

-- audience typed_values (audiences/typed.lac:19): swap the snapshots (one transaction)
DROP TABLE IF EXISTS snapshot_typed_values;

-- audience typed_values (audiences/typed.lac:19): swap the snapshots (one transaction)
ALTER TABLE snapshot_typed_values__new RENAME TO snapshot_typed_values;

-- audience typed_values (audiences/typed.lac:19): swap the snapshots (one transaction)
DROP TABLE IF EXISTS snapshot_typed_values__ent;

-- audience typed_values (audiences/typed.lac:19): swap the snapshots (one transaction)
ALTER TABLE snapshot_typed_values__ent__new RENAME TO snapshot_typed_values__ent;

-- audience typed_values (audiences/typed.lac:19): swap the snapshots (one transaction)
DELETE FROM lac_generation WHERE audience = 'typed_values';

-- audience typed_values (audiences/typed.lac:19): swap the snapshots (one transaction)
INSERT INTO lac_generation (audience, generation) VALUES ('typed_values', 1);

-- audience typed_values (audiences/typed.lac:19): swap the snapshots (one transaction)
COMMIT;
