-- audience ks_activations (audiences/activations.lac:3), dialect snowflake
-- the statements of a run, in order (run id '<run_id>', generation 1)

-- audience ks_activations (audiences/activations.lac:3): lac's tables
CREATE SCHEMA IF NOT EXISTS lac;

-- audience ks_activations (audiences/activations.lac:3): lac's tables
CREATE TABLE IF NOT EXISTS lac.lac_generation (audience VARCHAR(255) PRIMARY KEY, generation BIGINT NOT NULL);

-- audience ks_activations (audiences/activations.lac:3): lac's tables
CREATE TABLE IF NOT EXISTS lac.lac_membership_log (member_id VARCHAR NOT NULL, audience VARCHAR NOT NULL, change VARCHAR NOT NULL, run_id VARCHAR NOT NULL, "AT" VARCHAR NOT NULL);

-- audience ks_activations (audiences/activations.lac:3): duplicate primary keys of entity customer
SELECT CAST(id AS VARCHAR), COUNT(*) FROM SHOP.CRM.CUSTOMERS WHERE id IS NOT NULL GROUP BY id HAVING COUNT(*) > 1 LIMIT 1;

-- audience ks_activations (audiences/activations.lac:3): duplicate primary keys of entity order
SELECT CAST(id AS VARCHAR), COUNT(*) FROM SHOP.SALES.ORDERS WHERE id IS NOT NULL GROUP BY id HAVING COUNT(*) > 1 LIMIT 1;

-- audience ks_activations (audiences/activations.lac:3): duplicate primary keys of entity loyalty_card
SELECT CAST(id AS VARCHAR), COUNT(*) FROM LOYALTY_CARDS WHERE id IS NOT NULL GROUP BY id HAVING COUNT(*) > 1 LIMIT 1;

-- audience ks_activations (audiences/activations.lac:3): materialize the new snapshot (members)
DROP TABLE IF EXISTS lac.snapshot_ks_activations__new;

-- audience ks_activations (audiences/activations.lac:3): materialize the new snapshot (members)
CREATE TABLE lac.snapshot_ks_activations__new AS
SELECT DISTINCT m.member_id
FROM (
SELECT p.segment_id AS member_id
FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
WHERE p.segment_id IN (
    SELECT x1.segment_id
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x1
    JOIN SHOP.CRM.CUSTOMERS AS e2 ON e2.email = x1.external_id_value
    WHERE x1.external_id_type = 'email'
      AND x1.segment_id IS NOT NULL
      AND e2.id IS NOT NULL
      AND e2.id IN (
        SELECT e3.customer_id
        FROM SHOP.SALES.ORDERS AS e3
        WHERE e3.customer_id IS NOT NULL
          AND e3.id IS NOT NULL
          AND e3.status = 'completed'
      )
  )
  AND p.loyalty_id IN (
    SELECT e4.card_number
    FROM LOYALTY_CARDS AS e4
    WHERE e4.card_number IS NOT NULL
      AND e4.id IS NOT NULL
      AND e4.level IN ('gold', 'silver')
  )
  AND NOT EXISTS (
    SELECT 1
    FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x5
    JOIN SHOP.CRM.CUSTOMERS AS e6 ON e6.email = x5.external_id_value
    JOIN SHOP.SALES.ORDERS AS e7 ON e7.customer_id = e6.id
    WHERE x5.segment_id = p.segment_id
      AND x5.external_id_type = 'email'
      AND x5.segment_id IS NOT NULL
      AND e7.id IS NOT NULL
      AND e7.status = 'fraud'
  )
) AS m
WHERE m.member_id IS NOT NULL;

-- audience ks_activations (audiences/activations.lac:3): materialize the matched entities of the new snapshot
DROP TABLE IF EXISTS lac.snapshot_ks_activations__ent__new;

-- audience ks_activations (audiences/activations.lac:3): materialize the matched entities of the new snapshot
CREATE TABLE lac.snapshot_ks_activations__ent__new AS
SELECT CAST('customers.orders' AS VARCHAR) AS path, CAST(x.member_id AS VARCHAR) AS member_id, CAST(x.entity_id AS VARCHAR) AS entity_id
FROM (
WITH members AS (
  SELECT p.segment_id AS member_id
  FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
  WHERE p.segment_id IN (
      SELECT x1.segment_id
      FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x1
      JOIN SHOP.CRM.CUSTOMERS AS e2 ON e2.email = x1.external_id_value
      WHERE x1.external_id_type = 'email'
        AND x1.segment_id IS NOT NULL
        AND e2.id IS NOT NULL
        AND e2.id IN (
          SELECT e3.customer_id
          FROM SHOP.SALES.ORDERS AS e3
          WHERE e3.customer_id IS NOT NULL
            AND e3.id IS NOT NULL
            AND e3.status = 'completed'
        )
    )
    AND p.loyalty_id IN (
      SELECT e4.card_number
      FROM LOYALTY_CARDS AS e4
      WHERE e4.card_number IS NOT NULL
        AND e4.id IS NOT NULL
        AND e4.level IN ('gold', 'silver')
    )
    AND NOT EXISTS (
      SELECT 1
      FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x5
      JOIN SHOP.CRM.CUSTOMERS AS e6 ON e6.email = x5.external_id_value
      JOIN SHOP.SALES.ORDERS AS e7 ON e7.customer_id = e6.id
      WHERE x5.segment_id = p.segment_id
        AND x5.external_id_type = 'email'
        AND x5.segment_id IS NOT NULL
        AND e7.id IS NOT NULL
        AND e7.status = 'fraud'
    )
)
SELECT DISTINCT m.member_id, e11.id AS entity_id
FROM members AS m
JOIN SEGMENT.PROFILES.PROFILE_TRAITS AS r8 ON r8.segment_id = m.member_id
JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x9 ON x9.segment_id = r8.segment_id AND x9.external_id_type = 'email'
JOIN SHOP.CRM.CUSTOMERS AS e10 ON e10.email = x9.external_id_value
JOIN SHOP.SALES.ORDERS AS e11 ON e11.customer_id = e10.id
WHERE e10.id IS NOT NULL
  AND e10.id IN (
    SELECT e12.customer_id
    FROM SHOP.SALES.ORDERS AS e12
    WHERE e12.customer_id IS NOT NULL
      AND e12.id IS NOT NULL
      AND e12.status = 'completed'
  )
  AND e11.id IS NOT NULL
  AND e11.status = 'completed'
) AS x
WHERE x.entity_id IS NOT NULL
UNION ALL
SELECT CAST('loyalty_cards' AS VARCHAR) AS path, CAST(x.member_id AS VARCHAR) AS member_id, CAST(x.entity_id AS VARCHAR) AS entity_id
FROM (
WITH members AS (
  SELECT p.segment_id AS member_id
  FROM SEGMENT.PROFILES.PROFILE_TRAITS AS p
  WHERE p.segment_id IN (
      SELECT x1.segment_id
      FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x1
      JOIN SHOP.CRM.CUSTOMERS AS e2 ON e2.email = x1.external_id_value
      WHERE x1.external_id_type = 'email'
        AND x1.segment_id IS NOT NULL
        AND e2.id IS NOT NULL
        AND e2.id IN (
          SELECT e3.customer_id
          FROM SHOP.SALES.ORDERS AS e3
          WHERE e3.customer_id IS NOT NULL
            AND e3.id IS NOT NULL
            AND e3.status = 'completed'
        )
    )
    AND p.loyalty_id IN (
      SELECT e4.card_number
      FROM LOYALTY_CARDS AS e4
      WHERE e4.card_number IS NOT NULL
        AND e4.id IS NOT NULL
        AND e4.level IN ('gold', 'silver')
    )
    AND NOT EXISTS (
      SELECT 1
      FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x5
      JOIN SHOP.CRM.CUSTOMERS AS e6 ON e6.email = x5.external_id_value
      JOIN SHOP.SALES.ORDERS AS e7 ON e7.customer_id = e6.id
      WHERE x5.segment_id = p.segment_id
        AND x5.external_id_type = 'email'
        AND x5.segment_id IS NOT NULL
        AND e7.id IS NOT NULL
        AND e7.status = 'fraud'
    )
)
SELECT DISTINCT m.member_id, e9.id AS entity_id
FROM members AS m
JOIN SEGMENT.PROFILES.PROFILE_TRAITS AS r8 ON r8.segment_id = m.member_id
JOIN LOYALTY_CARDS AS e9 ON e9.card_number = r8.loyalty_id
WHERE e9.id IS NOT NULL
  AND e9.level IN ('gold', 'silver')
) AS x
WHERE x.entity_id IS NOT NULL;

-- audience ks_activations (audiences/activations.lac:3): the previous snapshot (created empty on a fresh warehouse)
CREATE TABLE IF NOT EXISTS lac.snapshot_ks_activations AS SELECT * FROM lac.snapshot_ks_activations__new WHERE 1 = 0;

-- audience ks_activations (audiences/activations.lac:3): the previous snapshot (created empty on a fresh warehouse)
CREATE TABLE IF NOT EXISTS lac.snapshot_ks_activations__ent AS SELECT * FROM lac.snapshot_ks_activations__ent__new WHERE 1 = 0;

-- audience ks_activations (audiences/activations.lac:3): count the members that entered and exited
SELECT (SELECT COUNT(*) FROM (SELECT member_id FROM lac.snapshot_ks_activations__new EXCEPT SELECT member_id FROM lac.snapshot_ks_activations) AS d), (SELECT COUNT(*) FROM (SELECT member_id FROM lac.snapshot_ks_activations EXCEPT SELECT member_id FROM lac.snapshot_ks_activations__new) AS d);

-- audience ks_activations (audiences/activations.lac:3): membership log (entered)
INSERT INTO lac.lac_membership_log (member_id, audience, change, run_id, "AT")
SELECT CAST(d.member_id AS VARCHAR), 'ks_activations', 'entered', '<run_id>', '2026-01-15T12:00:00Z'
FROM (SELECT member_id FROM lac.snapshot_ks_activations__new EXCEPT SELECT member_id FROM lac.snapshot_ks_activations) AS d
WHERE NOT EXISTS (SELECT 1 FROM lac.lac_membership_log AS l WHERE l.run_id = '<run_id>' AND l.audience = 'ks_activations' AND l.change = 'entered');

-- audience ks_activations (audiences/activations.lac:3): membership log (exited)
INSERT INTO lac.lac_membership_log (member_id, audience, change, run_id, "AT")
SELECT CAST(d.member_id AS VARCHAR), 'ks_activations', 'exited', '<run_id>', '2026-01-15T12:00:00Z'
FROM (SELECT member_id FROM lac.snapshot_ks_activations EXCEPT SELECT member_id FROM lac.snapshot_ks_activations__new) AS d
WHERE NOT EXISTS (SELECT 1 FROM lac.lac_membership_log AS l WHERE l.run_id = '<run_id>' AND l.audience = 'ks_activations' AND l.change = 'exited');

-- audience ks_activations (audiences/activations.lac:3): events of activation on_enter (profile entered)
WITH d AS (SELECT CAST(d.member_id AS VARCHAR) AS m, CAST(NULL AS VARCHAR) AS e, 1 AS im, 0 AS c FROM (SELECT member_id FROM lac.snapshot_ks_activations__new EXCEPT SELECT member_id FROM lac.snapshot_ks_activations) AS d)
SELECT d.m, d.e, d.im, d.c, 0 AS k, CAST(t.email AS VARCHAR), CAST(t.first_name AS VARCHAR), CAST(t.ltv AS VARCHAR), CAST(t.plan AS VARCHAR), CAST(t.address AS VARCHAR)
FROM d LEFT JOIN SEGMENT.PROFILES.PROFILE_TRAITS AS t ON t.segment_id = d.m
UNION ALL
SELECT d.m, d.e, d.im, d.c, 1, CAST(x.external_id_type AS VARCHAR), CAST(x.external_id_value AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
FROM d JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x ON x.segment_id = d.m WHERE x.external_id_type = 'email'
UNION ALL
SELECT DISTINCT d.m, d.e, d.im, d.c, 2, CAST(e0.id AS VARCHAR), CAST(e1.id AS VARCHAR), CAST(e1.id AS VARCHAR), CAST(e1.status AS VARCHAR), CAST(e1.total AS VARCHAR)
FROM d JOIN lac.snapshot_ks_activations__ent__new AS cx ON cx.path = 'customers.orders' AND cx.member_id = d.m AND d.c <> 1
JOIN SHOP.SALES.ORDERS AS e1 ON CAST(e1.id AS VARCHAR) = cx.entity_id
JOIN SHOP.CRM.CUSTOMERS AS e0 ON e0.id = e1.customer_id
WHERE EXISTS (SELECT 1 FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x WHERE x.segment_id = d.m AND x.external_id_type = 'email' AND x.external_id_value = e0.email)
UNION ALL
SELECT DISTINCT d.m, d.e, d.im, d.c, 2, CAST(e0.id AS VARCHAR), CAST(e1.id AS VARCHAR), CAST(e1.id AS VARCHAR), CAST(e1.status AS VARCHAR), CAST(e1.total AS VARCHAR)
FROM d JOIN lac.snapshot_ks_activations__ent AS cx ON cx.path = 'customers.orders' AND cx.member_id = d.m AND d.c = 1
JOIN SHOP.SALES.ORDERS AS e1 ON CAST(e1.id AS VARCHAR) = cx.entity_id
JOIN SHOP.CRM.CUSTOMERS AS e0 ON e0.id = e1.customer_id
WHERE EXISTS (SELECT 1 FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x WHERE x.segment_id = d.m AND x.external_id_type = 'email' AND x.external_id_value = e0.email)
UNION ALL
SELECT DISTINCT d.m, d.e, d.im, d.c, 3, CAST(e0.id AS VARCHAR), CAST(e0.level AS VARCHAR), CAST(e0.points AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
FROM d JOIN lac.snapshot_ks_activations__ent__new AS cx ON cx.path = 'loyalty_cards' AND cx.member_id = d.m AND d.c <> 1
JOIN LOYALTY_CARDS AS e0 ON CAST(e0.id AS VARCHAR) = cx.entity_id
WHERE EXISTS (SELECT 1 FROM SEGMENT.PROFILES.PROFILE_TRAITS AS q WHERE q.segment_id = d.m AND q.loyalty_id = e0.card_number)
UNION ALL
SELECT DISTINCT d.m, d.e, d.im, d.c, 3, CAST(e0.id AS VARCHAR), CAST(e0.level AS VARCHAR), CAST(e0.points AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
FROM d JOIN lac.snapshot_ks_activations__ent AS cx ON cx.path = 'loyalty_cards' AND cx.member_id = d.m AND d.c = 1
JOIN LOYALTY_CARDS AS e0 ON CAST(e0.id AS VARCHAR) = cx.entity_id
WHERE EXISTS (SELECT 1 FROM SEGMENT.PROFILES.PROFILE_TRAITS AS q WHERE q.segment_id = d.m AND q.loyalty_id = e0.card_number)
ORDER BY 1, 2, 4, 5, 6, 7, 8, 9, 10;

-- audience ks_activations (audiences/activations.lac:3): events of activation on_exit (profile exited)
WITH d AS (SELECT CAST(d.member_id AS VARCHAR) AS m, CAST(NULL AS VARCHAR) AS e, 0 AS im, 1 AS c FROM (SELECT member_id FROM lac.snapshot_ks_activations EXCEPT SELECT member_id FROM lac.snapshot_ks_activations__new) AS d)
SELECT d.m, d.e, d.im, d.c, 0 AS k, CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
FROM d
UNION ALL
SELECT d.m, d.e, d.im, d.c, 1, CAST(x.external_id_type AS VARCHAR), CAST(x.external_id_value AS VARCHAR)
FROM d JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x ON x.segment_id = d.m WHERE x.external_id_type = 'user_id'
ORDER BY 1, 2, 4, 5, 6, 7;

-- audience ks_activations (audiences/activations.lac:3): events of activation order_added (entity added)
WITH d AS (SELECT d.member_id AS m, d.entity_id AS e, CASE WHEN d.member_id IN (SELECT CAST(n.member_id AS VARCHAR) FROM lac.snapshot_ks_activations__new AS n) THEN 1 ELSE 0 END AS im, 0 AS c FROM (SELECT member_id, entity_id FROM lac.snapshot_ks_activations__ent__new WHERE path = 'customers.orders' EXCEPT SELECT member_id, entity_id FROM lac.snapshot_ks_activations__ent WHERE path = 'customers.orders') AS d)
SELECT d.m, d.e, d.im, d.c, 0 AS k, CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
FROM d
UNION ALL
SELECT d.m, d.e, d.im, d.c, 1, CAST(x.external_id_type AS VARCHAR), CAST(x.external_id_value AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
FROM d JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x ON x.segment_id = d.m WHERE x.external_id_type = 'user_id'
UNION ALL
SELECT DISTINCT d.m, d.e, d.im, d.c, 2, CAST(e0.id AS VARCHAR), CAST(e1.id AS VARCHAR), CAST(e1.id AS VARCHAR), CAST(e1.total AS VARCHAR)
FROM d JOIN lac.snapshot_ks_activations__ent__new AS cx ON cx.path = 'customers.orders' AND cx.member_id = d.m AND d.c <> 1
JOIN SHOP.SALES.ORDERS AS e1 ON CAST(e1.id AS VARCHAR) = cx.entity_id
JOIN SHOP.CRM.CUSTOMERS AS e0 ON e0.id = e1.customer_id
WHERE EXISTS (SELECT 1 FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x WHERE x.segment_id = d.m AND x.external_id_type = 'email' AND x.external_id_value = e0.email)
UNION ALL
SELECT DISTINCT d.m, d.e, d.im, d.c, 2, CAST(e0.id AS VARCHAR), CAST(e1.id AS VARCHAR), CAST(e1.id AS VARCHAR), CAST(e1.total AS VARCHAR)
FROM d JOIN lac.snapshot_ks_activations__ent AS cx ON cx.path = 'customers.orders' AND cx.member_id = d.m AND d.c = 1
JOIN SHOP.SALES.ORDERS AS e1 ON CAST(e1.id AS VARCHAR) = cx.entity_id
JOIN SHOP.CRM.CUSTOMERS AS e0 ON e0.id = e1.customer_id
WHERE EXISTS (SELECT 1 FROM SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x WHERE x.segment_id = d.m AND x.external_id_type = 'email' AND x.external_id_value = e0.email)
ORDER BY 1, 2, 4, 5, 6, 7, 8, 9;

-- audience ks_activations (audiences/activations.lac:3): events of activation card_removed (entity removed)
WITH d AS (SELECT d.member_id AS m, d.entity_id AS e, CASE WHEN d.member_id IN (SELECT CAST(n.member_id AS VARCHAR) FROM lac.snapshot_ks_activations__new AS n) THEN 1 ELSE 0 END AS im, 1 AS c FROM (SELECT member_id, entity_id FROM lac.snapshot_ks_activations__ent WHERE path = 'loyalty_cards' EXCEPT SELECT member_id, entity_id FROM lac.snapshot_ks_activations__ent__new WHERE path = 'loyalty_cards') AS d)
SELECT d.m, d.e, d.im, d.c, 0 AS k, CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
FROM d
UNION ALL
SELECT d.m, d.e, d.im, d.c, 1, CAST(x.external_id_type AS VARCHAR), CAST(x.external_id_value AS VARCHAR)
FROM d JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x ON x.segment_id = d.m WHERE x.external_id_type = 'user_id'
ORDER BY 1, 2, 4, 5, 6, 7;

-- audience ks_activations (audiences/activations.lac:3): events of activation membership (membership changed)
WITH d AS (SELECT CAST(d.member_id AS VARCHAR) AS m, CAST(NULL AS VARCHAR) AS e, 1 AS im, 0 AS c FROM (SELECT member_id FROM lac.snapshot_ks_activations__new EXCEPT SELECT member_id FROM lac.snapshot_ks_activations) AS d UNION ALL SELECT CAST(d.member_id AS VARCHAR) AS m, CAST(NULL AS VARCHAR) AS e, 0 AS im, 1 AS c FROM (SELECT member_id FROM lac.snapshot_ks_activations EXCEPT SELECT member_id FROM lac.snapshot_ks_activations__new) AS d)
SELECT d.m, d.e, d.im, d.c, 0 AS k, CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
FROM d
UNION ALL
SELECT d.m, d.e, d.im, d.c, 1, CAST(x.external_id_type AS VARCHAR), CAST(x.external_id_value AS VARCHAR)
FROM d JOIN SEGMENT.PROFILES.EXTERNAL_ID_MAPPING AS x ON x.segment_id = d.m WHERE x.external_id_type = 'user_id'
ORDER BY 1, 2, 4, 5, 6, 7;

-- audience ks_activations (audiences/activations.lac:3): record the new generation (one transaction)
BEGIN TRANSACTION;

-- audience ks_activations (audiences/activations.lac:3): record the new generation (one transaction)
DELETE FROM lac.lac_generation WHERE audience = 'ks_activations';

-- audience ks_activations (audiences/activations.lac:3): record the new generation (one transaction)
INSERT INTO lac.lac_generation (audience, generation) VALUES ('ks_activations', 1);

-- audience ks_activations (audiences/activations.lac:3): record the new generation (one transaction)
COMMIT;

-- audience ks_activations (audiences/activations.lac:3): swap the snapshots
CREATE OR REPLACE TABLE lac.snapshot_ks_activations CLONE lac.snapshot_ks_activations__new;

-- audience ks_activations (audiences/activations.lac:3): swap the snapshots
DROP TABLE lac.snapshot_ks_activations__new;

-- audience ks_activations (audiences/activations.lac:3): swap the snapshots
CREATE OR REPLACE TABLE lac.snapshot_ks_activations__ent CLONE lac.snapshot_ks_activations__ent__new;

-- audience ks_activations (audiences/activations.lac:3): swap the snapshots
DROP TABLE lac.snapshot_ks_activations__ent__new;
