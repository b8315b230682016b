-- data/warehouse.sql — the kitchen-sink warehouse for the embedded SQLite engine.
-- Only the last part of a graph table name names the table on SQLite
-- (SHOP.SALES.ORDERS -> ORDERS).  TIMESTAMP is ISO-8601 UTC text (both
-- spellings), DATE 'YYYY-MM-DD', TIME 'HH:MM:SS', BOOLEAN 0/1, JSON as text.
-- Relative-time data is written for now = 2026-01-15T12:00:00Z.
-- k01 is built to satisfy most audiences; the others vary one thing at a
-- time (NULLs, case, spaces, %, _, backslashes, quotes, Unicode, windows).

DROP TABLE IF EXISTS PROFILE_TRAITS;
DROP TABLE IF EXISTS EXTERNAL_ID_MAPPING;
DROP TABLE IF EXISTS TRACKS;
DROP TABLE IF EXISTS CUSTOMERS;
DROP TABLE IF EXISTS ORDERS;
DROP TABLE IF EXISTS LINE_ITEMS;
DROP TABLE IF EXISTS PRODUCTS;
DROP TABLE IF EXISTS PRODUCT_TAGS;
DROP TABLE IF EXISTS TAGS;
DROP TABLE IF EXISTS LOYALTY_CARDS;

CREATE TABLE PROFILE_TRAITS (
  segment_id         TEXT PRIMARY KEY,
  email              TEXT,
  first_name         TEXT,
  plan               TEXT,
  ltv                REAL,
  vip                INTEGER,
  email_opt_out      INTEGER,
  birthday           TEXT,
  wake_time          TEXT,
  last_login         TEXT,
  loyalty_id         TEXT,
  preferred_currency TEXT,
  address            TEXT
);
INSERT INTO PROFILE_TRAITS VALUES
  ('k01', 'ana@example.com',   'Ana',                 'pro',        250,   1,    NULL, '1990-04-01', '07:00:00', '2026-01-15T11:00:00Z', 'L-001', 'EUR', '{"city":"Paris","zip":"75001","country":"FR"}'),
  ('k02', 'bob@example.com',   'Bob',                 'free',       5,     0,    0,    '1985-02-02', '06:15:00', '2025-12-01 08:00:00',  'L-002', 'USD', '{"city":"Boston","zip":"02108","country":"US"}'),
  ('k03', 'cy+test@example.com','Cy',                 'team',       1000.5, 1,   0,    '2005-12-31', '09:30:00', '2026-01-14T12:00:00Z', NULL,    'EUR', '{"city":"Bruxelles","zip":null,"country":"BE"}'),
  ('k04', 'dee@EXAMPLE.com',   'Dee',                 'enterprise', -5,    NULL, 1,    '1950-01-01', '05:00:00', NULL,                   'L-004', NULL,  '{"city":"paris","country":"FR"}'),
  ('k05', 'eli@example.com',   'Zoë "Z" O\Neil',      'trial',      0,     0,    NULL, NULL,         NULL,       '2024-06-30T23:59:59Z', 'L-005', 'EUR', NULL),
  ('k06', 'fox@example.org',   NULL,                  'banned',     600,   1,    0,    '1999-09-09', '07:29:59', '2026-01-15T10:30:00Z', 'L-006', 'GBP', '{}'),
  ('k07', 'gia@example.com',   'Gia',                 'pro',        101,   0,    0,    '2000-02-29', '07:30:00', '2026-01-15T10:29:59Z', 'L-007', 'EUR', '{"city":"Paris","zip":"75002","country":"FR"}'),
  ('k08', 'hoa@example.com',   'Hoa 100%_\',          NULL,         50,    1,    NULL, '1970-01-01', '08:00:00', '2025-01-01T00:00:00Z', ' L-001', 'EUR', '{"city":"Hà Nội","country":"VN"}'),
  ('k09', 'ivo@example.com',   'Ivo',                 'team',       99.99, 0,    0,    '1980-08-08', '06:00:00', '2025-10-17T12:00:00Z', 'l-009', 'EUR', '{"city":"Paris","zip":"75003","country":"FR"}'),
  ('k10', NULL,                'Jun',                 'pro',        700,   1,    0,    NULL,         NULL,       NULL,                   NULL,    NULL,  NULL),
  ('k11', 'kai@example.com',   'Kai',                 'enterprise', 300,   1,    0,    '1995-05-05', '07:00:00', '2026-01-10T00:00:00Z', 'L-011', 'EUR', '{"city":"Lyon","zip":"69001","country":"FR"}'),
  ('k12', 'lou@example.com',   'Lou',                 'pro',        120,   0,    0,    '1992-12-12', '07:10:00', '2026-01-13T00:00:00Z', 'L-012', 'EUR', '{"city":"Paris","zip":"75004","country":"FR"}'),
  ('k13', 'ana@example.com',   'Ana (old profile)',   'free',       1,     0,    0,    NULL,         NULL,       NULL,                   NULL,    NULL,  NULL),
  ('k14', 'mo@example.com',    'Mo',                  'team',       42,    NULL, NULL, '2001-01-01', '23:59:59', '2026-01-15T12:00:00Z', NULL,    'EUR', '{"city":"Nice","zip":"06000","country":"FR"}');

CREATE TABLE EXTERNAL_ID_MAPPING (
  segment_id        TEXT,
  external_id_type  TEXT,
  external_id_value TEXT
);
INSERT INTO EXTERNAL_ID_MAPPING VALUES
  ('k01', 'email',   'ana@example.com'),
  ('k01', 'email',   'ana@example.com'),     -- twice: customer c01 is reached twice
  ('k01', 'user_id', 'user-01'),
  ('k02', 'email',   'bob@example.com'),
  ('k03', 'email',   'cy+test@example.com'),
  ('k04', 'email',   'dee@EXAMPLE.com'),
  ('k05', 'email',   'eli@example.com'),
  ('k06', 'email',   'fox@example.org'),
  ('k07', 'email',   'gia@example.com'),
  ('k07', 'user_id', 'user-07'),
  ('k08', 'email',   'hoa@example.com'),
  ('k09', 'email',   'ivo@example.com'),
  ('k11', 'email',   'kai@example.com'),
  ('k11', 'user_id', 'user-11'),
  ('k12', 'email',   'lou@example.com'),
  ('k13', 'email',   'ana@example.com'),     -- an unmerged duplicate of k01
  ('k14', 'email',   'mo@example.com'),
  ('k99', 'email',   'ghost@example.com');   -- not a profile

CREATE TABLE CUSTOMERS (
  id        TEXT PRIMARY KEY,
  email     TEXT,
  region    TEXT,
  city      TEXT,
  score     REAL,
  joined_on TEXT,
  last_seen TEXT,
  opens_at  TEXT,
  active    INTEGER,
  notes     TEXT
);
INSERT INTO CUSTOMERS VALUES
  ('c01', 'ana@example.com',     'EU', 'Paris',     0.8,  '2020-01-01', '2025-09-01T00:00:00Z', '08:00:00', 1,    'VIP "gold" customer'),
  ('c02', 'bob@example.com',     'US', 'Boston',    0.2,  '2019-05-05', '2026-01-14T00:00:00Z', '09:00:00', 1,    'pays 100% upfront'),
  ('c03', 'cy+test@example.com', 'EU', 'Bruxelles', 0.95, '2024-02-29', NULL,                   '08:30:00', 1,    'C:\notes\cy'),
  ('c04', 'dee@example.com',     'EU', 'Paris',     0.5,  '2020-02-29', '2025-01-01T00:00:00Z', '09:00:00', 0,    NULL),     -- case differs from k04's id
  ('c05', 'eli@example.com',     'UK', 'London',    -1,   '2021-01-01', '2025-10-01 00:00:00',  '07:59:59', 1,    'Zoë''s account'),
  ('c06', 'fox@example.org',     'UK', 'Leeds',     0.99, '2025-12-25', '2025-12-31T00:00:00Z', '10:00:00', 1,    'under_score'),
  ('c07', 'gia@example.com',     'EU', 'Paris',     0.6,  '2018-07-07', '2025-06-01T00:00:00Z', '08:00:00', 1,    'regular'),
  ('c08', 'gia@example.com',     'EU', 'Lyon',      0.7,  '2022-08-08', NULL,                   '09:00:00', NULL, 'second record'),
  ('c09', 'kai@example.com',     'UK', 'Lyon',      0.91, '2023-03-03', '2025-08-08T08:08:08Z', '08:00:00', 1,    'tab	inside'),
  ('c10', 'lou@example.com',     'eu', 'Paris',     0.55, '2023-04-04', '2025-07-07T07:07:07Z', '08:00:00', 1,    'lower-case region'),
  ('c11', NULL,                  'EU', 'Paris',     0.9,  '2023-05-05', NULL,                   '08:00:00', 1,    'no email'),
  ('c12', 'ghost@example.com',   'EU', 'Paris',     0.9,  '2023-06-06', NULL,                   '08:00:00', 1,    'not a profile');

CREATE TABLE ORDERS (
  id            TEXT PRIMARY KEY,
  customer_id   TEXT,
  status        TEXT,
  total         REAL,
  currency      TEXT,
  placed_at     TEXT,
  promised_at   TEXT,
  ship_by       TEXT,
  delivery_slot TEXT,
  gift          INTEGER,
  coupon        TEXT
);
INSERT INTO ORDERS VALUES
  ('r01', 'c01', 'completed', 120,   'EUR', '2026-01-10T10:00:00Z', '2026-01-20T00:00:00Z', '2026-01-20', '09:00:00', 0,    NULL),
  ('r02', 'c01', 'completed', 60,    'EUR', '2025-11-15T10:00:00Z', '2025-11-20T00:00:00Z', '2025-11-20', '11:00:00', 1,    'SAVE10'),
  ('r03', 'c01', 'returned',  30,    'EUR', '2025-10-01 10:00:00',  NULL,                   NULL,         '17:00:00', 0,    'SAVE_10'),
  ('r04', 'c02', 'completed', 15,    'USD', '2026-01-05T10:00:00Z', '2026-01-16T12:00:00Z', '2026-01-21', '10:30:00', 0,    NULL),
  ('r05', 'c02', 'fraud',     999,   'USD', '2026-01-06T10:00:00Z', NULL,                   NULL,         NULL,       0,    'FRAUD-1'),
  ('r06', 'c03', 'shipped',   13.13, 'EUR', '2026-01-12T10:00:00Z', '2026-02-01T00:00:00Z', '2026-01-22', '08:00:00', 0,    NULL),
  ('r07', 'c03', 'completed', 250,   'EUR', '2025-12-24T10:00:00Z', '2026-01-30T00:00:00Z', '2026-01-29', '12:00:00', 1,    '100%OFF'),
  ('r08', 'c05', 'completed', 45,    'GBP', '2026-01-02T10:00:00Z', '2026-01-25T00:00:00Z', '2026-01-20', '08:00:01', 0,    NULL),
  ('r09', 'c05', 'Completed', 45,    'GBP', '2026-01-03T10:00:00Z', NULL,                   NULL,         NULL,       NULL, NULL),
  ('r10', 'c06', 'cancelled', 0,     'GBP', '2026-01-04T10:00:00Z', NULL,                   NULL,         NULL,       0,    NULL),
  ('r11', 'c07', 'completed', 80,    'EUR', '2026-01-08T10:00:00Z', '2026-01-18T00:00:00Z', '2026-01-21', '10:00:00', 0,    'WELCOME'),
  ('r12', 'c08', 'completed', 70,    'EUR', '2026-01-09T10:00:00Z', '2026-01-19T00:00:00Z', '2026-01-22', '11:30:00', 1,    NULL),
  ('r13', 'c09', 'completed', 500,   'EUR', '2025-12-31T23:59:59Z', '2026-03-01T00:00:00Z', '2026-01-16', '09:45:00', 0,    NULL),
  ('r14', 'c09', 'returned',  20,    'EUR', '2026-01-01T00:00:00Z', NULL,                   NULL,         '18:00:00', 0,    NULL),
  ('r15', 'c10', 'completed', 110,   'EUR', '2026-01-11T10:00:00Z', '2026-01-19T00:00:00Z', '2026-01-20', '09:00:00', 0,    NULL),
  ('r16', 'c11', 'completed', 300,   'EUR', '2026-01-11T10:00:00Z', NULL,                   NULL,         NULL,       0,    NULL),
  ('r17', NULL,  'completed', 10,    'EUR', '2026-01-11T10:00:00Z', NULL,                   NULL,         NULL,       0,    NULL);

CREATE TABLE LINE_ITEMS (
  id         TEXT PRIMARY KEY,
  order_id   TEXT,
  product_id TEXT,
  qty        REAL,
  unit_price REAL
);
INSERT INTO LINE_ITEMS VALUES
  ('li01', 'r01', 'P1', 2,    19.99),
  ('li02', 'r01', 'P2', 1,    49.5),
  ('li03', 'r02', 'P1', 3,    19.99),      -- P1 is reached again through another order
  ('li04', 'r04', 'P3', 1,    9.98),
  ('li05', 'r06', 'P4', 1,    13.13),
  ('li06', 'r07', 'P2', 5,    50),
  ('li07', 'r08', 'P5', 1,    99.5),
  ('li08', 'r11', 'P1', 1,    19.99),
  ('li09', 'r12', 'P6', 100,  0.7),
  ('li10', 'r13', 'P2', 2,    250),
  ('li11', 'r15', 'P1', NULL, NULL),
  ('li12', 'r15', 'P9', 1,    12);        -- no such product

CREATE TABLE PRODUCTS (
  id          TEXT PRIMARY KEY,
  sku         TEXT,
  name        TEXT,
  category    TEXT,
  price       REAL,
  released_on TEXT
);
INSERT INTO PRODUCTS VALUES
  ('P1', 'KS-001', 'Steel bowl \',         'home',  25,    '2025-06-01'),
  ('P2', 'KS-002', 'Cat tree "Deluxe"',    'pets',  60,    '2024-11-11'),
  ('P3', 'ks-003', 'Kibble 100%',          'food',  9.98,  '2025-12-30'),
  ('P4', 'KS_004', 'Crème brûlée torch',   'kitchen', 13.13, '2026-01-10'),
  ('P5', 'KS-005', 'Lamp',                 'toys',  99.5,  NULL),
  ('P6', NULL,     NULL,                   NULL,    NULL,  NULL);

CREATE TABLE TAGS (
  id     TEXT PRIMARY KEY,
  label  TEXT,
  weight REAL
);
INSERT INTO TAGS VALUES
  ('T1', 'EU deal KS-001', 5),
  ('T2', 'sale',           1),
  ('T3', 'new',            2),
  ('T4', 'Sale',           3),      -- case differs from "sale"
  ('T5', 'EU pets KS-002', 70),
  ('T6', NULL,             NULL);

CREATE TABLE PRODUCT_TAGS (
  id         TEXT PRIMARY KEY,
  product_id TEXT,
  tag_id     TEXT
);
INSERT INTO PRODUCT_TAGS VALUES
  ('pt01', 'P1', 'T1'),
  ('pt02', 'P2', 'T2'),
  ('pt03', 'P2', 'T3'),
  ('pt04', 'P2', 'T2'),             -- the same tag twice
  ('pt05', 'P3', 'T4'),
  ('pt06', 'P2', 'T5'),
  ('pt07', 'P4', 'T2'),
  ('pt08', 'P5', 'T6'),
  ('pt09', 'P1', 'T99');            -- no such tag

CREATE TABLE LOYALTY_CARDS (
  id          TEXT PRIMARY KEY,
  card_number TEXT,
  level       TEXT,
  points      REAL,
  expires_on  TEXT
);
INSERT INTO LOYALTY_CARDS VALUES
  ('lc01', 'L-001', 'gold',   1500, '2026-12-31'),
  ('lc02', 'L-002', 'silver', 200,  '2026-02-01'),
  ('lc04', 'L-004', 'none',   0,    '2025-12-31'),
  ('lc05', 'L-005', 'gold',   999,  '2026-02-12'),     -- exactly 4 weeks after today
  ('lc06', 'L-006', 'Gold',   5000, '2027-01-01'),
  ('lc07', 'L-007', 'silver', 1000, '2026-07-01'),
  ('lc09', 'L-009', 'gold',   3000, '2026-09-09'),     -- k09's loyalty_id is "l-009"
  ('lc11', 'L-011', 'gold',   1200, NULL),
  ('lc12', 'L-012', 'gold',   1001, '2026-08-08');

CREATE TABLE TRACKS (
  segment_id TEXT,
  event      TEXT,
  timestamp  TEXT,
  properties TEXT
);
INSERT INTO TRACKS VALUES
  ('k01', 'Signed Up',       '2024-01-01T00:00:00Z', '{"method":"email"}'),
  ('k01', 'Order Completed', '2026-01-10T10:00:00Z', '{"total":120,"currency":"EUR","product_id":"P1"}'),
  ('k01', 'Order Completed', '2026-01-12T10:00:00Z', '{"total":40,"currency":"EUR","product_id":"P2","coupon":"SAVE_10"}'),
  ('k01', 'Order Completed', '2026-01-15T06:00:00Z', '{"total":15,"currency":"EUR"}'),
  ('k01', 'Product Viewed',  '2026-01-01T00:00:00Z', '{"product_id":"P1","price":20,"category":"home"}'),
  ('k01', 'Product Viewed',  '2026-01-12 09:00:00',  '{"product_id":"P3","price":8,"category":"food"}'),
  ('k02', 'Signed Up',       '2023-03-03T00:00:00Z', '{"method":"google","referrer":"ads"}'),
  ('k02', 'Order Completed', '2026-01-15T11:00:00Z', '{"total":999,"currency":"USD","coupon":"FRAUD-1"}'),
  ('k03', 'Signed Up',       '2025-12-25T00:00:00Z', '{"method":"email"}'),
  ('k03', 'Signed Up',       '2025-12-26T00:00:00Z', '{"method":"email"}'),
  ('k03', 'Order Completed', '2026-01-12T10:00:00Z', '{"total":13.13,"currency":"EUR"}'),
  ('k03', 'Order Completed', '2025-12-24T10:00:00Z', '{"total":250,"currency":"EUR","coupon":"100%OFF"}'),
  ('k05', 'Product Viewed',  '2026-01-08T12:00:00Z', '{"product_id":"P5","price":99.5,"category":"toys"}'),
  ('k05', 'Product Viewed',  '2025-12-16T12:00:00Z', '{"product_id":"P5","price":10,"category":"toys"}'),
  ('k07', 'Signed Up',       '2025-01-01T00:00:00Z', '{"method":"sso","referrer":null}'),
  ('k07', 'Order Completed', '2026-01-08T10:00:00Z', '{"total":80,"currency":"EUR"}'),
  ('k07', 'Order Completed', '2026-01-09T10:00:00Z', '{"total":70,"currency":"EUR"}'),
  ('k07', 'Order Completed', '2026-01-14T11:00:00Z', '{"total":21,"currency":"EUR"}'),
  ('k07', 'Product Viewed',  '2026-01-05T00:00:00Z', '{"product_id":"P2","price":60,"category":"pets"}'),
  ('k07', 'Product Viewed',  '2026-01-13T00:00:00Z', '{"product_id":"P2","price":60,"category":"pets"}'),
  ('k09', 'Order Completed', '2026-01-14T10:00:00Z', '{"total":500,"currency":"EUR"}'),
  ('k11', 'Order Completed', '2026-01-14T10:00:00Z', '{"total":75,"currency":"EUR"}'),
  ('k12', 'Order Completed', '2026-01-11T10:00:00Z', '{"total":110,"currency":"EUR"}'),
  ('k14', 'Signed Up',       '2026-01-15T12:00:00Z', '{"method":"email \"magic\" link","referrer":"C:\\ref"}'),
  ('k99', 'Order Completed', '2026-01-14T10:00:00Z', '{"total":100,"currency":"EUR"}');
