#!/bin/sh
# tests/faults/injection.sh — no SQL injection through a DSL string: values
# made of quotes, backslashes, comments, dollar quotes, unicode escapes and
# statement breaks, compared with =, in, contains, starts/ends with, on a
# trait, an entity column, an event name and an event property, select
# exactly the rows that hold them, run on SQLite and on PostgreSQL; the SQL
# of all six dialects parses with sqlglot and every value comes back from
# the parse as the very literal written; a NUL (\u0000) is refused (E102).
# PostgreSQL and sqlglot parts are skipped without them.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3

P="$T/p"
lac init --example petshop "$P" >/dev/null
cat >"$P/audiences/inj.lac" <<'LAC'
audience inj_eq {
  where { with trait first_name = "x' OR '1'='1" }
}
audience inj_in {
  where { with trait first_name in ("C:\\temp\\", "a\"b", "--", "/* x */", "$$", "$tag$", "\u2019q\u00e9", "'; DROP TABLE PROFILE_TRAITS; --", "\\'", "a\nb") }
}
audience inj_like {
  where {
    any {
      with trait first_name contains "%_\\'"
      with trait first_name starts with "' --"
      with trait first_name ends with "\\"
    }
  }
}
audience inj_entity {
  where { with entity households.pets { name = "Rex'); DELETE FROM PETS; --" } }
}
audience inj_entity_control {
  where { with entity households.pets { id = "x01" } }
}
audience inj_event {
  where {
    any {
      with event "Order'); DROP TABLE TRACKS; --"
      with event "Order Completed" { product_id = "k\\'$$--" }
    }
  }
}
LAC
# the values, one profile each (p13 and p14 are decoys for contains and starts with)
sqlite3 "$P/data/warehouse.db" "
	UPDATE PROFILE_TRAITS SET first_name = 'plain';
	UPDATE PROFILE_TRAITS SET first_name = 'x'' OR ''1''=''1' WHERE segment_id = 'p01';
	UPDATE PROFILE_TRAITS SET first_name = 'C:\\temp\\' WHERE segment_id = 'p02';
	UPDATE PROFILE_TRAITS SET first_name = 'a\"b' WHERE segment_id = 'p03';
	UPDATE PROFILE_TRAITS SET first_name = '--' WHERE segment_id = 'p04';
	UPDATE PROFILE_TRAITS SET first_name = '/* x */' WHERE segment_id = 'p05';
	UPDATE PROFILE_TRAITS SET first_name = '\$\$' WHERE segment_id = 'p06';
	UPDATE PROFILE_TRAITS SET first_name = '\$tag\$' WHERE segment_id = 'p07';
	UPDATE PROFILE_TRAITS SET first_name = '’qé' WHERE segment_id = 'p08';
	UPDATE PROFILE_TRAITS SET first_name = '''; DROP TABLE PROFILE_TRAITS; --' WHERE segment_id = 'p09';
	UPDATE PROFILE_TRAITS SET first_name = 'a%_\\''b' WHERE segment_id = 'p10';
	UPDATE PROFILE_TRAITS SET first_name = ''' -- x' WHERE segment_id = 'p11';
	UPDATE PROFILE_TRAITS SET first_name = 'ends\\' WHERE segment_id = 'p12';
	UPDATE PROFILE_TRAITS SET first_name = 'a%b' WHERE segment_id = 'p13';
	UPDATE PROFILE_TRAITS SET first_name = 'x'' --' WHERE segment_id = 'p14';
	UPDATE PETS SET name = 'Rex''); DELETE FROM PETS; --' WHERE id = 'x01';
	INSERT INTO TRACKS VALUES ('p05', 'Order''); DROP TABLE TRACKS; --', '2026-01-10T09:00:00Z', '{}');
	INSERT INTO TRACKS VALUES ('p06', 'Order Completed', '2026-01-10T09:00:00Z', '{\"product_id\":\"k\\\\''\$\$--\",\"total\":1}');"
# in: the stored value 'a\nb' needs a real newline
sqlite3 "$P/data/warehouse.db" "UPDATE PROFILE_TRAITS SET first_name = 'a' || char(10) || 'b' WHERE segment_id = 'p13'"
expect_eq "the data holds the values" "x' OR '1'='1|C:\\temp\\|k\\'\$\$--" "$(sqlite3 "$P/data/warehouse.db" "
	SELECT (SELECT first_name FROM PROFILE_TRAITS WHERE segment_id = 'p01') || '|' ||
	       (SELECT first_name FROM PROFILE_TRAITS WHERE segment_id = 'p02') || '|' ||
	       (SELECT json_extract(properties, '\$.product_id') FROM TRACKS WHERE segment_id = 'p06' AND properties LIKE '%k%')")"
expect_status "check" 0 lac -C "$P" check

members() { lac -C "$P" --format json --now 2026-01-15T12:00:00Z preview "$1" --all |
	"$py" -c 'import json, sys; print(" ".join(json.load(sys.stdin)["members"]))'; }
expected_entity=$(members inj_entity_control)
# NAME EXPECTED: on the warehouse lac.yaml names now
check_members() {
	expect_eq "$1 inj_eq" "p01" "$(members inj_eq)"
	expect_eq "$1 inj_in" "p02 p03 p04 p05 p06 p07 p08 p09 p13" "$(members inj_in)"
	expect_eq "$1 inj_like" "p02 p10 p11 p12" "$(members inj_like)"
	expect_eq "$1 inj_entity (as the control by id)" "$expected_entity" "$(members inj_entity)"
	expect_eq "$1 inj_event" "p05 p06" "$(members inj_event)"
}
[ -n "$expected_entity" ] && pass || fail "the control audience has members"
counts() { sqlite3 "$P/data/warehouse.db" "SELECT (SELECT COUNT(*) FROM PROFILE_TRAITS) || ' ' ||
	(SELECT COUNT(*) FROM PETS) || ' ' || (SELECT COUNT(*) FROM TRACKS)"; }
before=$(counts)
check_members sqlite
expect_eq "sqlite: nothing dropped or deleted" "$before" "$(counts)"

# a NUL is refused at the source, never sent
printf 'audience inj_nul {\n  where { with trait first_name = "a\\u0000b" }\n}\n' >"$P/audiences/nul.lac"
expect_status "NUL: refused" 1 lac -C "$P" check
expect_eq "NUL: E102" 1 "$(grep -c "error\[E102\]: '\\\\u0000' is not allowed in a string" "$T/err")"
rm "$P/audiences/nul.lac"

# ---- the six dialects' SQL, parsed back by sqlglot -------------------------------------
if "$py" -c 'import sqlglot' 2>/dev/null; then
	lac -C "$P" compile -d all -o "$T/sql" inj_eq inj_in inj_like inj_entity inj_event >/dev/null
	if "$py" "$SRC/tests/sqlglot_check.py" "$T/sql" >"$T/glot" 2>&1; then pass; else
		fail "sqlglot rejects the SQL"; cat "$T/glot" >&2; fi
	# every value of inj_eq and inj_in is one literal, exactly as written.
	# sqlglot 10 keeps a backslash escape as written (BigQuery's, Databricks'
	# "\n") and does not read Redshift's doubled quotes, so a newline may
	# come back as "\n" there and Redshift's literals are read by the rules
	# of its documentation (\\, \' and '' escape; \n is a newline) instead.
	if "$py" - "$T/sql" >"$T/lits" 2>&1 <<'PY'; then pass; else fail "a value is not one literal"; cat "$T/lits" >&2; fi
import sys, sqlglot
from sqlglot import exp


def redshift_literals(sql):
    """String literals by Redshift's rules: '' and backslash escapes."""
    out, i = set(), 0
    while i < len(sql):
        if sql[i] == "-" and sql.startswith("--", i):
            i = sql.find("\n", i) if sql.find("\n", i) >= 0 else len(sql)
            continue
        if sql[i] != "'":
            i += 1
            continue
        i, buf = i + 1, []
        while True:
            c = sql[i]
            if c == "\\":
                nxt = sql[i + 1]
                buf.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
                i += 2
            elif c == "'" and sql[i + 1:i + 2] == "'":
                buf.append("'")
                i += 2
            elif c == "'":
                i += 1
                break
            else:
                buf.append(c)
                i += 1
        out.add("".join(buf))
    return out


want = {"inj_eq": ["x' OR '1'='1"],
        "inj_in": ["C:\\temp\\", 'a"b', "--", "/* x */", "$$", "$tag$", "\u2019q\u00e9",
                   "'; DROP TABLE PROFILE_TRAITS; --", "\\'", "a\nb"]}
bad = 0
for d in ("snowflake", "bigquery", "redshift", "databricks", "postgres", "sqlite"):
    for aud, values in want.items():
        sql = open("%s/%s/%s.sql" % (sys.argv[1], d, aud), encoding="utf-8").read()
        lits = set()
        for tree in sqlglot.parse(sql, read=d):
            if tree is not None:
                lits |= {l.this for l in tree.find_all(exp.Literal) if l.is_string}
        if d == "redshift":
            lits = redshift_literals(sql)
        for v in values:
            as_escape = v.replace("\n", "\\n") if d in ("bigquery", "databricks", "snowflake") else v
            if v not in lits and as_escape not in lits:
                bad += 1
                print("%s %s: %r is not a literal of the parse (%r)" % (d, aud, v, sorted(lits)))
sys.exit(1 if bad else 0)
PY
else
	echo "no sqlglot: the dialect parse skipped"
fi

# ---- the same on PostgreSQL ---------------------------------------------------------------
if pg_start --optional; then
	psql -q -d postgres -c "CREATE DATABASE lac_inj" >/dev/null
	lac -C "$P" graph --format json >"$T/graph.json"
	"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$P/data/warehouse.db" >"$T/load.sql"
	psql -q -v ON_ERROR_STOP=1 -d lac_inj -f "$T/load.sql" >"$T/psql.log" 2>&1 || { cat "$T/psql.log" >&2; exit 1; }
	awk '
		/^warehouse:/ { print "warehouse:\n  type: postgres\n  dsn: \"${PG_DSN}\"\n  schema: lac"; skip = 1; next }
		skip && /^[ \t]/ { next }
		{ skip = 0; print }
	' "$P/lac.yaml" >"$T/lac.yaml" && cp "$T/lac.yaml" "$P/lac.yaml"
	PG_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_inj"
	export PG_DSN
	check_members postgres
	traits=$(sed -n 's/^CREATE TABLE \([^ ]*PROFILE_TRAITS\) .*/\1/p' "$T/load.sql" | head -1)
	expect_eq "postgres: nothing dropped" 14 "$(psql -q -t -A -d lac_inj -c "SELECT COUNT(*) FROM $traits")"
fi
finish
