#!/bin/sh
# tests/e2e/wh_databricks.sh — `type: databricks` end to end against the fake
# workspace (tests/fakes/fake_databricks.py), whose statements run rewritten
# on the test PostgreSQL: preview, plan --preview/--validate, the README flow
# (apply, a data change, run, events), daemon --once; a second run skipped by
# DESCRIBE DETAIL lastModified, run after a change and with --force; a missing
# column told at the audience's condition, by the graph's name; transient
# answers retried (429 with and without Retry-After, 503, 500, a reset
# mid-chunk, an expired link); bad input each one clear error with nothing
# lost (rejected or missing token, wrong M2M secret, wrong host, wrong
# warehouse_id, a missing grant, a statement past the timeout: cancelled, the
# run failed, the next completes it); the generation record (DELETE, then
# INSERT: no transactions) half written, or written with its answer lost; a
# kill -9 at two crash points, the next run completing it with no event sent
# twice; SIGTERM cancels the statement; the warehouse destination's MERGE.
# Skipped (77) without PostgreSQL or python3-psycopg2.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

. "$SRC/tests/fakes/start.sh"
fakes_need sqlite3
fakes_pg_start
lib="$SRC/tests/e2e/run_lib.py"

# the petshop example's data in PostgreSQL, the fake in front of it
P="$T/p"
lac init --example petshop "$P" >/dev/null
psql -q -d postgres -c "CREATE DATABASE lac_databricks" >/dev/null
pg() { psql -q -t -A -v ON_ERROR_STOP=1 -d lac_databricks -c "$1"; }
lac -C "$P" graph --format json >"$T/graph.json"
"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$P/data/warehouse.db" >"$T/load.sql"
psql -q -v ON_ERROR_STOP=1 -d lac_databricks -f "$T/load.sql" >"$T/psql.log" 2>&1 || { cat "$T/psql.log" >&2; exit 1; }
ctl="$T/control"
log="$T/fake.log"
fake_start fake fake_databricks.py --dsn "host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_databricks" \
	--log "$log" --token dapi-e2e-secret-token --client-id lac-sp \
	--client-secret m2m-e2e-client-secret --control "$ctl" --rows-per-chunk 2 --lifetime 600
url=$FAKE_URL

# warehouse: { type: databricks, ... } with auth lines $1 (PAT unless given)
configure() {
	auth=${1:-'  token: "${DATABRICKS_TOKEN}"'}
	awk -v url="$url" -v auth="$auth" '
		/^warehouse:/ { print "warehouse:\n  type: databricks\n  endpoint: " url "\n  warehouse_id: wh-0123456789abcdef\n" auth "\n  catalog: main\n  schema: lac\n  timeout: 1s"; skip = 1; next }
		skip && /^[ \t]/ { next }
		{ skip = 0; print }
	' "$P/lac.yaml" >"$T/lac.yaml" && cp "$T/lac.yaml" "$P/lac.yaml"
}
configure
DATABRICKS_TOKEN=dapi-e2e-secret-token
export DATABRICKS_TOKEN
knobs() { printf '%s\n' "$1" >"$ctl"; }
no_knobs() { rm -f "$ctl"; }

expect_status "check" 0 lac -C "$P" check

# ---- preview: every audience the rewrite table covers, paged in chunks of 2 rows
members() {
	sed -n 's/.*"members": \[\(.*\)\].*/\1/p' | sed 's/", "/\n/g; s/^"//; s/"$//' | sed '/^$/d'
}
ex="$SRC/examples/petshop"
now=$(grep -o 'now = [0-9][0-9TZ:.-]*' "$ex/expected/README.md" | head -1 | cut -d' ' -f3)
for a in cat_owners multi_dog_owners petless_households vet_clients recent_buyers; do
	if ! lac -C "$P" --now "$now" --format json preview "$a" --all >"$T/out.json" 2>"$T/err"; then
		fail "$a: preview on databricks failed"; cat "$T/err" >&2; continue
	fi
	expect_eq "$a members through the databricks connector" "$(cat "$ex/expected/$a.members")" \
		"$(members <"$T/out.json")"
done
grep -q '"path": "/api/2.0/sql/statements/[^"]*/result/chunks/1"' "$log" && pass ||
	fail "no second chunk was fetched (next_chunk_internal_link)"
grep -q '"disposition": "EXTERNAL_LINKS"' "$log" && pass || fail "result sets not as EXTERNAL_LINKS"
# a chunk that lost a row: an error, never a short result
knobs '{"short_chunk": 1}'
expect_status "a short chunk fails" 1 lac -C "$P" --now "$now" preview cat_owners
grep -q "Databricks sent 4 rows of the 5 its result manifest announces" "$T/err" && pass ||
	{ fail "no row count error"; cat "$T/err" >&2; }
no_knobs
expect_status "plan --preview" 0 lac -C "$P" --now "$now" plan --preview
expect_status "plan --validate" 0 lac -C "$P" --now "$now" plan --validate

# ---- the README flow: apply, a data change, run, events
ev="$P/out/events.jsonl"
: >"$log"
expect_status "apply" 0 lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run
expect_status "baseline run" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run cat_owners multi_dog_owners
expect_eq "snapshot in schema lac" "p01 p07 p10 p13 p14" \
	"$(pg 'SELECT member_id FROM lac.snapshot_cat_owners ORDER BY 1' | tr '\n' ' ' | sed 's/ $//')"
grep -q '"key": "lac_command", "value": "run"}, {"key": "lac_audience", "value": "cat_owners"}, {"key": "lac_run", "value": "run_2026' "$log" &&
	pass || fail "query_tags lac_command/lac_audience/lac_run not sent"
grep -q '"statement": "BEGIN' "$log" && fail "a transaction statement was sent" || pass
# the data change of tests/e2e/run_crash.sh, and back
apply_change() {
	pg "CREATE TABLE public.pets_removed AS SELECT * FROM public.pets WHERE id IN ('x11', 'x13');
	    DELETE FROM public.pets WHERE id IN ('x11', 'x13');
	    INSERT INTO public.pets VALUES ('x30', 'h02', 'Mia', 'cat', 2, '2025-01-01'),
	      ('x31', 'h02', 'Odie', 'dog', 3, '2025-01-01'), ('x32', 'h10', 'Pluto', 'dog', 4, '2025-01-01');"
}
revert_change() {
	pg "DELETE FROM public.pets WHERE id IN ('x30', 'x31', 'x32');
	    INSERT INTO public.pets SELECT * FROM public.pets_removed; DROP TABLE public.pets_removed;"
}
expected_events="dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x03|true
dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x31|true
dog_bundle|track|Dog Bundle Eligible|anon:p09|households.pets|x32|true
welcome_cat|track|Audience Entered|anon:p02|-|-|true"
# the events since the file had $1 lines are the change's, once each
expect_change_events() { # NAME LINES-BEFORE
	expect_eq "$1: the change's events once each" "$expected_events" "$("$py" "$lib" summary "$ev" "$2")"
	expect_status "$1: messageIds unique" 0 "$py" "$lib" ids "$ev"
}
apply_change
# transient answers on the way are retried: 429 (with and without
# Retry-After), 503 before a statement exists, 500 on a poll, a connection
# reset mid-chunk, a link expired early
knobs '{"submit_429": 1, "retry_after": 1, "submit_503": 1, "poll_500": 2, "reset_chunk": 1, "expire_links": 1}'
expect_status "run with transient faults" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners multi_dog_owners
expect_change_events "faults" 0
for w in "injected 429" "injected 503" "injected 500" "reset mid-chunk" "link expired"; do
	grep -q "\"why\": \"$w\"" "$log" && pass || fail "fault not met: $w"
done
grep -q '"why": "Authorization sent to an external link"' "$log" && fail "Authorization sent to a link" || pass
# and links that expire within lac's 10 s margin are renewed before use
knobs '{"submit_429": 1, "link_ttl": 5}'
: >"$log"
expect_status "429 without Retry-After, short-lived links" 0 lac -C "$P" --now 2026-01-15T13:30:00Z run cat_owners
grep -q '"path": "/api/2.0/sql/statements/[^"]*/result/chunks/0"' "$log" && pass ||
	fail "a short-lived link was not renewed"
no_knobs
expect_status "quiet run" 0 lac -C "$P" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
expect_eq "each event once" 4 "$(wc -l <"$ev")"

# ---- skipping unchanged inputs: DESCRIBE DETAIL lastModified
# on the real clock (the comparison is with the run's start); a fake sees a
# psql change only when it starts (tests/fakes/pg_backend.py): a second one
S="$T/skip"
lac init --example petshop "$S" >/dev/null
sed 's/^  schema: lac$/  schema: lac_skip/' "$P/lac.yaml" >"$S/lac.yaml"
lac -C "$S" -q apply --auto-approve --no-run >/dev/null
sleep 1 # a run starting in the fake's start second would not skip
expect_status "skip: first run" 0 lac -C "$S" run cat_owners
expect_eq "skip: nothing changed" "cat_owners: Skipped (inputs unchanged)" "$(lac -C "$S" run cat_owners)"
expect_eq "skip: --force runs" "cat_owners: Live" "$(lac -C "$S" run --force cat_owners | cut -d, -f1)"
pg "UPDATE public.pets SET age = age WHERE id = 'x01'"
fake_start skip fake_databricks.py --dsn "host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_databricks" \
	--log "$T/skip.log" --token dapi-e2e-secret-token --lifetime 600
sed -i "s#endpoint: .*#endpoint: $FAKE_URL#" "$S/lac.yaml"
expect_eq "skip: a changed input runs" "cat_owners: Live" "$(lac -C "$S" run cat_owners | cut -d, -f1)"

# ---- bad input: one clear error each, the token never shown, nothing lost
bad() { # NAME EXPECTED-TEXT command...
	name=$1 want=$2
	shift 2
	set +e
	"$@" >"$T/bad.out" 2>"$T/bad.err"
	rc=$?
	set -e
	expect_eq "$name: exit" 1 "$rc"
	grep -qF "$want" "$T/bad.err" && pass || { fail "$name: no '$want'"; cat "$T/bad.err" >&2; }
	grep -q 'dapi-e2e-secret-token\|m2m-e2e-client-secret\|wrong-e2e-token' "$T/bad.err" "$T/bad.out" &&
		{ fail "$name: a secret is shown"; cat "$T/bad.err" >&2; } || pass
}
bad "rejected token" "Databricks refused the statement (HTTP 403): PERMISSION_DENIED: Invalid access token." \
	env DATABRICKS_TOKEN=wrong-e2e-token "$LAC" -C "$P" --now "$now" preview cat_owners
bad "empty token" "the databricks warehouse needs a token" \
	env DATABRICKS_TOKEN= "$LAC" -C "$P" --now "$now" preview cat_owners
cp "$P/lac.yaml" "$T/good.yaml"
sed -i 's/warehouse_id: .*/warehouse_id: wh-not-there/' "$P/lac.yaml"
bad "wrong warehouse_id" "(HTTP 404): RESOURCE_DOES_NOT_EXIST: Warehouse wh-not-there does not exist." \
	"$LAC" -C "$P" --now "$now" preview cat_owners
sed -i 's#endpoint: .*#endpoint: http://127.0.0.1:1#' "$T/good.yaml" && cp "$T/good.yaml" "$P/lac.yaml"
bad "wrong host" "cannot send the statement to Databricks at http://127.0.0.1:1" \
	"$LAC" -C "$P" --now "$now" preview cat_owners
configure '  client_id: lac-sp
  client_secret: "${DATABRICKS_CLIENT_SECRET}"'
expect_status "OAuth M2M" 0 env DATABRICKS_CLIENT_SECRET=m2m-e2e-client-secret \
	"$LAC" -C "$P" --now "$now" preview cat_owners
bad "wrong client secret" "HTTP 401: invalid_client: Client authentication failed" \
	env DATABRICKS_CLIENT_SECRET=wrong-e2e-token "$LAC" -C "$P" --now "$now" preview cat_owners
configure
revert_change
expect_status "run back to the baseline" 0 lac -C "$P" --now 2026-01-15T14:30:00Z run cat_owners multi_dog_owners
apply_change
n0=$(wc -l <"$ev")
# a missing grant: the vendor's error, the run failed, its events dropped
knobs '{"deny_match": "PETS.PUBLIC.PETS"}'
bad "missing grant" "PERMISSION_DENIED: [INSUFFICIENT_PERMISSIONS] Insufficient privileges" \
	"$LAC" -C "$P" --now 2026-01-15T15:00:00Z run cat_owners multi_dog_owners
# a statement past the timeout: cancelled, the run failed
knobs '{"delay": 3, "delay_match": "snapshot_cat_owners__new"}'
bad "statement timeout" "did not finish within the warehouse timeout (1000 ms) and was cancelled" \
	"$LAC" -C "$P" --now 2026-01-15T15:30:00Z run cat_owners multi_dog_owners
grep -q '"path": "/api/2.0/sql/statements/[^"]*/cancel"' "$log" && pass || fail "the timeout sent no cancel"
# the generation record half written (its DELETE ran, its INSERT failed)
knobs '{"deny_match": "INSERT INTO lac.lac_generation"}'
bad "generation record half written" "Insufficient privileges" \
	"$LAC" -C "$P" --now 2026-01-15T15:45:00Z run cat_owners multi_dog_owners
expect_eq "no generation row left" "" "$(pg "SELECT generation FROM lac.lac_generation WHERE audience = 'cat_owners'")"
# the generation record written though lac saw it fail
knobs '{"lost_match": "INSERT INTO lac.lac_generation"}'
bad "generation record written, its answer lost" "injected: ran, reported failed" \
	"$LAC" -C "$P" --now 2026-01-15T15:50:00Z run cat_owners multi_dog_owners
no_knobs
expect_status "the next run completes the change" 0 lac -C "$P" --now 2026-01-15T16:00:00Z run cat_owners multi_dog_owners
expect_change_events "after the failed runs" "$n0"

# ---- SIGTERM: the running statement is cancelled before lac exits
sed -i 's/timeout: 1s/timeout: 30s/' "$P/lac.yaml"
knobs '{"delay": 5, "delay_match": "SELECT"}'
: >"$log"
"$LAC" -C "$P" --now "$now" preview cat_owners >/dev/null 2>&1 &
pid=$!
i=0
while ! grep -q '"state": "RUNNING"' "$log" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM "$pid"
set +e
wait "$pid" 2>/dev/null
rc=$?
set -e
expect_eq "SIGTERM ends lac by the signal" 143 "$rc"
grep -q '"path": "/api/2.0/sql/statements/[^"]*/cancel"' "$log" && pass || fail "SIGTERM sent no cancel"
no_knobs
sed -i 's/timeout: 30s/timeout: 1s/' "$P/lac.yaml"

# ---- kill -9 at two crash points: the next run completes it, no event twice
hour=17
for point in generation swap_members; do
	revert_change
	expect_status "$point: run back to the baseline" 0 lac -C "$P" --now "2026-01-15T${hour}:00:00Z" run cat_owners multi_dog_owners
	apply_change
	n0=$(wc -l <"$ev")
	set +e
	# --jobs 1: the crash kills lac itself, not one run's process (run_jobs_pg.sh)
	LAC_TEST_CRASH_AFTER=$point "$LAC" -C "$P" --now "2026-01-15T${hour}:20:00Z" run --jobs 1 cat_owners multi_dog_owners \
		>"$T/out" 2>"$T/err"
	rc=$?
	set -e
	expect_eq "$point: killed" 137 "$rc"
	expect_eq "$point: nothing delivered by the killed run" "$n0" "$(wc -l <"$ev")"
	expect_status "$point: next run" 0 lac -C "$P" --now "2026-01-15T${hour}:40:00Z" run cat_owners multi_dog_owners
	expect_change_events "$point" "$n0"
	expect_eq "$point: no copy of a snapshot left" "" \
		"$(pg "SELECT table_name FROM information_schema.tables WHERE table_schema = 'lac' AND table_name LIKE '%__new'")"
	hour=$((hour + 1))
done

# ---- the warehouse destination: events MERGEd on message_id into lac.lac_events
sed -i 's/^destinations:/destinations:\n  wh_events: { type: warehouse, schema: lac, table: lac_events }/' "$P/lac.yaml"
cat >"$P/audiences/wh.lac" <<'EOF'
audience cat_owners_wh {
  where {
    with entity households.pets { type = "cat" }
  }
  activation to_wh {
    destination wh_events
    trigger     profile entered
    send current
  }
}
EOF
: >"$log"
expect_status "apply with a warehouse destination" 0 lac -C "$P" -q --now 2026-01-15T20:00:00Z apply --auto-approve --no-run
expect_status "run into the warehouse destination" 0 lac -C "$P" --now 2026-01-15T20:10:00Z run cat_owners_wh
members_now=$(pg 'SELECT COUNT(*) FROM lac.snapshot_cat_owners_wh')
expect_eq "one row per event" "$members_now $members_now" \
	"$(pg 'SELECT COUNT(*), COUNT(DISTINCT message_id) FROM lac.lac_events' | tr '|' ' ')"
grep -q '"statement": "MERGE INTO lac.lac_events AS t USING (VALUES' "$log" && pass ||
	fail "events not MERGEd on message_id"
expect_eq "the event kept whole" "Audience Entered" \
	"$(pg "SELECT DISTINCT event::json->>'event' FROM lac.lac_events")"
# the page's statement sent again (a retry after a lost answer) adds nothing
"$py" -c '
import json, sys
for line in open(sys.argv[1]):
    st = json.loads(line).get("statement") or ""
    if st.startswith("MERGE INTO lac.lac_events"):
        print(st + ";")
        break' "$log" | "$py" "$SRC/tests/fakes/rewrite.py" -d databricks >"$T/merge.sql"
psql -q -v ON_ERROR_STOP=1 -d lac_databricks -f "$T/merge.sql" >/dev/null
expect_eq "the MERGE repeated adds nothing" "$members_now" "$(pg 'SELECT COUNT(*) FROM lac.lac_events')"

# ---- daemon --once on the applied audiences
expect_status "daemon --once" 0 lac -C "$P" daemon --once --now 2026-01-16T12:00:00Z
expect_eq "no run left unfinished" 0 \
	"$(sqlite3 "$P/.lac/state.db" "SELECT COUNT(*) FROM runs WHERE result = 'Running'")"

# ---- a warehouse error at the failing condition, named as in the graph
# Spark's "line L pos P" mapped through the SQL's source map: preview points
# at the condition, run (the applied text) at the header
pg "ALTER TABLE public.pets RENAME COLUMN type TO kind"
expect_status "preview, a column missing in the warehouse" 1 lac -C "$P" --now "$now" preview cat_owners
expect_eq "preview: at the condition, named pet.type" \
	"lac: warehouse error in audience 'cat_owners' (audiences/pets.lac:9:35): BAD_REQUEST: [UNRESOLVED_COLUMN] column pet.type does not exist; line 11 pos 10" \
	"$(cat "$T/err")"
expect_status "run, the same" 1 lac -C "$P" --now 2026-01-16T12:30:00Z run cat_owners
expect_eq "run: at the header, named pet.type" 1 \
	"$(grep -c "^lac: cat_owners: warehouse error in audience 'cat_owners' (audiences/pets.lac:3): .*column pet.type does not exist; line [0-9]* pos [0-9]*" "$T/err")"
pg "ALTER TABLE public.pets RENAME COLUMN kind TO type"
finish
