#!/bin/sh
# tests/e2e/run_pg.sh — `lac run` on PostgreSQL: the petshop warehouse loaded
# into a throw-away server (tests/pg/start.sh), snapshots in schema "lac":
# the baseline, a data change (exact events), a quiet run, a crash after the
# outbox step and its completion.  Skipped (77) without PostgreSQL.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py"
pg_start
lib="$SRC/tests/e2e/run_lib.py"

P="$T/p"
lac init --example petshop "$P" >/dev/null
psql -q -d postgres -c "CREATE DATABASE lac_run" >/dev/null
lac -C "$P" graph --format json >"$T/graph.json"
"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$P/data/warehouse.db" >"$T/load.sql"
psql -q -v ON_ERROR_STOP=1 -d lac_run -f "$T/load.sql" >"$T/psql.log" 2>&1 || { cat "$T/psql.log" >&2; exit 1; }
awk '
	/^warehouse:/ { print "warehouse:\n  type: postgres\n  dsn: \"${PG_DSN}\"\n  schema: lac"; skip = 1; next }
	skip && /^[ \t]/ { next }
	{ skip = 0; print }
' "$P/lac.yaml" >"$T/lac.yaml" && cp "$T/lac.yaml" "$P/lac.yaml"
PG_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_run"
export PG_DSN
ev="$P/out/events.jsonl"
pg() { psql -q -t -A -v ON_ERROR_STOP=1 -d lac_run -c "$1"; }
pets=$(grep -o '"PETS[^"]*"\|[a-z_."]*pets[a-z_"]*' "$T/load.sql" | head -1)
[ -n "$pets" ] || pets=public.pets

lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null # run runs what was applied
expect_status "baseline" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run cat_owners multi_dog_owners
expect_eq "snapshot in schema lac" "p01 p07 p10 p13 p14" \
	"$(pg 'SELECT member_id FROM lac.snapshot_cat_owners ORDER BY 1' | tr '\n' ' ' | sed 's/ $//')"
pg "INSERT INTO $pets VALUES ('x30','h02','Mia','cat',2,'2025-01-01'),
	('x31','h02','Odie','dog',3,'2025-01-01'), ('x32','h10','Pluto','dog',4,'2025-01-01');
    DELETE FROM $pets WHERE id IN ('x11','x13');" >/dev/null
set +e
LAC_TEST_CRASH_AFTER=outbox "$LAC" -C "$P" --now 2026-01-15T13:00:00Z run cat_owners >/dev/null 2>&1
rc=$?
set -e
expect_eq "killed after the outbox step" 137 "$rc"
expect_status "change" 0 lac -C "$P" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
expect_eq "change events" "dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x03|true
dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x31|true
dog_bundle|track|Dog Bundle Eligible|anon:p09|households.pets|x32|true
welcome_cat|track|Audience Entered|anon:p02|-|-|true" "$("$py" "$lib" summary "$ev")"
expect_eq "entity context" '{"households": [{"__entity": "household", "id": "h02", "pets": [{"__entity": "pet", "age": 2, "id": "x30", "type": "cat"}]}]}' \
	"$("$py" "$lib" field "$ev" welcome_cat anon:p02 properties._entity_context)"
expect_status "quiet run" 0 lac -C "$P" --now 2026-01-15T15:00:00Z run cat_owners multi_dog_owners
expect_eq "quiet run sends nothing" 4 "$(wc -l <"$ev")"
expect_status "messageIds unique" 0 "$py" "$lib" ids "$ev"
expect_eq "membership log" "p02 entered
p07 exited" "$(pg "SELECT member_id || ' ' || change FROM lac.lac_membership_log
	WHERE audience = 'cat_owners' AND at = '2026-01-15T13:00:00Z' ORDER BY 1")"

# membership or values changed: hashes streamed back into the warehouse
cat >"$P/audiences/vals.lac" <<'LAC'
audience cat_vals {
  where { with entity households.pets { type = "cat" } }
  activation sync {
    destination events_file
    trigger     membership or values changed
    enrich      traits email
    enrich      households.pets { name }
  }
}
LAC
lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null # run runs what was applied
expect_status "values baseline" 0 lac -C "$P" --now 2026-01-15T16:00:00Z run cat_vals
traits=$(sed -n 's/^CREATE TABLE \([^ ]*PROFILE_TRAITS\) .*/\1/p' "$T/load.sql" | head -1)
pg "UPDATE $traits SET email = 'ana@new.example' WHERE segment_id = 'p01'" >/dev/null
expect_status "values change" 0 lac -C "$P" --now 2026-01-15T17:00:00Z run cat_vals
expect_eq "one identify" "sync|identify|-|user:u01|-|-|true" "$("$py" "$lib" summary "$ev" 4)"
expect_eq "new email" '"ana@new.example"' "$("$py" "$lib" field "$ev" sync user:u01 traits.email)"

# the --emit run script executes on PostgreSQL
lac -C "$P" --now 2026-01-15T18:00:00Z compile -d postgres --emit run cat_vals >"$T/script.sql"
if psql -q -v ON_ERROR_STOP=1 -d lac_run -f "$T/script.sql" >"$T/psql2.log" 2>&1; then pass; else
	fail "--emit run script fails on PostgreSQL"; cat "$T/psql2.log" >&2; fi

# values read back in their explicit formats (SPEC §1.1 "Session"), whatever
# the database's own DateStyle and TimeZone: DATE YYYY-MM-DD, TIMESTAMP in UTC
# with a Z (a fraction only when there is one), BOOLEAN true/false
psql -q -d postgres -c "ALTER DATABASE lac_run SET DateStyle = 'SQL, DMY'" >/dev/null
psql -q -d postgres -c "ALTER DATABASE lac_run SET TimeZone = 'America/New_York'" >/dev/null
households=$(sed -n 's/^CREATE TABLE \([^ ]*HOUSEHOLDS\) .*/\1/p' "$T/load.sql" | head -1)
pg "UPDATE $households SET created_at = '2020-03-01 10:00:00.25' WHERE id = 'h01'" >/dev/null
cat >"$P/audiences/formats.lac" <<'LAC'
audience cat_formats {
  where { with entity households.pets { type = "cat" } }
  activation send {
    destination events_file
    trigger     profile entered
    send        current
    enrich      traits vip, birthday
    enrich      households { created_at }
    enrich      households.pets { adopted_on }
  }
}
LAC
lac -C "$P" -q --now 2026-01-15T19:00:00Z apply --auto-approve --no-run >/dev/null
expect_status "formats" 0 lac -C "$P" --now 2026-01-15T19:30:00Z run cat_formats
fget() { "$py" "$lib" field "$ev" send "$1" "properties.$2"; }
expect_eq "BOOLEAN and DATE traits" 'false|"1990-04-01"' "$(fget user:u01 vip)|$(fget user:u01 birthday)"
expect_eq "TIMESTAMP with a fraction, DATE of an entity" '"2020-03-01T10:00:00.250000Z"|"2022-05-01"' \
	"$(fget user:u01 _entity_context.households.0.created_at)|$(fget user:u01 _entity_context.households.0.pets.0.adopted_on)"
expect_eq "TIMESTAMP without a fraction" '"2021-06-15T08:30:00Z"' \
	"$(fget anon:p02 _entity_context.households.0.created_at)"
finish
