#!/bin/sh
# tests/faults/warehouse_pg.sh — the PostgreSQL warehouse failing mid-run:
# the connection dropped (pg_terminate_backend from the test while lac's
# snapshot query runs) and a statement running past `timeout`.  Each run
# fails with exit 1 and the server's message, sends nothing, and the next
# run completes the work, every event exactly once.  The slow query is a
# view over PETS that sleeps (slow()).  Skipped (77) without PostgreSQL.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py"
pg_start
lib="$SRC/tests/e2e/run_lib.py"

P="$T/p"
lac init --example petshop "$P" >/dev/null
psql -q -d postgres -c "CREATE DATABASE lac_faults" >/dev/null
lac -C "$P" graph --format json >"$T/graph.json"
"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$P/data/warehouse.db" >"$T/load.sql"
psql -q -v ON_ERROR_STOP=1 -d lac_faults -f "$T/load.sql" >"$T/psql.log" 2>&1 || { cat "$T/psql.log" >&2; exit 1; }
# timeout: 2s bounds each statement (the slow view sleeps 4 s when asked to)
awk '
	/^warehouse:/ { print "warehouse:\n  type: postgres\n  dsn: \"${PG_DSN}\"\n  schema: lac\n  timeout: 2s"; skip = 1; next }
	skip && /^[ \t]/ { next }
	{ skip = 0; print }
' "$P/lac.yaml" >"$T/lac.yaml" && cp "$T/lac.yaml" "$P/lac.yaml"
PG_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_faults"
export PG_DSN
ev="$P/out/events.jsonl"
pg() { psql -q -t -A -v ON_ERROR_STOP=1 -d lac_faults -c "$1"; }
pets=$(sed -n 's/^CREATE TABLE \([^ ]*PETS\) .*/\1/p' "$T/load.sql" | head -1)
[ -n "$pets" ] || { echo "no PETS table in load.sql" >&2; exit 1; }

# PETS becomes a view that sleeps while lac_slow holds a number of seconds
pg "ALTER TABLE $pets RENAME TO pets_real;
	CREATE TABLE lac_slow (secs float8 NOT NULL);
	CREATE FUNCTION slow() RETURNS boolean LANGUAGE plpgsql AS
	  \$\$ BEGIN PERFORM pg_sleep(COALESCE((SELECT max(secs) FROM lac_slow), 0)); RETURN true; END \$\$;
	CREATE VIEW $pets AS SELECT * FROM pets_real WHERE (SELECT slow());" >/dev/null

lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
expect_status "baseline" 0 lac -C "$P" -q --now 2026-01-15T12:00:00Z run cat_owners multi_dog_owners
pg "INSERT INTO pets_real VALUES ('x30','h02','Mia','cat',2,'2025-01-01'),
	('x31','h02','Odie','dog',3,'2025-01-01'), ('x32','h10','Pluto','dog',4,'2025-01-01');
	DELETE FROM pets_real WHERE id IN ('x11','x13');" >/dev/null
expected="dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x03|true
dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x31|true
dog_bundle|track|Dog Bundle Eligible|anon:p09|households.pets|x32|true
welcome_cat|track|Audience Entered|anon:p02|-|-|true"

# ---- a statement past the timeout ----------------------------------------------
pg "INSERT INTO lac_slow VALUES (4)" >/dev/null
expect_status "timeout: the run fails" 1 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners
expect_eq "timeout: the server's message" 1 "$(grep -c 'canceling statement due to statement timeout' "$T/err")"
expect_eq "timeout: nothing sent" 0 "$(cat "$ev" 2>/dev/null | wc -l)"

# ---- the connection dropped mid-statement ---------------------------------------
# the killer waits for lac's sleeping query and ends its backend
pg "UPDATE lac_slow SET secs = 1.5" >/dev/null
(
	for _ in $(seq 100); do
		n=$(pg "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = 'lac_faults' AND pid <> pg_backend_pid() AND state = 'active'
			AND query LIKE '%PETS%'" 2>/dev/null || echo 0)
		[ "${n:-0}" -gt 0 ] && { echo "$n" >"$T/killed"; exit 0; }
		sleep 0.05
	done
) &
killer=$!
expect_status "dropped: the run fails" 1 lac -C "$P" --now 2026-01-15T13:30:00Z run cat_owners
wait "$killer"
expect_eq "dropped: the killer found lac's query" 1 "$(cat "$T/killed" 2>/dev/null)"
if grep -Eq 'terminating connection due to administrator command|server closed the connection unexpectedly' "$T/err"; then
	pass
else
	fail "dropped: the message says the connection went"
	sed 's/^/  err: /' "$T/err" >&2
fi
expect_eq "dropped: nothing sent" 0 "$(cat "$ev" 2>/dev/null | wc -l)"

# ---- the next runs complete the work ---------------------------------------------
pg "DELETE FROM lac_slow" >/dev/null
expect_status "next run" 0 lac -C "$P" -q --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
expect_eq "every event exactly once" "$expected" "$("$py" "$lib" summary "$ev")"
expect_status "messageIds unique" 0 "$py" "$lib" ids "$ev"
expect_status "quiet run" 0 lac -C "$P" -q --now 2026-01-15T15:00:00Z run cat_owners multi_dog_owners
expect_eq "quiet run sends nothing" 4 "$(wc -l <"$ev")"
finish
