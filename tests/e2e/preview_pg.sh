#!/bin/sh
# tests/e2e/preview_pg.sh — the example audiences on PostgreSQL: start a
# throw-away server (tests/pg/start.sh), load each example's warehouse
# translated from SQLite (tests/pg/load.py), point lac.yaml at it with
# `dsn: "${PG_DSN}"`, and compare `lac preview` with expected/*.members.
# The server is stopped on any exit.  Skipped (77) without PostgreSQL.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py"
pg_start

members() {
	sed -n 's/.*"members": \[\(.*\)\].*/\1/p' | sed 's/", "/\n/g; s/^"//; s/"$//' | sed '/^$/d'
}

# lac.yaml with its warehouse section replaced by a postgres one
to_pg_yaml() {
	awk '
		/^warehouse:/ { print "warehouse:\n  type: postgres\n  dsn: \"${PG_DSN}\"\n  schema: lac"; skip = 1; next }
		skip && /^[ \t]/ { next }
		{ skip = 0; print }
	' "$1"
}

for dir in "$SRC"/examples/*/; do
	ex=$(basename "$dir")
	[ -d "$dir/expected" ] || continue
	now=$(grep -o 'now = [0-9][0-9TZ:.-]*' "$dir/expected/README.md" | head -1 | cut -d' ' -f3)
	proj="$T/$ex"
	lac init --example "$ex" "$proj" >/dev/null
	db=$(echo "lac_$ex" | tr -c 'a-z0-9_\n' '_')
	psql -q -d postgres -c "CREATE DATABASE $db" >/dev/null
	lac -C "$proj" graph --format json >"$T/graph.json"
	"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$proj/data/warehouse.db" >"$T/load.sql"
	if ! psql -q -v ON_ERROR_STOP=1 -d "$db" -f "$T/load.sql" >"$T/psql.log" 2>&1; then
		fail "$ex: loading into PostgreSQL failed"; cat "$T/psql.log" >&2; continue
	fi
	to_pg_yaml "$proj/lac.yaml" >"$T/lac.yaml" && cp "$T/lac.yaml" "$proj/lac.yaml"
	PG_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db"
	export PG_DSN
	for f in "$dir"/expected/*.members; do
		a=$(basename "$f" .members)
		if ! lac -C "$proj" --now "$now" --format json preview "$a" --all >"$T/out.json" 2>"$T/err"; then
			fail "$ex/$a: preview on PostgreSQL failed"; cat "$T/err" >&2; continue
		fi
		expect_eq "$ex/$a members on PostgreSQL" "$(cat "$f")" "$(members <"$T/out.json")"
	done
done

# a warehouse error is told at the failing condition, with the entity's name
# instead of the SQL's alias (PostgreSQL says where in the statement it was)
PG_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_petshop"
export PG_DSN
psql -q -d lac_petshop -c 'ALTER TABLE public.pets RENAME COLUMN type TO kind' >/dev/null
expect_status "preview, a column missing in the warehouse" 1 \
	lac -C "$T/petshop" --now 2026-01-15T12:00:00Z preview cat_owners
expect_eq "at the condition, named pet.type" \
	"lac: warehouse error in audience 'cat_owners' (audiences/pets.lac:9:35): ERROR:  column pet.type does not exist" \
	"$(head -n 1 "$T/err")"
lac -C "$T/petshop" -q --now 2026-01-15T12:00:00Z apply --auto-approve --no-run >/dev/null 2>&1 || true
expect_status "run, the same" 1 lac -C "$T/petshop" --now 2026-01-15T12:00:00Z run cat_owners
expect_eq "run: the header (it runs the applied text), named pet.type" \
	"lac: cat_owners: warehouse error in audience 'cat_owners' (audiences/pets.lac:3): ERROR:  column pet.type does not exist" \
	"$(grep '^lac: cat_owners:' "$T/err")"
psql -q -d lac_petshop -c 'ALTER TABLE public.pets RENAME COLUMN kind TO type' >/dev/null

# an unset ${PG_DSN} is an error naming the variable, never a value
unset PG_DSN
expect_status "unset dsn variable" 1 lac -C "$T/petshop" preview cat_owners
if grep -q "PG_DSN" "$T/err" "$T/out"; then pass; else fail "unset variable not named"; cat "$T/err" >&2; fi

finish
