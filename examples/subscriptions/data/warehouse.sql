-- data/warehouse.sql — the subscriptions warehouse for the embedded SQLite engine.
-- Only the last part of a graph table name names the table on SQLite
-- (BILLING.CORE.ACCOUNTS -> ACCOUNTS).  TIMESTAMP is ISO-8601 UTC text, DATE is
-- 'YYYY-MM-DD', BOOLEAN is 0/1, JSON is text.
-- Relative-time data is written for now = 2026-01-15T12:00:00Z.

DROP TABLE IF EXISTS PROFILE_TRAITS;
DROP TABLE IF EXISTS EXTERNAL_ID_MAPPING;
DROP TABLE IF EXISTS TRACKS;
DROP TABLE IF EXISTS ACCOUNTS;
DROP TABLE IF EXISTS SUBSCRIPTIONS;

CREATE TABLE PROFILE_TRAITS (
  segment_id TEXT PRIMARY KEY,
  email      TEXT,
  name       TEXT,
  account_id TEXT,
  vip        INTEGER
);
INSERT INTO PROFILE_TRAITS VALUES
  ('u01', 'ana@acme.test',    'Ana',            'a01',  1),
  ('u02', 'bo@acme.test',     'Bo',             'a01',  0),
  ('u03', 'cy@globex.test',   'Cy',             'a02',  1),
  ('u04', 'di@initech.test',  'Di',             'a03',  1),
  ('u05', 'ed@hooli.test',    'Ed',             'a05',  NULL),
  ('u06', 'flo@stark.test',   'Flo',            'a06',  0),
  ('u07', 'gil@stark.test',   'Gil "G" Stark',  'a06',  NULL),
  ('u08', 'hu@wayne.test',    'Hu',             'a07',  0),
  ('u09', 'ida@none.test',    'Ida',            NULL,   1),
  ('u10', 'jo@acme.test',     'Jo',             'a01 ', 1),   -- trailing space: no account
  ('u11', 'kai@hooli.test',   'Kai',            'a05',  0),
  ('u12', 'lu@void.test',     'Lu',             'a99',  1),   -- no such account
  ('u13', 'mo@wayne.test',    'Mo',             'a08',  0),
  ('u14', NULL,               'Nÿ',             'a07',  NULL);

CREATE TABLE EXTERNAL_ID_MAPPING (
  segment_id        TEXT,
  external_id_type  TEXT,
  external_id_value TEXT
);
INSERT INTO EXTERNAL_ID_MAPPING VALUES
  ('u01', 'email', 'ana@acme.test'),   ('u01', 'user_id', 'acme-1'),
  ('u02', 'email', 'bo@acme.test'),    ('u02', 'user_id', 'acme-2'),
  ('u03', 'email', 'cy@globex.test'),
  ('u04', 'email', 'di@initech.test'), ('u04', 'user_id', 'ini-4'),
  ('u05', 'email', 'ed@hooli.test'),
  ('u06', 'email', 'flo@stark.test'),  ('u06', 'email', 'flo.alt@stark.test'),
  ('u07', 'user_id', 'stark-7'),
  ('u08', 'email', 'hu@wayne.test'),
  ('u11', 'email', 'kai@hooli.test'),
  ('u13', 'email', 'mo@wayne.test');

CREATE TABLE ACCOUNTS (
  id         TEXT PRIMARY KEY,
  name       TEXT,
  plan       TEXT,
  seats      REAL,
  created_at TEXT
);
INSERT INTO ACCOUNTS VALUES
  ('a01', 'Acme Corp',            'enterprise', 500,  '2019-01-01T00:00:00Z'),
  ('a02', 'Globex',               'enterprise', 50,   '2020-02-02 02:02:02'),
  ('a03', 'Initech',              'pro',        20,   '2021-03-03T03:03:03Z'),
  ('a04', 'Umbrella',             'enterprise', 1000, '2018-04-04T04:04:04Z'),  -- no profile
  ('a05', 'Hooli',                'free',       3,    NULL),
  ('a06', 'Stark "Industries"',   'enterprise', 10,   '2022-06-06T06:06:06Z'),
  ('a07', 'Wayne & Sons 100%',    'pro',        NULL, '2023-07-07T07:07:07Z'),
  ('a08', 'O''Neil_Co \ Ltd',     'pro',        2,    '2024-08-08T08:08:08Z');

CREATE TABLE SUBSCRIPTIONS (
  id         TEXT PRIMARY KEY,
  account_id TEXT,
  product    TEXT,
  tier       TEXT,
  status     TEXT,
  mrr        REAL,
  started_at TEXT,
  renews_on  TEXT
);
-- today = 2026-01-15; "within next 30 days" on a DATE is 2026-01-15 .. 2026-02-14
INSERT INTO SUBSCRIPTIONS VALUES
  ('s01', 'a01', 'analytics', 'premium', 'active',    900, '2025-02-01T00:00:00Z', '2026-02-01'),
  ('s02', 'a01', 'storage',   'basic',   'past_due',  50,  '2024-01-10T00:00:00Z', '2026-01-10'),
  ('s03', 'a02', 'analytics', 'premium', 'cancelled', 0,   '2023-05-05T00:00:00Z', NULL),
  ('s04', 'a02', 'storage',   'basic',   'past_due',  20,  '2023-05-05T00:00:00Z', '2026-01-31'),
  ('s05', 'a03', 'analytics', 'Premium', 'active',    300, '2024-06-01T00:00:00Z', '2026-06-01'),  -- "Premium" is not "premium"
  ('s06', 'a03', 'storage',   'basic',   'active',    40,  '2025-02-14T00:00:00Z', '2026-02-14'),
  ('s07', 'a04', 'analytics', 'premium', 'past_due',  500, '2022-01-20T00:00:00Z', '2026-01-20'),
  ('s08', 'a05', 'analytics', 'premium', 'active',    100, '2025-03-01T00:00:00Z', '2026-03-01'),
  ('s09', 'a06', 'analytics', 'premium', 'active',    700, '2025-01-15T00:00:00Z', '2026-01-15'),  -- renews today
  ('s10', 'a06', 'storage',   'basic',   'past_due',  30,  '2024-04-04T00:00:00Z', NULL),
  ('s11', 'a07', 'storage',   'basic',   'active',    25,  '2025-01-20T00:00:00Z', '2026-01-20'),
  ('s12', 'a07', 'analytics', 'premium', 'Active',    500, '2025-01-25T00:00:00Z', '2026-01-25'),  -- "Active" is not "active"
  ('s13', 'a07', 'support',   NULL,      'active',    10,  '2025-02-20T00:00:00Z', '2026-02-20'),
  ('s14', 'a05', 'storage',   'basic',   'active',    15,  '2025-02-16T00:00:00Z', '2026-02-16'),  -- two days after the window
  ('s15', 'a08', 'storage',   'basic',   NULL,        5,   '2025-08-08T00:00:00Z', '2026-01-16'),
  ('s16', NULL,  'analytics', 'premium', 'active',    900, '2025-01-01T00:00:00Z', '2026-01-16');  -- no account

CREATE TABLE TRACKS (
  segment_id TEXT,
  event      TEXT,
  timestamp  TEXT,
  properties TEXT
);
-- "within last 30 days" is 2025-12-16T12:00:00Z .. 2026-01-15T12:00:00Z
INSERT INTO TRACKS VALUES
  ('u02', 'Plan Upgraded', '2026-01-01T10:00:00Z', '{"from_tier":"basic","to_tier":"premium","mrr":900}'),
  ('u04', 'Plan Upgraded', '2025-11-01T10:00:00Z', '{"from_tier":"free","to_tier":"basic","mrr":40}'),   -- too old
  ('u08', 'Plan Upgraded', '2026-01-10 10:00:00',  '{"from_tier":"free","to_tier":"basic","mrr":25}'),
  ('u14', 'plan upgraded', '2026-01-12T10:00:00Z', '{"from_tier":"free","to_tier":"basic"}');          -- another name
