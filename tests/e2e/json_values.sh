#!/bin/sh
# tests/e2e/json_values.sh — values inside JSON drift in type (SPEC §3.4
# "Values inside JSON"): event properties and keys of an OBJECT trait hold
# wrong JSON types, numeric strings, "NaN", " 3", "1e2", invalid calendar
# values, booleans as 1/"yes"/"TRUE", objects and arrays.  Each audience's
# exact members on the embedded SQLite warehouse, on the `compile -d sqlite`
# text run by the sqlite3 shell, and on a throw-away PostgreSQL
# (tests/pg/start.sh; that part is skipped without a server).  The audience
# query never fails.  Also: an entity row whose primary key is null does not
# exist for lac, at any depth.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need sqlite3
py=/usr/bin/python3
P="$T/proj"
mkdir -p "$P/audiences" "$P/data"
NOW=2026-01-15T12:00:00Z

cat >"$P/lac.yaml" <<'EOF'
version: 1
name: drift
graph: graph.yaml
audiences: audiences
warehouse:
  type: sqlite
  path: data/warehouse.db
  schema: lac
state:
  path: .lac/state.db
EOF

cat >"$P/graph.yaml" <<'EOF'
version: 1
entities:
  - slug: shop
    table: shops
    primary_key: id
    columns: { id: STRING, owner: STRING }
  - slug: aisle
    table: aisles
    primary_key: id
    columns: { id: STRING, shop_id: STRING, name: STRING }
  - slug: item
    table: items
    primary_key: id
    columns: { id: STRING, aisle_name: STRING, price: NUMBER }
profile:
  table: profiles
  id: pid
  traits:
    email: STRING
    address:
      type: OBJECT
      column: address
      properties: { floor: NUMBER, city: STRING }
  events:
    table: tracks
    id: pid
    name: event
    timestamp: ts
    properties: props
    catalog:
      "Order Completed": { total: NUMBER, gift: BOOLEAN, code: STRING, day: DATE, at: TIME, when: TIMESTAMP }
  relationships:
    - slug: shops
      entity: shop
      trait: { name: email, join_key: owner }
      relationships:
        - slug: aisles
          entity: aisle
          join_on: shop.id = aisle.shop_id
          relationships:
            - slug: items
              entity: item
              join_on: aisle.name = item.aisle_name
EOF

cat >"$P/audiences/drift.lac" <<'EOF'
audience total_lt5 { where { with event "Order Completed" { total < 5 } } }
audience total_read { where { with event "Order Completed" { total is not null } } }
audience total_7 { where { with event "Order Completed" { total = 7 } } }
audience total_sum { where { with event "Order Completed" having sum(total) >= 100 } }
audience gift_true { where { with event "Order Completed" { gift = true } } }
audience gift_read { where { with event "Order Completed" { gift is not null } } }
audience code_7 { where { with event "Order Completed" { code = "7" } } }
audience code_true { where { with event "Order Completed" { code = "true" } } }
audience code_read { where { with event "Order Completed" { code is not null } } }
audience code_15 { where { with event "Order Completed" { code = "1.5" } } }
audience code_100 { where { with event "Order Completed" { code = "100.0" } } }
audience day_read { where { with event "Order Completed" { day is not null } } }
audience day_before { where { with event "Order Completed" { day < date "2025-01-01" } } }
audience at_read { where { with event "Order Completed" { at is not null } } }
audience when_read { where { with event "Order Completed" { when is not null } } }
audience no_total { where { without event "Order Completed" { total is not null } } }
audience floor_lt3 { where { with trait address.floor < 3 } }
audience city_read { where { with trait address.city is not null } }
audience items_2 { where { with entity shops.aisles.items at least 2 } }
audience aisles_any { where { with entity shops.aisles } }
audience aisles_0 { where { with entity shops.aisles exactly 0 } }
audience items_cheap { where { with entity shops { with entity aisles { with entity items { price < 5 } } } } }
audience items_count { where { with entity shops.aisles.items having count() >= 1 } }
audience aisle_rows {
  target entity shops.aisles
  where { name is not null }
}
EOF

# one profile per drifting value; the event's props hold it
sqlite3 "$P/data/warehouse.db" <<'EOF'
CREATE TABLE profiles (pid TEXT, email TEXT, address TEXT);
CREATE TABLE tracks (pid TEXT, event TEXT, ts TEXT, props TEXT);
CREATE TABLE shops (id TEXT, owner TEXT);
CREATE TABLE aisles (id TEXT, shop_id TEXT, name TEXT);
CREATE TABLE items (id TEXT, aisle_name TEXT, price REAL);
CREATE TEMP TABLE v (pid TEXT, props TEXT);
INSERT INTO v VALUES
 ('t_abc', '{"total": "abc"}'), ('t_empty', '{"total": ""}'), ('t_space', '{"total": " 3"}'),
 ('t_nan', '{"total": "NaN"}'), ('t_1e2', '{"total": "1e2"}'), ('t_12_5', '{"total": "12.5"}'),
 ('t_true', '{"total": true}'), ('t_obj', '{"total": {"v": 1}}'), ('t_arr', '{"total": [1]}'),
 ('t_3', '{"total": 3}'), ('t_neg', '{"total": "-0.5"}'), ('t_007', '{"total": "007"}'),
 ('t_plus', '{"total": "+1"}'), ('t_dot', '{"total": "1."}'), ('t_exp', '{"total": "2E-1"}'),
 ('t_inf', '{"total": "Infinity"}'), ('t_hex', '{"total": "0x10"}'), ('t_null', '{"total": null}'),
 ('g_1', '{"gift": 1}'), ('g_yes', '{"gift": "yes"}'), ('g_TRUE', '{"gift": "TRUE"}'),
 ('g_true', '{"gift": true}'), ('g_str', '{"gift": "true"}'), ('g_false', '{"gift": false}'),
 ('c_7', '{"code": 7}'), ('c_7s', '{"code": "7"}'), ('c_true', '{"code": true}'),
 ('c_obj', '{"code": {"x": "7"}}'), ('c_arr', '{"code": ["7"]}'), ('c_empty', '{"code": ""}'),
 ('c_null', '{"code": null}'),
 ('d_feb30', '{"day": "2025-02-30"}'), ('d_leap', '{"day": "2024-02-29"}'),
 ('d_noleap', '{"day": "2023-02-29"}'), ('d_short', '{"day": "2025-1-5"}'),
 ('d_num', '{"day": 20250101}'), ('d_ok', '{"day": "2025-12-31"}'), ('d_m13', '{"day": "2025-13-01"}'),
 ('d_1900', '{"day": "1900-02-29"}'), ('d_2000', '{"day": "2000-02-29"}'),
 ('a_24', '{"at": "24:00:00"}'), ('a_ok', '{"at": "23:59:59"}'), ('a_short', '{"at": "8:00:00"}'),
 ('a_hm', '{"at": "08:00"}'), ('a_61', '{"at": "08:61:00"}'),
 ('w_feb30', '{"when": "2025-02-30 10:00:00"}'), ('w_tz', '{"when": "2025-01-31T08:30:00Z"}'),
 ('w_frac', '{"when": "2025-01-31 08:30:00.5"}'), ('w_off', '{"when": "2025-01-31T08:30:00+01:00"}'),
 ('w_24', '{"when": "2025-01-31 24:00:00"}'), ('w_date', '{"when": "2025-01-31"}'),
 ('w_dotz', '{"when": "2025-01-31T08:30:00.Z"}'), ('w_fracz', '{"when": "2025-01-31T08:30:00.123Z"}'),
 ('w_zz', '{"when": "2025-01-31T08:30:00ZZ"}');
INSERT INTO profiles SELECT pid, NULL, NULL FROM v;
INSERT INTO tracks SELECT pid, 'Order Completed', '2026-01-01 00:00:00', props FROM v;
INSERT INTO tracks SELECT pid, 'Order Completed', '2026-01-02 00:00:00', props FROM v WHERE pid = 't_1e2';
INSERT INTO profiles VALUES
 ('f_high', NULL, '{"floor": "high", "city": {"name": "x"}}'), ('f_2', NULL, '{"floor": 2, "city": 7}'),
 ('f_2s', NULL, '{"floor": "2", "city": ["x"]}'), ('f_obj', NULL, '{"floor": {}, "city": "Oslo"}');
-- null primary keys: a shop, an aisle and an item that do not exist for lac
INSERT INTO profiles VALUES ('n_shop', 'mail-a', NULL), ('n_aisle', 'mail-b', NULL),
 ('n_item', 'mail-c', NULL), ('n_ok', 'mail-d', NULL);
INSERT INTO shops VALUES (NULL, 'mail-a'), ('s_b', 'mail-b'), ('s_c', 'mail-c'), ('s_d', 'mail-d');
INSERT INTO aisles VALUES ('x_a', NULL, 'A'), ('x_b', 's_b', 'B'), ('x_c', 's_c', 'C'),
 ('x_d', 's_d', 'D'), (NULL, 's_b', 'B2'), (NULL, 's_c', 'C');
INSERT INTO items VALUES ('i_a', 'A', 1), ('i_b', 'B', 1), ('i_b2', 'B2', 1), (NULL, 'C', 1),
 ('i_c', 'C', 9), ('i_d1', 'D', 1), ('i_d2', 'D', 9);
EOF
# shop NULL (mail-a) has no shop; aisle (NULL, s_b) does not exist, so its item
# i_b2 is not reachable; aisle (NULL, s_c, 'C') neither (its name 'C' leads
# to items through x_c anyway); item (NULL, 'C') does not exist.

# audience -> expected members (sorted, space-separated)
cat >"$T/want" <<'EOF'
total_lt5 t_3 t_exp t_neg
total_read t_007 t_12_5 t_1e2 t_3 t_exp t_neg
total_7 t_007
total_sum t_1e2
gift_true g_str g_true
gift_read g_false g_str g_true
code_7 c_7 c_7s
code_true c_true
code_read c_7 c_7s c_empty c_true
code_15
code_100
day_read d_2000 d_leap d_ok
day_before d_2000 d_leap
at_read a_ok
when_read w_frac w_fracz w_tz
floor_lt3 f_2 f_2s
city_read f_2 f_obj
items_2 n_ok
aisles_any n_aisle n_item n_ok
items_cheap n_aisle n_ok
items_count n_aisle n_item n_ok
aisle_rows x_b x_c x_d
EOF
# no_total and aisles_0: every profile but those listed
all_but() {
	all=$(sqlite3 "$P/data/warehouse.db" "SELECT pid FROM profiles ORDER BY pid" | tr '\n' ' ')
	for p in $all; do case " $1 " in *" $p "*) ;; *) echo "$p";; esac; done | sort | tr '\n' ' ' | sed 's/ $//'
}
cp "$T/want" "$T/want.fixed"
want_all_but() {
	cp "$T/want.fixed" "$T/want"
	echo "no_total $(all_but "t_007 t_12_5 t_1e2 t_3 t_exp t_neg")" >>"$T/want"
	echo "aisles_0 $(all_but "n_aisle n_item n_ok")" >>"$T/want"
}
want_all_but

members() {
	sed -n 's/.*"members": \[\(.*\)\].*/\1/p' | sed 's/", "/\n/g; s/^"//; s/"$//' | sed '/^$/d' |
		LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

# check ENGINE PROJECT
check() {
	while read -r a want; do
		if ! lac -C "$2" --now "$NOW" --format json preview "$a" --all >"$T/out.json" 2>"$T/err"; then
			fail "$1 $a: preview failed"; cat "$T/err" >&2; continue
		fi
		expect_eq "$1 $a" "$want" "$(members <"$T/out.json")"
	done <"$T/want"
}

# the compiled text runs in the sqlite3 shell (no regexp(), no lac functions)
check_shell() {
	while read -r a want; do
		lac -C "$P" --now "$NOW" compile -d sqlite "$a" >"$T/q.sql"
		if ! sqlite3 -bail "$P/data/warehouse.db" <"$T/q.sql" >"$T/rows" 2>"$T/err"; then
			fail "$1 $a"; cat "$T/err" >&2; continue
		fi
		expect_eq "$1 $a" "$want" "$(LC_ALL=C sort "$T/rows" | tr '\n' ' ' | sed 's/ $//')"
	done <"$T/want"
}

expect_status "check" 0 lac -C "$P" check
check SQLite "$P"
check_shell "sqlite3 shell"

# SQLite keeps JSON as text, which may not parse at all: it reads as null
# there too (SQLite's JSON functions raise "malformed JSON" on it).  Not
# loaded into PostgreSQL, whose json and jsonb columns cannot hold it.
sqlite3 "$P/data/warehouse.db" <<'EOF'
CREATE TEMP TABLE m (pid TEXT, json TEXT);
INSERT INTO m VALUES ('m_bad', 'not json'), ('m_empty', ''), ('m_cut', '{"total": 3, "floor": 1'),
 ('m_blank', ' '), ('m_real', '{"code": 1.50}'), ('m_exp', '{"code": 1e2}');
INSERT INTO profiles SELECT pid, NULL, json FROM m;
INSERT INTO tracks SELECT pid, 'Order Completed', '2026-01-01 00:00:00', json FROM m;
EOF
# ... and a non-integer number read as STRING is SQLite's text of it (SPEC
# §3.4: the engine's canonical text), only here: PostgreSQL's jsonb keeps 1.50
want_all_but
sed -i 's/^code_read .*/code_read c_7 c_7s c_empty c_true m_exp m_real/; s/^code_15$/code_15 m_real/; s/^code_100$/code_100 m_exp/' "$T/want"
check "SQLite, malformed JSON" "$P"
check_shell "sqlite3 shell, malformed JSON"
sqlite3 "$P/data/warehouse.db" "DELETE FROM profiles WHERE pid GLOB 'm_*'; DELETE FROM tracks WHERE pid GLOB 'm_*';"
want_all_but

# ---- PostgreSQL ------------------------------------------------------------------
if [ ! -x "$py" ]; then
	echo "no /usr/bin/python3: the PostgreSQL part is skipped"
	finish
	exit
fi
pg_start --optional || { finish; exit; }
psql -q -d postgres -c "CREATE DATABASE lac_drift" >/dev/null
lac -C "$P" graph --format json >"$T/graph.json"
"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$P/data/warehouse.db" >"$T/load.sql"
if ! psql -q -v ON_ERROR_STOP=1 -d lac_drift -f "$T/load.sql" >"$T/psql.log" 2>&1; then
	fail "loading into PostgreSQL failed"; cat "$T/psql.log" >&2; finish
fi
Q="$T/pg"
mkdir -p "$Q"
cp -r "$P/audiences" "$P/graph.yaml" "$Q/"
sed 's/^  type: sqlite/  type: postgres/; s|^  path: data/warehouse.db|  dsn: "${PG_DSN}"|' "$P/lac.yaml" >"$Q/lac.yaml"
PG_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_drift"
export PG_DSN
check PostgreSQL "$Q"
finish
