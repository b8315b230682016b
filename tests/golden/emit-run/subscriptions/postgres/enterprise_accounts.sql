-- audience enterprise_accounts (audiences/accounts.lac:3), dialect postgres
-- the statements of a run, in order (run id '<run_id>', generation 1)

-- audience enterprise_accounts (audiences/accounts.lac:3): lac's tables
CREATE SCHEMA IF NOT EXISTS lac;

-- audience enterprise_accounts (audiences/accounts.lac:3): lac's tables
CREATE TABLE IF NOT EXISTS lac.lac_generation (audience VARCHAR(255) PRIMARY KEY, generation BIGINT NOT NULL);

-- audience enterprise_accounts (audiences/accounts.lac:3): lac's tables
CREATE TABLE IF NOT EXISTS lac.lac_membership_log (member_id TEXT NOT NULL, audience TEXT NOT NULL, change TEXT NOT NULL, run_id TEXT NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL);

-- audience enterprise_accounts (audiences/accounts.lac:3): lac's tables
CREATE INDEX IF NOT EXISTS lac_membership_log_run ON lac.lac_membership_log (run_id);

-- audience enterprise_accounts (audiences/accounts.lac:3): duplicate primary keys of entity account
SELECT CAST(id AS TEXT), COUNT(*) FROM CORE.ACCOUNTS WHERE id IS NOT NULL GROUP BY id HAVING COUNT(*) > 1 LIMIT 1;

-- audience enterprise_accounts (audiences/accounts.lac:3): duplicate primary keys of entity subscription
SELECT CAST(id AS TEXT), COUNT(*) FROM CORE.SUBSCRIPTIONS WHERE id IS NOT NULL GROUP BY id HAVING COUNT(*) > 1 LIMIT 1;

-- audience enterprise_accounts (audiences/accounts.lac:3): materialize the new snapshot (members)
DROP TABLE IF EXISTS lac.snapshot_enterprise_accounts__new;

-- audience enterprise_accounts (audiences/accounts.lac:3): materialize the new snapshot (members)
CREATE TABLE lac.snapshot_enterprise_accounts__new AS
SELECT DISTINCT m.member_id
FROM (
SELECT t.id AS member_id
FROM CORE.ACCOUNTS AS t
WHERE t.id IS NOT NULL
  AND t.plan = 'enterprise'
  AND t.id IN (
    SELECT e1.account_id
    FROM CORE.SUBSCRIPTIONS AS e1
    WHERE e1.account_id IS NOT NULL
      AND e1.id IS NOT NULL
      AND e1.status = 'past_due'
  )
  AND EXISTS (
    SELECT 1
    FROM PROFILES.PROFILE_TRAITS AS p2
    WHERE p2.account_id = t.id
      AND p2.vip = TRUE
  )
) AS m
WHERE m.member_id IS NOT NULL;

-- audience enterprise_accounts (audiences/accounts.lac:3): materialize the matched entities of the new snapshot
DROP TABLE IF EXISTS lac.snapshot_enterprise_accounts__ent__new;

-- audience enterprise_accounts (audiences/accounts.lac:3): materialize the matched entities of the new snapshot
CREATE TABLE lac.snapshot_enterprise_accounts__ent__new AS
SELECT CAST(NULL AS TEXT) AS path, CAST(NULL AS TEXT) AS member_id, CAST(NULL AS TEXT) AS entity_id FROM (SELECT 1 AS one) AS z WHERE 1 = 0;

-- audience enterprise_accounts (audiences/accounts.lac:3): the previous snapshot (created empty on a fresh warehouse)
CREATE TABLE IF NOT EXISTS lac.snapshot_enterprise_accounts AS SELECT * FROM lac.snapshot_enterprise_accounts__new WHERE 1 = 0;

-- audience enterprise_accounts (audiences/accounts.lac:3): the previous snapshot (created empty on a fresh warehouse)
CREATE TABLE IF NOT EXISTS lac.snapshot_enterprise_accounts__ent AS SELECT * FROM lac.snapshot_enterprise_accounts__ent__new WHERE 1 = 0;

-- audience enterprise_accounts (audiences/accounts.lac:3): count the members that entered and exited
SELECT (SELECT COUNT(*) FROM (SELECT member_id FROM lac.snapshot_enterprise_accounts__new EXCEPT SELECT member_id FROM lac.snapshot_enterprise_accounts) AS d), (SELECT COUNT(*) FROM (SELECT member_id FROM lac.snapshot_enterprise_accounts EXCEPT SELECT member_id FROM lac.snapshot_enterprise_accounts__new) AS d);

-- audience enterprise_accounts (audiences/accounts.lac:3): membership log (entered)
INSERT INTO lac.lac_membership_log (member_id, audience, change, run_id, "at")
SELECT CAST(d.member_id AS TEXT), 'enterprise_accounts', 'entered', '<run_id>', '2026-01-15T12:00:00Z'
FROM (SELECT member_id FROM lac.snapshot_enterprise_accounts__new EXCEPT SELECT member_id FROM lac.snapshot_enterprise_accounts) AS d
WHERE NOT EXISTS (SELECT 1 FROM lac.lac_membership_log AS l WHERE l.run_id = '<run_id>' AND l.audience = 'enterprise_accounts' AND l.change = 'entered');

-- audience enterprise_accounts (audiences/accounts.lac:3): membership log (exited)
INSERT INTO lac.lac_membership_log (member_id, audience, change, run_id, "at")
SELECT CAST(d.member_id AS TEXT), 'enterprise_accounts', 'exited', '<run_id>', '2026-01-15T12:00:00Z'
FROM (SELECT member_id FROM lac.snapshot_enterprise_accounts EXCEPT SELECT member_id FROM lac.snapshot_enterprise_accounts__new) AS d
WHERE NOT EXISTS (SELECT 1 FROM lac.lac_membership_log AS l WHERE l.run_id = '<run_id>' AND l.audience = 'enterprise_accounts' AND l.change = 'exited');

-- audience enterprise_accounts (audiences/accounts.lac:3): events of activation account_alert (entity entered)
WITH d AS (SELECT DISTINCT CAST(pa.segment_id AS TEXT) AS m, CAST(e0.id AS TEXT) AS e, 1 AS im, 0 AS c
FROM (SELECT member_id FROM lac.snapshot_enterprise_accounts__new EXCEPT SELECT member_id FROM lac.snapshot_enterprise_accounts) AS d
JOIN CORE.ACCOUNTS AS e0 ON e0.id = d.member_id
JOIN PROFILES.PROFILE_TRAITS AS pa ON pa.account_id = e0.id)
SELECT d.m, d.e, d.im, d.c, 0 AS k, CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT)
FROM d
UNION ALL
SELECT d.m, d.e, d.im, d.c, 1, CAST(x.external_id_type AS TEXT), CAST(x.external_id_value AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT)
FROM d JOIN PROFILES.EXTERNAL_ID_MAPPING AS x ON x.segment_id = d.m WHERE x.external_id_type = 'user_id'
UNION ALL
SELECT DISTINCT d.m, d.e, d.im, d.c, 2, CAST(e0.id AS TEXT), CAST(e0.name AS TEXT), CAST(e0.plan AS TEXT), CAST(e0.seats AS TEXT)
FROM d JOIN CORE.ACCOUNTS AS e0 ON CAST(e0.id AS TEXT) = d.e
WHERE EXISTS (SELECT 1 FROM PROFILES.PROFILE_TRAITS AS q WHERE q.segment_id = d.m AND q.account_id = e0.id)
ORDER BY 1, 2, 4, 5, 6, 7, 8, 9;

-- audience enterprise_accounts (audiences/accounts.lac:3): swap the snapshots (one transaction)
BEGIN;

-- audience enterprise_accounts (audiences/accounts.lac:3): swap the snapshots (one transaction)
DROP TABLE IF EXISTS lac.snapshot_enterprise_accounts;

-- audience enterprise_accounts (audiences/accounts.lac:3): swap the snapshots (one transaction)
ALTER TABLE lac.snapshot_enterprise_accounts__new RENAME TO snapshot_enterprise_accounts;

-- audience enterprise_accounts (audiences/accounts.lac:3): swap the snapshots (one transaction)
DROP TABLE IF EXISTS lac.snapshot_enterprise_accounts__ent;

-- audience enterprise_accounts (audiences/accounts.lac:3): swap the snapshots (one transaction)
ALTER TABLE lac.snapshot_enterprise_accounts__ent__new RENAME TO snapshot_enterprise_accounts__ent;

-- audience enterprise_accounts (audiences/accounts.lac:3): swap the snapshots (one transaction)
DELETE FROM lac.lac_generation WHERE audience = 'enterprise_accounts';

-- audience enterprise_accounts (audiences/accounts.lac:3): swap the snapshots (one transaction)
INSERT INTO lac.lac_generation (audience, generation) VALUES ('enterprise_accounts', 1);

-- audience enterprise_accounts (audiences/accounts.lac:3): swap the snapshots (one transaction)
COMMIT;
