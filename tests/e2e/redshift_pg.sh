#!/bin/sh
# tests/e2e/redshift_pg.sh — `type: redshift` on the test PostgreSQL: the
# Redshift connector (libpq) speaking the redshift dialect to PostgreSQL
# directly, without the rewrite table.  It proves the connector's session:
# it connects with the startup parameters Redshift accepts (PGOPTIONS and
# PGAPPNAME are not sent: the read-only PGOPTIONS below would fail every
# write), sets its timeout and tag, streams rows, and commits a run's
# batches.  It cannot prove Redshift semantics: only the audiences whose
# Redshift SQL PostgreSQL also accepts run here, with the graph's tables
# named in two parts (PostgreSQL refuses Redshift's three-part names);
# recent_buyers (DATEADD) is compile-only, and PostgreSQL refuses the
# query_group tag (lac ignores a failed tag).  The warehouse destination's
# DELETE and INSERT in one transaction: a page resent after a kill is not
# doubled, a refused event fails alone.  Skipped (77) without PostgreSQL.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py"
pg_start

P="$T/p"
ex="$SRC/examples/petshop"
lac init --example petshop "$P" >/dev/null
psql -q -d postgres -c "CREATE DATABASE lac_redshift" >/dev/null
# DATABASE.SCHEMA.TABLE -> SCHEMA.TABLE
sed 's/table: [A-Z_]*\.\([A-Z_]*\.[A-Z_]*\)/table: \1/' "$P/graph.yaml" >"$T/graph.yaml"
cp "$T/graph.yaml" "$P/graph.yaml"
lac -C "$P" graph --format json >"$T/graph.json"
"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$P/data/warehouse.db" >"$T/load.sql"
psql -q -v ON_ERROR_STOP=1 -d lac_redshift -f "$T/load.sql" >"$T/psql.log" 2>&1 || { cat "$T/psql.log" >&2; exit 1; }
awk '
	/^warehouse:/ { print "warehouse:\n  type: redshift\n  dsn: \"${REDSHIFT_DSN}\"\n  schema: lac\n  timeout: 5m"; skip = 1; next }
	skip && /^[ \t]/ { next }
	{ skip = 0; print }
' "$P/lac.yaml" >"$T/lac.yaml" && cp "$T/lac.yaml" "$P/lac.yaml"
REDSHIFT_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_redshift"
# what Redshift would reject at startup, and what would make every write fail here
PGOPTIONS="-c default_transaction_read_only=on"
PGAPPNAME="lac-e2e-must-not-be-sent"
export REDSHIFT_DSN PGOPTIONS PGAPPNAME

expect_status "check" 0 lac -C "$P" check
expect_status "compile -d redshift" 0 lac -C "$P" compile recent_buyers

members() {
	sed -n 's/.*"members": \[\(.*\)\].*/\1/p' | sed 's/", "/\n/g; s/^"//; s/"$//' | sed '/^$/d'
}
now=$(grep -o 'now = [0-9][0-9TZ:.-]*' "$ex/expected/README.md" | head -1 | cut -d' ' -f3)
for a in cat_owners multi_dog_owners petless_households vet_clients; do
	if ! lac -C "$P" --now "$now" --format json preview "$a" --all >"$T/out.json" 2>"$T/err"; then
		fail "$a: preview on redshift failed"; cat "$T/err" >&2; continue
	fi
	expect_eq "$a members through the redshift connector" "$(cat "$ex/expected/$a.members")" \
		"$(members <"$T/out.json")"
done

# a run: snapshots, generation record and membership log written in
# transactions (the read-only PGOPTIONS would refuse them if it were sent)
pg() { PGOPTIONS= psql -q -t -A -v ON_ERROR_STOP=1 -d lac_redshift -c "$1"; }
# dest: a copy whose events go to the warehouse destination (below)
D="$T/dest"
cp -R "$P" "$D"
sed 's/^  schema: lac$/  schema: lac_dest/' "$P/lac.yaml" >"$D/lac.yaml"
printf '  writeback: { type: warehouse, table: LAC_EVENTS, schema: out }\n' >>"$D/lac.yaml"
sed 's/destination events_file/destination writeback/' "$P/audiences/pets.lac" >"$D/audiences/pets.lac"
lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
expect_status "run" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run cat_owners multi_dog_owners
expect_eq "snapshot in schema lac" "p01 p07 p10 p13 p14" \
	"$(pg 'SELECT member_id FROM lac.snapshot_cat_owners ORDER BY 1' | tr '\n' ' ' | sed 's/ $//')"
expect_status "quiet run" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners multi_dog_owners

# ---- the warehouse destination: DELETE and INSERT of a page in one transaction
# The table is made here without a key (Redshift enforces none, PostgreSQL
# would hide a double) and with a check that refuses one event, so the page's
# insert fails and is written again one transaction per event (Redshift has
# no savepoints); the run is killed after that, and the next one resends it.
pg "CREATE SCHEMA out; CREATE TABLE out.lac_events (message_id VARCHAR(255) NOT NULL,
	received_at VARCHAR(65535) NOT NULL, event VARCHAR(65535) NOT NULL CHECK (event NOT LIKE '%x32%'))"
lac -C "$D" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
expect_status "dest: baseline" 0 lac -C "$D" --now 2026-01-15T12:00:00Z run cat_owners multi_dog_owners
pg "INSERT INTO public.pets VALUES ('x30','h02','Mia','cat',2,'2025-01-01'),
	('x31','h02','Odie','dog',3,'2025-01-01'), ('x32','h10','Pluto','dog',4,'2025-01-01');
	DELETE FROM public.pets WHERE id IN ('x11','x13');"
set +e
# --jobs 1: the crash kills lac itself, not one run's process (run_jobs_pg.sh)
LAC_TEST_CRASH_AFTER=send "$LAC" -C "$D" --now 2026-01-15T13:00:00Z run --jobs 1 cat_owners multi_dog_owners \
	>"$T/out" 2>"$T/err"
rc=$?
set -e
expect_eq "dest: killed after the warehouse took the page" 137 "$rc"
expect_eq "dest: the killed run's page in" "1 1" \
	"$(pg "SELECT COUNT(*), COUNT(DISTINCT message_id) FROM out.lac_events" | tr '|' ' ')"
# --jobs 1: one page holds the good events with the refused one (a page the
# warehouse refuses whole stays pending: then the warehouse is the problem)
expect_status "dest: the next run resends it" 0 lac -C "$D" --now 2026-01-15T14:00:00Z run --jobs 1 cat_owners multi_dog_owners
expect_eq "dest: the resent page not doubled" "3 3 3" \
	"$(pg "SELECT COUNT(*), COUNT(DISTINCT message_id), COUNT(*) FILTER (WHERE CAST(event AS jsonb)->>'messageId' = message_id) FROM out.lac_events" | tr '|' ' ')"
expect_eq "dest: the events" "Audience Entered
Dog Bundle Eligible
Dog Bundle Eligible" "$(pg "SELECT CAST(event AS jsonb)->>'event' FROM out.lac_events ORDER BY 1")"
lac -C "$D" delivery multi_dog_owners --events --status failed >"$T/out" 2>&1 || true
grep -q "warehouse refused the event: .*lac_events_event_check" "$T/out" && pass ||
	{ fail "dest: the refused event failed with the warehouse's message"; cat "$T/out" >&2; }

# a connection failure names Redshift and never the DSN's password
REDSHIFT_DSN="host=$PGHOST port=$PGPORT user=nobody_here password=s3cret-pw dbname=lac_redshift"
set +e
lac -C "$P" --now "$now" preview cat_owners >/dev/null 2>"$T/conn.err"
rc=$?
set -e
expect_eq "bad user fails" 1 "$rc"
grep -q "cannot connect to Redshift" "$T/conn.err" && pass || { fail "names Redshift"; cat "$T/conn.err" >&2; }
grep -q "s3cret-pw" "$T/conn.err" && { fail "the password is quoted"; cat "$T/conn.err" >&2; } || pass
finish
