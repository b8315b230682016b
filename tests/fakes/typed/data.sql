-- tests/fakes/typed/data.sql — the typed-JSON project's warehouse (sqlite3):
-- values inside JSON that drift in type, so that every JSON read template
-- of every dialect (json_read of each type, the safe casts behind them) is
-- rewritten and compared with the postgres dialect on rows that tell.
CREATE TABLE profiles (pid TEXT, address TEXT, born TEXT, opens TEXT, joined TEXT, member INTEGER,
 score REAL);
CREATE TABLE tracks (pid TEXT, event TEXT, ts TEXT, props TEXT);
CREATE TEMP TABLE v (pid TEXT, props TEXT);
INSERT INTO v VALUES
 ('t_abc', '{"total": "abc"}'), ('t_1e2', '{"total": "1e2"}'), ('t_3', '{"total": 3}'),
 ('t_obj', '{"total": {"v": 1}}'), ('t_neg', '{"total": "-0.5"}'), ('t_null', '{"total": null}'),
 ('g_true', '{"gift": true}'), ('g_str', '{"gift": "true"}'), ('g_1', '{"gift": 1}'),
 ('c_7', '{"code": 7}'), ('c_obj', '{"code": {"x": "7"}}'), ('c_arr', '{"code": ["7"]}'),
 ('c_empty', '{"code": ""}'),
 ('d_feb30', '{"day": "2025-02-30"}'), ('d_leap', '{"day": "2024-02-29"}'),
 ('d_noleap', '{"day": "2023-02-29"}'), ('d_num', '{"day": 20250101}'),
 ('d_ok', '{"day": "2025-12-31"}'), ('d_m13', '{"day": "2025-13-01"}'),
 ('a_24', '{"at": "24:00:00"}'), ('a_ok', '{"at": "23:59:59"}'), ('a_early', '{"at": "07:00:00"}'),
 ('a_hm', '{"at": "08:00"}'),
 ('w_feb30', '{"when": "2025-02-30 10:00:00"}'), ('w_tz', '{"when": "2025-01-31T08:30:00Z"}'),
 ('w_frac', '{"when": "2025-12-31 08:30:00.5"}'), ('w_24', '{"when": "2025-01-31 24:00:00"}'),
 ('w_date', '{"when": "2025-01-31"}');
INSERT INTO profiles (pid, address) SELECT pid, NULL FROM v;
INSERT INTO tracks SELECT pid, 'Order Completed', '2026-01-01 00:00:00', props FROM v;
INSERT INTO profiles (pid, address) VALUES
 ('f_high', '{"floor": "high", "city": {"name": "x"}, "since": "2024-02-30", "opens": "25:00:00", "seen": "2025-01-31", "vip": "yes", "geo": 1}'),
 ('f_2', '{"floor": 2, "city": 7, "since": "2024-02-29", "opens": "09:00:00", "seen": "2025-01-31 08:30:00", "vip": true, "geo": {"lat": 1}}'),
 ('f_2s', '{"floor": "2", "city": ["x"], "since": 20240229, "opens": "9:00", "seen": "2025-01-31T08:30:00Z", "vip": "true", "geo": [1]}'),
 ('f_obj', '{"floor": {}, "city": "Oslo", "since": {"d": 1}, "opens": {}, "seen": [], "vip": false, "geo": null}');
-- typed traits read back: whole and fractional seconds, both ISO spellings
INSERT INTO profiles VALUES
 ('r_1', NULL, '2024-02-29', '08:30:00', '2025-01-31 08:30:00', 1, 3),
 ('r_2', NULL, '1999-12-31', '23:59:59', '2025-01-31T08:30:00.5Z', 0, 2.5),
 ('r_3', NULL, NULL, NULL, NULL, NULL, -7);
