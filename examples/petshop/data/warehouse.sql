-- data/warehouse.sql — the petshop warehouse for the embedded SQLite engine.
-- On SQLite only the last part of a graph table name names the table
-- (PETS.PUBLIC.PETS -> PETS).  TIMESTAMP is ISO-8601 UTC text (both the
-- 'T...Z' and the space spellings appear on purpose), DATE is 'YYYY-MM-DD',
-- BOOLEAN is 0/1 and JSON is text.
-- Relative-time data is written for the reference time now = 2026-01-15T12:00:00Z
-- (run everything with --now 2026-01-15T12:00:00Z).

DROP TABLE IF EXISTS PROFILE_TRAITS;
DROP TABLE IF EXISTS EXTERNAL_ID_MAPPING;
DROP TABLE IF EXISTS TRACKS;
DROP TABLE IF EXISTS HOUSEHOLDS;
DROP TABLE IF EXISTS PETS;
DROP TABLE IF EXISTS HOUSEHOLD_VETS;
DROP TABLE IF EXISTS VETS;

CREATE TABLE PROFILE_TRAITS (
  segment_id TEXT PRIMARY KEY,
  email      TEXT,
  first_name TEXT,
  ltv        REAL,
  vip        INTEGER,
  birthday   TEXT,
  address    TEXT
);
INSERT INTO PROFILE_TRAITS VALUES
  ('p01', 'ana@example.com',  'Ana',                 120.5, 0,    '1990-04-01', '{"city":"Lyon","zip":"69001"}'),
  ('p02', 'ben@example.com',  'Ben',                 40,    NULL, NULL,         '{"city":"Paris"}'),
  ('p03', 'cleo@example.com', 'Cléo',                300,   1,    '1985-12-24', '{"city":"Paris","zip":"75011"}'),
  ('p04', 'dan@example.com',  'Dan',                 0,     0,    '2000-02-29', NULL),
  ('p05', 'eve@example.com',  'Eve',                 55.25, 0,    '1979-07-14', '{"city":null}'),
  ('p06', 'fay@example.com',  'Fay',                 NULL,  0,    NULL,         '{}'),
  ('p07', 'gus@example.com',  'Gus "the dog guy"',   75,    NULL, '1969-01-15', '{"city":"Nice","zip":"06000"}'),
  ('p08', 'hal@example.com',  'Hal',                 10,    0,    NULL,         '{"city":"Lille"}'),
  ('p09', 'ivy@example.com',  'Ivy',                 220,   0,    '1995-05-05', '{"city":"Paris"}'),
  ('p10', 'jon@example.com',  'Jon',                 15,    0,    NULL,         NULL),
  ('p11', NULL,               'Kim',                 NULL,  NULL, NULL,         NULL),
  ('p12', 'lea@example.com',  'Léa',                 5,     0,    NULL,         NULL),
  ('p13', 'ana@example.com',  'Max',                 1,     0,    NULL,         NULL),
  ('p14', 'noe@example.com',  'Noé 100%_\ backslash', 12,   1,    NULL,         '{"city":"Montréal"}');

CREATE TABLE EXTERNAL_ID_MAPPING (
  segment_id        TEXT,
  external_id_type  TEXT,
  external_id_value TEXT
);
INSERT INTO EXTERNAL_ID_MAPPING VALUES
  ('p01', 'email',   'ana@example.com'),
  ('p01', 'user_id', 'u01'),
  ('p02', 'email',   'ben@example.com'),
  ('p02', 'email',   'ben@example.com'),        -- the same id twice: household h02 is reached twice
  ('p03', 'email',   'cleo@example.com'),
  ('p04', 'email',   'dan@example.com'),
  ('p05', 'email',   'eve@example.com'),
  ('p06', 'email',   'fay@example.com'),
  ('p07', 'email',   'gus@example.com'),
  ('p08', 'email',   'hal@example.com'),
  ('p09', 'email',   'ivy@example.com'),
  ('p09', 'email',   'ivy.work@example.com'),   -- two households
  ('p10', 'email',   'jon@example.com'),
  ('p10', 'email',   'jon@work.example'),
  ('p12', 'user_id', 'lea@example.com'),        -- an email value under the wrong id type
  ('p13', 'email',   'ana@example.com'),        -- shares Ana's household
  ('p14', 'email',   'noe@example.com'),
  ('p99', 'email',   'zed@example.com');        -- not a profile: selects nothing

CREATE TABLE HOUSEHOLDS (
  id          TEXT PRIMARY KEY,
  owner_email TEXT,
  city        TEXT,
  created_at  TEXT
);
INSERT INTO HOUSEHOLDS VALUES
  ('h01', 'ana@example.com',      'Lyon',     '2020-03-01T10:00:00Z'),
  ('h02', 'ben@example.com',      'Paris',    '2021-06-15 08:30:00'),
  ('h03', 'cleo@example.com',     'Paris',    '2019-11-30T23:59:59Z'),
  ('h04', 'dan@example.com',      'Nice',     '2025-12-01T00:00:00Z'),
  ('h05', 'eve@example.com',      'Lille',    NULL),
  ('h06', NULL,                   'Paris',    '2022-01-01T00:00:00Z'),  -- no owner: relates to no profile
  ('h07', 'Fay@Example.com',      'Lyon',     '2023-05-05T05:05:05Z'),  -- case differs from fay@example.com
  ('h08', 'gus@example.com',      'Nice',     '2018-08-08T08:08:08Z'),
  ('h09', 'hal@example.com',      'Lille',    '2024-02-29T12:00:00Z'),
  ('h10', 'ivy@example.com',      'Paris',    '2021-01-01T00:00:00Z'),
  ('h11', 'ivy.work@example.com', 'Paris',    '2021-01-02T00:00:00Z'),
  ('h12', 'jon@example.com',      'Rennes',   '2025-01-01T00:00:00Z'),
  ('h13', 'jon@work.example',     'Rennes',   '2025-01-02T00:00:00Z'),
  ('h14', 'lea@example.com',      'Brest',    '2025-03-03T03:03:03Z'),
  ('h15', 'noe@example.com',      'Montréal', '2025-04-04T04:04:04Z'),
  ('h16', 'zed@example.com',      'Nowhere',  '2025-05-05T05:05:05Z'),
  ('h17', ' dan@example.com',     'Nice',     '2025-06-06T06:06:06Z');  -- leading space: no match

CREATE TABLE PETS (
  id           TEXT PRIMARY KEY,
  household_id TEXT,
  name         TEXT,
  type         TEXT,
  age          REAL,
  adopted_on   TEXT
);
INSERT INTO PETS VALUES
  ('x01', 'h01', 'Minou',   'cat', 3,    '2022-05-01'),
  ('x02', 'h01', 'Rex',     'dog', 5,    '2020-03-02'),
  ('x03', 'h02', 'Bolt',    'dog', 2,    '2023-09-09'),
  ('x04', 'h03', 'Fido',    'dog', 4,    '2021-01-01'),
  ('x05', 'h03', 'Lassie',  'dog', 9,    '2016-06-06'),
  ('x06', 'h03', 'Tom',     'Cat', 1,    '2025-01-10'),   -- "Cat" is not "cat"
  ('x07', 'h05', 'Nemo',    NULL,  NULL, NULL),
  ('x08', 'h05', 'Spot',    'dog', 7,    '2018-12-25'),
  ('x09', 'h06', 'Ghost',   'cat', 4,    '2022-02-02'),
  ('x10', 'h07', 'Kitty',   'cat', 2,    '2023-05-06'),
  ('x11', 'h08', 'Luna',    'cat', 2,    '2023-10-10'),
  ('x12', 'h08', 'Max',     'dog', 3,    '2022-11-11'),
  ('x13', 'h08', 'Rocky',   'dog', 6,    '2019-12-12'),
  ('x14', 'h10', 'Buddy',   'dog', 1,    '2025-07-07'),
  ('x15', 'h11', 'Daisy',   'dog', 8,    '2017-08-08'),
  ('x16', 'h13', 'Salem',   'cat', 11,   '2014-10-31'),
  ('x17', 'h14', 'Cleo',    'cat', 5,    '2020-09-09'),
  ('x18', 'h15', 'Félix',   'cat', NULL, '2025-12-24'),
  ('x19', 'h16', 'Zed',     'cat', 1,    '2025-05-06'),
  ('x20', 'h17', 'Tiger',   'cat', 6,    '2019-06-07'),
  ('x21', NULL,  'Stray',   'dog', 2,    NULL);

CREATE TABLE VETS (
  id   TEXT PRIMARY KEY,
  name TEXT,
  city TEXT
);
INSERT INTO VETS VALUES
  ('v01', 'Paws 100% Care',       'Lyon'),
  ('v02', 'Paws 1000 Care',       'Lille'),     -- "100%" as a LIKE pattern would match this
  ('v03', 'Dr. "Doc" O''Brien',   'Rennes'),
  ('v04', 'Happy_Vet',            'Nice'),
  ('v05', 'HappyXVet',            'Paris'),     -- "_Vet" as a LIKE pattern would match this
  ('v06', 'C:\Vets\Main',         'Lille'),
  ('v07', 'Clinique Vétérinaire', 'Paris'),
  ('v08', NULL,                   'Montréal');

CREATE TABLE HOUSEHOLD_VETS (
  id           TEXT PRIMARY KEY,
  household_id TEXT,
  vet_id       TEXT
);
INSERT INTO HOUSEHOLD_VETS VALUES
  ('hv01', 'h01', 'v01'),
  ('hv02', 'h01', 'v01'),    -- the same vet twice for one household
  ('hv03', 'h09', 'v02'),
  ('hv04', 'h03', 'v05'),
  ('hv05', 'h04', 'v04'),
  ('hv06', 'h05', 'v06'),
  ('hv07', 'h10', 'v07'),
  ('hv08', 'h07', 'v01'),
  ('hv09', 'h02', NULL),
  ('hv10', 'h08', 'v99'),    -- no such vet
  ('hv11', 'h13', 'v03'),
  ('hv12', 'h15', 'v08');

CREATE TABLE TRACKS (
  segment_id TEXT,
  event      TEXT,
  timestamp  TEXT,
  properties TEXT
);
-- now = 2026-01-15T12:00:00Z; "within last 30 days" is 2025-12-16T12:00:00Z .. now (inclusive)
INSERT INTO TRACKS VALUES
  ('p01', 'Order Completed', '2026-01-10T09:00:00Z', '{"total":25,"currency":"EUR","product_id":"kibble"}'),
  ('p01', 'Order Completed', '2026-01-02 18:30:00',  '{"total":40,"currency":"EUR","product_id":"litter"}'),
  ('p01', 'Product Viewed',  '2026-01-11T10:00:00Z', '{"product_id":"toy","price":4.5}'),
  ('p02', 'Order Completed', '2026-01-14T07:00:00Z', '{"total":30,"currency":"EUR"}'),
  ('p02', 'Order Completed', '2025-12-16T12:00:00Z', '{"total":20,"currency":"EUR"}'),    -- on the window edge, total = 20
  ('p03', 'Order Completed', '2026-01-05T10:00:00Z', '{"total":100,"currency":"USD"}'),
  ('p03', 'Order Completed', '2026-01-06T10:00:00Z', '{"total":100,"currency":"USD"}'),
  ('p05', 'Order Completed', '2026-01-10T10:00:00Z', '{"total":19.99,"currency":"EUR"}'),
  ('p05', 'Order Completed', '2026-01-11T10:00:00Z', '{"total":50,"currency":"EUR"}'),
  ('p05', 'Product Viewed',  '2026-01-12T10:00:00Z', '{"product_id":"bed","price":80}'),
  ('p07', 'Order Completed', '2025-12-16T11:59:59Z', '{"total":30}'),                     -- one second too early
  ('p07', 'Order Completed', '2026-01-01T00:00:00Z', '{"total":30}'),
  ('p08', 'Order Completed', '2026-01-03T10:00:00Z', '{"currency":"EUR"}'),               -- no total
  ('p08', 'Order Completed', '2026-01-04T10:00:00Z', '{"total":21,"currency":"EUR"}'),
  ('p08', 'Order Completed', '2026-01-05 10:00:00',  '{"total":22,"currency":"EUR"}'),
  ('p09', 'order completed', '2026-01-05T10:00:00Z', '{"total":99}'),                     -- event names are exact
  ('p09', 'order completed', '2026-01-06T10:00:00Z', '{"total":99}'),
  ('p09', 'order completed', '2026-01-07T10:00:00Z', '{"total":99}'),
  ('p10', 'Order Completed', '2026-01-15T12:00:00Z', '{"total":20}'),                     -- exactly now
  ('p10', 'Order Completed', '2026-01-16T00:00:00Z', '{"total":50}'),                     -- in the future
  ('p99', 'Order Completed', '2026-01-05T10:00:00Z', '{"total":500}'),                    -- unknown profile
  ('p99', 'Order Completed', '2026-01-06T10:00:00Z', '{"total":500}');
