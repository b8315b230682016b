-- data/warehouse.sql — the Owly warehouse for the embedded SQLite engine.
-- Only the last part of a graph table name names the table on SQLite
-- (OWLY.BANK.ACCOUNTS -> ACCOUNTS).  TIMESTAMP is ISO-8601 UTC text (both
-- spellings appear), DATE is 'YYYY-MM-DD', BOOLEAN is 0/1, JSON is text.
-- Relative-time data is written for now = 2026-01-15T12:00:00Z:
--   within last 90 days = 2025-10-17T12:00:00Z .. 2026-01-15T12:00:00Z
--   within last 30 days = 2025-12-16T12:00:00Z .. 2026-01-15T12:00:00Z

DROP TABLE IF EXISTS PROFILE_TRAITS;
DROP TABLE IF EXISTS EXTERNAL_ID_MAPPING;
DROP TABLE IF EXISTS TRACKS;
DROP TABLE IF EXISTS ACCOUNTS;
DROP TABLE IF EXISTS CREDIT_CARDS;
DROP TABLE IF EXISTS TRANSACTIONS;
DROP TABLE IF EXISTS SUBSCRIPTIONS;

CREATE TABLE PROFILE_TRAITS (
  segment_id    TEXT PRIMARY KEY,
  email         TEXT,
  first_name    TEXT,
  email_opt_out INTEGER
);
INSERT INTO PROFILE_TRAITS VALUES
  ('o01', 'olga@owly.test',   'Olga',            0),
  ('o02', 'omar@owly.test',   'Omar',            0),
  ('o03', 'oona@owly.test',   'Oona',            0),
  ('o04', 'otto@owly.test',   'Otto',            0),
  ('o05', 'ola@owly.test',    'Ola',             NULL),
  ('o06', 'oren@owly.test',   'Oren',            1),
  ('o07', 'ozzy@owly.test',   'Ozzy "Oz"',       0),
  ('o08', 'odile@owly.test',  'Odile',           0),
  ('o09', 'orla@owly.test',   'Orla',            0),
  ('o10', 'oscar@owly.test',  'Oscar',           0),
  ('o11', 'opal@owly.test',   'Opal',            0),
  ('o12', 'ove@owly.test',    'Ove',             0),
  ('o13', 'oli@owly.test',    'Olí',             NULL),
  ('o14', 'ozan@owly.test',   'Ozan 100%_\',     0);

CREATE TABLE EXTERNAL_ID_MAPPING (
  segment_id        TEXT,
  external_id_type  TEXT,
  external_id_value TEXT
);
INSERT INTO EXTERNAL_ID_MAPPING VALUES
  ('o01', 'user_id', 'u1'),
  ('o01', 'user_id', 'u1'),     -- listed twice: account A01 is reached twice
  ('o01', 'email',   'olga@owly.test'),
  ('o02', 'user_id', 'u2'),
  ('o03', 'user_id', 'u3'),
  ('o04', 'user_id', 'u4'),
  ('o05', 'user_id', 'u5'),
  ('o06', 'user_id', 'u6'),
  ('o07', 'user_id', 'u7'),
  ('o08', 'user_id', 'u8'),     -- two accounts, A08 and A09
  ('o09', 'user_id', 'u9'),
  ('o10', 'user_id', 'u10'),
  ('o11', 'user_id', 'u11'),
  ('o12', 'email',   'ove@owly.test'),
  ('o13', 'user_id', 'u10'),    -- shares account A11 with o10
  ('o14', 'user_id', 'u14');    -- owns no account

CREATE TABLE ACCOUNTS (
  id            TEXT PRIMARY KEY,
  owner_user_id TEXT,
  name          TEXT,
  opened_at     TEXT
);
INSERT INTO ACCOUNTS VALUES
  ('A01', 'u1',  'Olga checking',   '2020-01-01T00:00:00Z'),
  ('A02', 'u2',  'Omar checking',   '2020-02-02T00:00:00Z'),
  ('A03', 'u3',  'Oona checking',   '2020-03-03T00:00:00Z'),
  ('A04', 'u4',  'Otto checking',   '2020-04-04T00:00:00Z'),
  ('A05', 'u5',  'Ola checking',    '2020-05-05 00:00:00'),
  ('A06', 'u6',  'Oren checking',   '2020-06-06T00:00:00Z'),
  ('A07', 'u7',  'Ozzy checking',   '2020-07-07T00:00:00Z'),
  ('A08', 'u8',  'Odile cards',     '2020-08-08T00:00:00Z'),
  ('A09', 'u8',  'Odile spending',  '2020-08-09T00:00:00Z'),
  ('A10', 'u9',  'Orla checking',   '2020-10-10T00:00:00Z'),
  ('A11', 'u10', 'Family account',  '2020-11-11T00:00:00Z'),
  ('A12', 'u11', 'Opal checking',   '2020-12-12T00:00:00Z'),
  ('A13', NULL,  'Orphan account',  '2021-01-01T00:00:00Z');

CREATE TABLE CREDIT_CARDS (
  id         TEXT PRIMARY KEY,
  account_id TEXT,
  name       TEXT,
  balance    REAL,
  due_on     TEXT
);
INSERT INTO CREDIT_CARDS VALUES
  ('c01', 'A01', 'Owly Card',      420.50, '2026-01-20'),
  ('c02', 'A02', 'Owly Card',      10,     '2026-01-25'),
  ('c03', 'A03', 'owly card',      99,     '2026-01-25'),   -- case differs
  ('c04', 'A04', 'Owly Card',      0,      NULL),
  ('c05', 'A05', 'Owly Card',      1500,   '2026-02-01'),
  ('c06', 'A06', 'Owly Card',      12.34,  '2026-02-02'),
  ('c07', 'A07', 'Owly Card',      -5,     '2026-02-03'),
  ('c08', 'A08', 'Owly Card',      300,    '2026-02-04'),
  ('c09', 'A10', 'Owly Card',      NULL,   '2026-02-05'),
  ('c10', 'A11', 'Owly Card',      77,     '2026-02-06'),
  ('c11', 'A12', 'Owly Card Plus', 5,      '2026-02-07'),   -- not equal to "Owly Card"
  ('c12', 'A01', 'Other Card',     1,      '2026-02-08'),
  ('c13', 'A13', 'Owly Card',      8,      '2026-02-09');

CREATE TABLE TRANSACTIONS (
  id         TEXT PRIMARY KEY,
  account_id TEXT,
  amount     REAL,
  merchant   TEXT,
  created_at TEXT
);
INSERT INTO TRANSACTIONS VALUES
  ('t01', 'A01', 600,  'Café "Hoot"',      '2026-01-10T10:00:00Z'),
  ('t02', 'A01', 500,  'Books 50% off',    '2025-12-01T10:00:00Z'),
  ('t03', 'A02', 1000, 'Airline',          '2026-01-05T10:00:00Z'),
  ('t04', 'A02', NULL, 'Pending',          '2026-01-06T10:00:00Z'),  -- null amounts are not summed
  ('t05', 'A03', 2000, 'Jeweller',         '2026-01-07T10:00:00Z'),
  ('t06', 'A04', 800,  'Grocer',           '2026-01-08T10:00:00Z'),
  ('t07', 'A04', 900,  'Grocer',           '2025-10-01T10:00:00Z'),  -- older than 90 days
  ('t08', 'A05', 1500, 'Hotel',            '2026-01-02T10:00:00Z'),
  ('t09', 'A06', 1200, 'Hotel',            '2025-12-24 10:00:00'),
  ('t10', 'A07', 1001, 'Bikes_R_Us',       '2025-10-17 12:00:00'),   -- exactly now - 90 days
  ('t11', 'A08', 900,  'Shoes',            '2026-01-03T10:00:00Z'),
  ('t12', 'A09', 1200, 'Shoes',            '2026-01-04T10:00:00Z'),
  ('t13', 'A10', 2000, 'Laptop',           '2025-11-11T10:00:00Z'),
  ('t14', 'A10', -500, 'Laptop refund',    '2025-11-12T10:00:00Z'),
  ('t15', 'A11', 1100, 'Back\slash Ltd',   '2025-12-12T10:00:00Z'),
  ('t16', 'A12', 3000, 'Car dealer',       '2026-01-01T10:00:00Z'),
  ('t17', 'A13', 5000, 'Unknown',          '2026-01-01T10:00:00Z'),
  ('t18', 'A07', 999,  'Bikes_R_Us',       '2025-10-17T11:59:59Z');  -- one second too old

CREATE TABLE SUBSCRIPTIONS (
  id         TEXT PRIMARY KEY,
  account_id TEXT,
  tier       TEXT,
  status     TEXT
);
INSERT INTO SUBSCRIPTIONS VALUES
  ('S1', 'A01', 'premium', 'active'),
  ('S2', 'A05', 'basic',   'cancelled'),
  ('S3', 'A06', 'premium', 'active'),
  ('S4', 'A06', 'basic',   'cancelled'),
  ('S5', 'A10', 'premium', 'cancelled'),
  ('S6', 'A11', 'premium', 'active'),
  ('S7', 'A07', 'basic',   'active'),
  ('S8', 'A09', 'premium', 'active');

CREATE TABLE TRACKS (
  segment_id TEXT,
  event      TEXT,
  timestamp  TEXT,
  properties TEXT
);
INSERT INTO TRACKS VALUES
  ('o02', 'Order Completed', '2026-01-01T10:00:00Z', '{"total":60,"currency":"EUR"}'),
  ('o02', 'Order Completed', '2026-01-02T10:00:00Z', '{"total":60,"currency":"EUR"}'),
  ('o02', 'Order Completed', '2026-01-03T10:00:00Z', '{"total":60,"currency":"EUR"}'),
  ('o05', 'Order Completed', '2026-01-04T10:00:00Z', '{"total":60}'),
  ('o05', 'Order Completed', '2026-01-05T10:00:00Z', '{"total":70}'),
  ('o05', 'Order Completed', '2026-01-06T10:00:00Z', '{"total":80}'),
  ('o07', 'Order Completed', '2026-01-01T10:00:00Z', '{"total":60}'),
  ('o07', 'Order Completed', '2026-01-02 10:00:00',  '{"total":70}'),
  ('o07', 'Order Completed', '2026-01-03T10:00:00Z', '{"total":50}'),    -- not > 50
  ('o07', 'Order Completed', '2025-12-20T10:00:00Z', '{"total":51}'),
  ('o09', 'Order Completed', '2025-12-16T11:00:00Z', '{"total":100}'),   -- before the 30-day window
  ('o09', 'Order Completed', '2026-01-01T10:00:00Z', '{"total":100}'),
  ('o09', 'Order Completed', '2026-01-02T10:00:00Z', '{"total":100}'),
  ('o14', 'Order Completed', '2026-01-01T10:00:00Z', '{"total":99}'),
  ('o14', 'Order Completed', '2026-01-02T10:00:00Z', '{"total":99}'),
  ('o14', 'Order Completed', '2026-01-03T10:00:00Z', '{"total":99}'),
  ('zz9', 'Order Completed', '2026-01-03T10:00:00Z', '{"total":99}');    -- not a profile
