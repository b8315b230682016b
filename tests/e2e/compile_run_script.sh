#!/bin/sh
# tests/e2e/compile_run_script.sh — the `lac compile --emit run` script is
# self-contained (SPEC §4): on a FRESH copy of an example's warehouse (no lac
# tables, no previous snapshot) the SQLite script runs with `sqlite3 -bail`,
# and leaves the same snapshots, matched entities, generation and membership
# log as `lac run` on another fresh copy.  The PostgreSQL script runs on a
# fresh database of a throw-away server (tests/pg/start.sh) with
# ON_ERROR_STOP; that part is skipped without PostgreSQL.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

now=2026-01-15T12:00:00Z
auds="multi_dog_owners cat_owners" # entity added + enrichment, profile entered + enrichment

# what a run leaves in the warehouse, in a comparable form
state_sqlite() {
	for a in $auds; do
		sqlite3 "$1" "SELECT '$a', member_id FROM snapshot_$a ORDER BY 2;
			SELECT path, member_id, entity_id FROM snapshot_${a}__ent ORDER BY 1, 2, 3;
			SELECT audience, generation FROM lac_generation WHERE audience = '$a';
			SELECT member_id, change FROM lac_membership_log WHERE audience = '$a' ORDER BY 1, 2;"
	done
}

lac init --example petshop "$T/script" >/dev/null
lac init --example petshop "$T/run" >/dev/null
# shellcheck disable=SC2086
lac -C "$T/script" --now "$now" compile -d sqlite --emit run $auds >"$T/run.sql"
if sqlite3 -bail "$T/script/data/warehouse.db" <"$T/run.sql" >"$T/rows" 2>"$T/sqlite.err"; then pass; else
	fail "the sqlite --emit run script fails on a fresh warehouse"; cat "$T/sqlite.err" >&2; fi
# shellcheck disable=SC2086
lac -C "$T/run" -q --now "$now" apply --auto-approve --no-run >/dev/null # run runs what was applied
expect_status "lac run on a fresh warehouse" 0 lac -C "$T/run" --now "$now" run $auds
state_sqlite "$T/script/data/warehouse.db" >"$T/script.state"
state_sqlite "$T/run/data/warehouse.db" >"$T/run.state"
expect_file_eq "script and lac run leave the same warehouse" "$T/run.state" "$T/script.state"
if grep -q '^multi_dog_owners|p03$' "$T/script.state" && grep -q '^cat_owners|1$' "$T/script.state"; then
	pass; else fail "snapshots missing"; cat "$T/script.state" >&2; fi
# the same script runs again on the same warehouse (its index names are
# fixed at generation 1: the ones on the swapped-in snapshot are kept)
if sqlite3 -bail "$T/script/data/warehouse.db" <"$T/run.sql" >/dev/null 2>"$T/sqlite.err"; then pass; else
	fail "the sqlite --emit run script fails when run a second time"; cat "$T/sqlite.err" >&2; fi
# the events query of the script returns the changes (member, entity, ...)
if grep -q '^p03|x04|1|0|2|h03|x04|Fido|' "$T/rows"; then pass; else
	fail "entity context rows missing from the events query"; head -20 "$T/rows" >&2; fi

# every trigger (kitchen-sink's ks_activations), alone on a fresh warehouse
lac init --example kitchen-sink "$T/ks" >/dev/null
lac -C "$T/ks" --now "$now" compile -d sqlite --emit run ks_activations >"$T/ks.sql"
if sqlite3 -bail "$T/ks/data/warehouse.db" <"$T/ks.sql" >/dev/null 2>"$T/sqlite.err"; then pass; else
	fail "ks_activations: the sqlite --emit run script fails on a fresh warehouse"; cat "$T/sqlite.err" >&2; fi

# every audience of every example in one script: audiences come in the
# order lac runs them, each after the ones it reads (kitchen-sink has
# `part of audience ... using membership`)
for ex in petshop owly subscriptions kitchen-sink; do
	lac init --example "$ex" "$T/all-$ex" >/dev/null
	lac -C "$T/all-$ex" compile -d sqlite --emit run >"$T/all-$ex.sql"
	if sqlite3 -bail "$T/all-$ex/data/warehouse.db" <"$T/all-$ex.sql" >/dev/null 2>"$T/sqlite.err"; then
		pass; else fail "$ex: the sqlite --emit run script fails on a fresh warehouse"; cat "$T/sqlite.err" >&2; fi
done

# ---- PostgreSQL ---------------------------------------------------------------
py=/usr/bin/python3
if ! [ -x "$py" ]; then
	echo "no /usr/bin/python3: PostgreSQL part skipped"
	finish
	exit $?
fi
pg_start --optional || { finish; exit $?; }

P="$T/pg"
lac init --example petshop "$P" >/dev/null
psql -q -d postgres -c "CREATE DATABASE lac_script" >/dev/null
lac -C "$P" graph --format json >"$T/graph.json"
"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$P/data/warehouse.db" >"$T/load.sql"
psql -q -v ON_ERROR_STOP=1 -d lac_script -f "$T/load.sql" >"$T/psql.log" 2>&1 || { cat "$T/psql.log" >&2; exit 1; }
awk '
	/^warehouse:/ { print "warehouse:\n  type: postgres\n  dsn: \"${PG_DSN}\"\n  schema: lac"; skip = 1; next }
	skip && /^[ \t]/ { next }
	{ skip = 0; print }
' "$P/lac.yaml" >"$T/lac.yaml" && cp "$T/lac.yaml" "$P/lac.yaml"
pg() { psql -q -t -A -v ON_ERROR_STOP=1 -d lac_script -c "$1"; }
expect_eq "no schema lac before the script" 0 \
	"$(pg "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'lac'")"
# shellcheck disable=SC2086
lac -C "$P" --now "$now" compile -d postgres --emit run $auds >"$T/pg.sql"
if psql -q -v ON_ERROR_STOP=1 -d lac_script -f "$T/pg.sql" >"$T/psql2.log" 2>&1; then pass; else
	fail "the postgres --emit run script fails on a fresh warehouse"; cat "$T/psql2.log" >&2; fi
for a in $auds; do
	expect_eq "$a: postgres snapshot as in sqlite" \
		"$(sqlite3 "$T/script/data/warehouse.db" "SELECT member_id FROM snapshot_$a ORDER BY 1")" \
		"$(pg "SELECT member_id FROM lac.snapshot_$a ORDER BY 1")"
	expect_eq "$a: generation 1" 1 "$(pg "SELECT generation FROM lac.lac_generation WHERE audience = '$a'")"
done
# without --now the log takes the warehouse's clock (a timestamptz column)
lac -C "$P" compile -d postgres --emit run cat_owners >"$T/pg2.sql"
if psql -q -v ON_ERROR_STOP=1 -d lac_script -f "$T/pg2.sql" >"$T/psql3.log" 2>&1; then pass; else
	fail "the postgres --emit run script without --now fails"; cat "$T/psql3.log" >&2; fi
finish
