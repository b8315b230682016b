#!/bin/sh
# tests/e2e/wh_snowflake.sh — `type: snowflake` end to end against the fake
# SQL API (tests/fakes/fake_snowflake.py), whose statements run rewritten on
# the test PostgreSQL: the README flow (apply, a data change, run, events)
# with key-pair auth, preview, plan --preview and --validate, daemon --once;
# a second run skipped by LAST_ALTERED, run after a change and with --force;
# several partitions, 429 (with and without Retry-After) and 5xx retried, a
# connection reset mid-partition, the session in every request (role,
# warehouse, database, schema, TIMEZONE=UTC, QUERY_TAG, timeout); bad
# input each a clear error with nothing lost (unreadable, wrong and
# encrypted-without-passphrase keys, a rejected token, a wrong host, a
# missing grant, a statement timeout); a missing column told at the
# audience's condition, by the graph's name; and a kill -9 at every crash point
# of a run, the next run completing it with every event sent once.
# Skipped (77) without PostgreSQL or python3-psycopg2.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

. "$SRC/tests/fakes/start.sh"
fakes_need openssl
fakes_pg_start

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/key.pem" 2>/dev/null
openssl pkey -in "$T/key.pem" -pubout -out "$T/pub.pem"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/other.pem" 2>/dev/null
openssl pkcs8 -topk8 -in "$T/key.pem" -v2 aes-256-cbc -passout pass:pw-s3cret -out "$T/enc.pem"

db=0
# new_db NAME: a database with the petshop data, in $DSN
new_db() {
	psql -q -d postgres -c "CREATE DATABASE $1" >/dev/null
	psql -q -v ON_ERROR_STOP=1 -d "$1" -f "$T/load.sql" >"$T/psql.log" 2>&1 || { cat "$T/psql.log" >&2; exit 1; }
	DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$1"
}
# start_fake NAME [ARGS]: a fake on the database $DSN; sets PORT, LOG, CTL
start_fake() {
	LOG="$T/$1.log" CTL="$T/$1.ctl"
	: >"$LOG"; echo '{}' >"$CTL"
	fake_start "$1" fake_snowflake.py --dsn "$DSN" \
		--public-key "$T/pub.pem" --account xy12345.eu-central-1 --user lac_service \
		--oauth-token oauth-t0ken-value --control "$CTL" --log "$LOG" --lifetime 600
	PORT=$FAKE_PORT
}
# project DIR [AUTH LINES]: the petshop example on the fake at $PORT
project() {
	cp -R "$T/base" "$1"
	auth=${2:-"  private_key_path: \"\${SF_KEY_FILE}\""}
	awk -v port="$PORT" -v auth="$auth" '
		/^warehouse:/ { print "warehouse:\n  type: snowflake\n  account: xy12345.eu-central-1\n  user: lac_service\n" auth "\n  role: LAC_ROLE\n  warehouse: COMPUTE_WH\n  database: PETS\n  schema: lac\n  timeout: 1s\n  endpoint: http://127.0.0.1:" port; skip = 1; next }
		skip && /^[ \t]/ { next }
		{ skip = 0; print }
	' "$T/base/lac.yaml" >"$1/lac.yaml"
}
SF_KEY_FILE="$T/key.pem"
export SF_KEY_FILE

lac init --example petshop "$T/base" >/dev/null
lac -C "$T/base" graph --format json >"$T/graph.json"
"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$T/base/data/warehouse.db" >"$T/load.sql"
ex="$SRC/examples/petshop"
lib="$SRC/tests/e2e/run_lib.py"
now=$(grep -o 'now = [0-9][0-9TZ:.-]*' "$ex/expected/README.md" | head -1 | cut -d' ' -f3)
members() {
	sed -n 's/.*"members": \[\(.*\)\].*/\1/p' | sed 's/", "/\n/g; s/^"//; s/"$//' | sed '/^$/d'
}
change_data() { # the data change of tests/e2e/run_crash.sh
	psql -q -v ON_ERROR_STOP=1 -d "$1" -c "INSERT INTO public.pets VALUES ('x30','h02','Mia','cat',2,'2025-01-01'),
		('x31','h02','Odie','dog',3,'2025-01-01'), ('x32','h10','Pluto','dog',4,'2025-01-01');
		DELETE FROM public.pets WHERE id IN ('x11','x13');"
}
pgq() { psql -q -t -A -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
expected_events="dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x03|true
dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x31|true
dog_bundle|track|Dog Bundle Eligible|anon:p09|households.pets|x32|true
welcome_cat|track|Audience Entered|anon:p02|-|-|true"

# ---- the README flow, with key-pair auth ------------------------------------------
new_db sf_flow
start_fake flow
P="$T/flow"
project "$P"
ev="$P/out/events.jsonl"
expect_status "check" 0 lac -C "$P" check
for a in cat_owners multi_dog_owners; do
	if ! lac -C "$P" --now "$now" --format json preview "$a" --all >"$T/out.json" 2>"$T/err"; then
		fail "$a: preview on snowflake failed"; cat "$T/err" >&2; continue
	fi
	expect_eq "$a members through the snowflake connector" "$(cat "$ex/expected/$a.members")" \
		"$(members <"$T/out.json")"
done
expect_status "apply" 0 lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run
expect_status "baseline run" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run cat_owners multi_dog_owners
change_data sf_flow
# the warehouse cannot tell whether the previous snapshot is there: the run
# fails and sends nothing (taken for missing, every member would enter again)
echo '{"deny": "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"}' >"$CTL"
expect_status "snapshot lookup refused: exit 1" 1 lac -C "$P" --now 2026-01-15T12:30:00Z run cat_owners multi_dog_owners
grep -q "warehouse error in audience 'cat_owners' .*Insufficient privileges" "$T/err" && pass ||
	{ fail "snapshot lookup refused: the error"; cat "$T/err" >&2; }
expect_eq "snapshot lookup refused: nothing sent" 0 "$(cat "$ev" 2>/dev/null | wc -l | tr -d ' ')"
echo '{}' >"$CTL"
expect_status "plan --preview" 0 lac -C "$P" --now 2026-01-15T13:00:00Z plan --preview
expect_status "plan --validate" 0 lac -C "$P" --now 2026-01-15T13:00:00Z plan --validate
expect_status "run after the change" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners multi_dog_owners
expect_eq "events of the change" "$expected_events" "$("$py" "$lib" summary "$ev")"
expect_status "quiet daemon --once" 0 lac -C "$P" daemon --once --now 2026-01-15T14:00:00Z
expect_eq "nothing sent twice" 4 "$(wc -l <"$ev" | tr -d ' ')"
# --jobs: lac's tables made once by the batch, not again by each run (a
# round trip per statement saved: bench/scale/latency.sh)
: >"$LOG"
expect_status "run --jobs 2" 0 lac -C "$P" --now 2026-01-15T14:15:00Z run --jobs 2 cat_owners multi_dog_owners
expect_eq "--jobs 2: lac's tables made once" 1 "$(grep -c 'CREATE TABLE IF NOT EXISTS lac.lac_generation' "$LOG")"

# ---- a warehouse error at the failing condition, named as in the graph ------------
# Snowflake's "error line L at position P" mapped through the SQL's source
# map: preview points at the condition, run (the applied text) at the header
pgq sf_flow 'ALTER TABLE public.pets RENAME COLUMN type TO kind'
expect_status "preview, a column missing in the warehouse" 1 lac -C "$P" --now "$now" preview cat_owners
expect_eq "preview: at the condition, named pet.type" "lac: warehouse error in audience 'cat_owners' (audiences/pets.lac:9:35): SQL compilation error: error line 11 at position 10
column pet.type does not exist (code 002003, SQL state 42703)" "$(cat "$T/err")"
expect_status "run, the same" 1 lac -C "$P" --now 2026-01-15T14:30:00Z run cat_owners
expect_eq "run: at the header, named pet.type" 1 \
	"$(grep -c "^lac: cat_owners: warehouse error in audience 'cat_owners' (audiences/pets.lac:3): SQL compilation error: error line [0-9]* at position [0-9]*$" "$T/err")"
grep -q "^column pet.type does not exist" "$T/err" && pass || { fail "run: named pet.type"; cat "$T/err" >&2; }
pgq sf_flow 'ALTER TABLE public.pets RENAME COLUMN kind TO type'

# ---- faults: retried, and the rows still whole --------------------------------------
# 429 with Retry-After on the submission (resent with its requestId and
# retry=true), 429 without on a poll, 503 on a partition, a reset mid-partition
lac -C "$P" --now "$now" --format json preview cat_owners --all 2>&1 | members >"$T/members.ref"
echo '{"fail": [{"on": "submit", "status": 429, "retry_after": 1}, {"on": "poll", "status": 429},
	{"on": "partition", "status": 503}], "reset_partition": 1, "partition_rows": 1}' >"$CTL"
: >"$LOG"
lac -C "$P" --now "$now" --format json preview cat_owners --all >"$T/out.json" 2>"$T/err" || {
	fail "preview through faults"; cat "$T/err" >&2; }
expect_eq "members through faults" "$(cat "$T/members.ref")" "$(members <"$T/out.json")"
expect_eq "each fault answered once" "429 429 503" "$("$py" -c '
import json, sys
print(" ".join(str(e["status"]) for e in map(json.loads, open(sys.argv[1])) if e.get("fault")))' "$LOG")"
expect_eq "the resubmission keeps its requestId, with retry=true" "True" "$("$py" -c '
import json, sys
L = [json.loads(l) for l in open(sys.argv[1])]
first = [e for e in L if e.get("fault") and e["method"] == "POST"][0]
print(any(e.get("request_id") == first["request_id"] and e.get("retry") for e in L if not e.get("fault")))' "$LOG")"
expect_eq "the reset partition was fetched again" 2 "$("$py" -c '
import json, sys
L = [json.loads(l) for l in open(sys.argv[1])]
[cut] = [e["path"] for e in L if e.get("reset")]
print(len([e for e in L if e["path"] == cut and e.get("partition") == 1 and e["status"] == 200]))' "$LOG")"
echo '{}' >"$CTL"

# ---- auth ------------------------------------------------------------------------------
# fails: lac's exit status 1 and a message with $2 in it, never $3
fails() { # NAME PATTERN [SECRET] command...
	name=$1 pat=$2 secret=$3
	shift 3
	set +e
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	set -e
	if [ "$got" != 1 ]; then fail "$name: exit $got"; cat "$T/err" >&2; return; fi
	if grep -q -- "$pat" "$T/err"; then pass; else fail "$name: no '$pat'"; cat "$T/err" >&2; fi
	if [ -n "$secret" ] && grep -q -- "$secret" "$T/err"; then fail "$name: the secret is shown"; fi
}
A="$T/auth"
project "$A"
SF_KEY_FILE="$T/nothing.pem" fails "unreadable key" "cannot use the Snowflake private key" "" \
	lac -C "$A" --now "$now" preview cat_owners
SF_KEY_FILE="$T/other.pem" fails "a key Snowflake does not know" \
	"Snowflake refused lac's credentials (HTTP 401): JWT token is invalid" "" \
	lac -C "$A" --now "$now" preview cat_owners
SF_KEY_FILE="$T/enc.pem" fails "encrypted key without a passphrase" "passphrase" "" \
	lac -C "$A" --now "$now" preview cat_owners
rm -rf "$A"; project "$A" "  private_key: \"\${SF_KEY_TEXT}\"
  private_key_passphrase: \"\${SF_PASS}\""
SF_KEY_TEXT=$(cat "$T/enc.pem") SF_PASS=pw-s3cret expect_status "encrypted key text with its passphrase" 0 \
	lac -C "$A" --now "$now" preview cat_owners
SF_KEY_TEXT=$(cat "$T/enc.pem") SF_PASS=wrong-pass fails "wrong passphrase" "passphrase" "wrong-pass" \
	lac -C "$A" --now "$now" preview cat_owners
rm -rf "$A"; project "$A" "  token: \"\${SF_TOKEN}\""
SF_TOKEN=oauth-t0ken-value expect_status "OAuth token" 0 lac -C "$A" --now "$now" preview cat_owners
SF_TOKEN=expired-oauth-t0ken fails "rejected OAuth token" "Snowflake refused lac's credentials (HTTP 401)" \
	"expired-oauth-t0ken" lac -C "$A" --now "$now" preview cat_owners
rm -rf "$A"; PORT0=$PORT; PORT=1; project "$A"; PORT=$PORT0
fails "wrong host" "cannot reach Snowflake at http://127.0.0.1:1" "" lac -C "$A" --now "$now" preview cat_owners

# ---- a missing grant, a statement timeout, a cancel: each leaves nothing half done ------
echo '{"deny": "household_vets"}' >"$CTL"
fails "missing grant" "Insufficient privileges to operate on table 'HOUSEHOLD_VETS' (code 003001, SQL state 42501)" \
	"" lac -C "$P" --now 2026-01-15T15:00:00Z run vet_clients
echo '{"delay": 3}' >"$CTL"
: >"$LOG"
fails "statement timeout" "ran past the warehouse timeout (1000 ms) and Snowflake cancelled it" "" \
	lac -C "$P" --now 2026-01-15T15:00:00Z run vet_clients
echo '{}' >"$CTL"
expect_status "the next run completes" 0 lac -C "$P" --now 2026-01-15T15:30:00Z run vet_clients
echo '{"delay": 5}' >"$CTL"
: >"$LOG"
"$LAC" -C "$P" --now 2026-01-15T16:00:00Z run vet_clients >"$T/out" 2>"$T/err" &
lac_pid=$!
i=0
until grep -q '"status": 202' "$LOG"; do i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.05; done
kill -TERM "$lac_pid"
set +e; wait "$lac_pid"; rc=$?; set -e
expect_eq "SIGTERM ends lac by the signal" 143 "$rc"
expect_eq "SIGTERM cancels the running statement" 1 "$(grep '"cancel"' "$LOG" | grep -c '"status": 200')"
echo '{}' >"$CTL"
expect_status "a run after the cancel" 0 lac -C "$P" --now 2026-01-15T16:30:00Z run vet_clients

# ---- skipping unchanged inputs: LAST_ALTERED ------------------------------------------
# on the real clock (the comparison is with the run's start); the fake sees
# a psql change only when it starts again (tests/fakes/pg_backend.py)
new_db sf_skip
start_fake skip
S="$T/skip"
project "$S"
lac -C "$S" -q apply --auto-approve --no-run >/dev/null
sleep 1 # a run starting in the fake's start second would not skip
expect_status "skip: first run" 0 lac -C "$S" run cat_owners
: >"$LOG"
expect_eq "skip: nothing changed" "cat_owners: Skipped (inputs unchanged)" "$(lac -C "$S" run cat_owners)"
# one round trip for all of the audience's inputs (in two databases)
expect_eq "skip: one LAST_ALTERED query" "1 4" "$(grep -c 'LAST_ALTERED' "$LOG") $(grep -o 'TABLE_NAME = ' "$LOG" | wc -l | tr -d ' ')"
expect_eq "skip: --force runs" "cat_owners: Live" "$(lac -C "$S" run --force cat_owners | cut -d, -f1)"
change_data sf_skip
start_fake skip2
sed -i "s|endpoint: http://127.0.0.1:[0-9]*|endpoint: http://127.0.0.1:$PORT|" "$S/lac.yaml"
expect_eq "skip: a changed input runs" "cat_owners: Live" "$(lac -C "$S" run cat_owners | cut -d, -f1)"

# ---- the warehouse destination: one MERGE on message_id per batch --------------------
new_db sf_dest
start_fake dest
W="$T/dest"
project "$W"
printf '  writeback: { type: warehouse, table: LAC_EVENTS, schema: out }\n' >>"$W/lac.yaml"
sed 's/destination events_file/destination writeback/' "$W/audiences/pets.lac" >"$T/pets.lac"
cp "$T/pets.lac" "$W/audiences/pets.lac"
lac -C "$W" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
expect_status "dest: baseline" 0 lac -C "$W" --now 2026-01-15T12:00:00Z run cat_owners multi_dog_owners
change_data sf_dest
set +e
# --jobs 1: the crash kills lac itself, not one run's process (run_jobs_pg.sh)
LAC_TEST_CRASH_AFTER=send "$LAC" -C "$W" --now 2026-01-15T13:00:00Z run --jobs 1 cat_owners multi_dog_owners \
	>"$T/out" 2>"$T/err"
rc=$?
set -e
expect_eq "dest: killed after the warehouse took the page" 137 "$rc"
expect_status "dest: next run resends the page" 0 lac -C "$W" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
expect_eq "dest: every event once, the resent one not doubled" "4 4 4" \
	"$(pgq sf_dest "SELECT COUNT(*), COUNT(DISTINCT message_id), COUNT(*) FILTER (WHERE event->>'messageId' = message_id) FROM out.lac_events" | tr '|' ' ')"
expect_eq "dest: the events" "Audience Entered
Dog Bundle Eligible
Dog Bundle Eligible
Dog Bundle Eligible" "$(pgq sf_dest "SELECT event->>'event' FROM out.lac_events ORDER BY 1")"
expect_eq "dest: written with MERGE, never INSERT" "yes 0" \
	"$(grep -q 'MERGE INTO out.LAC_EVENTS' "$LOG" && echo yes) $(grep -c 'INSERT INTO out' "$LOG" || true)"

# ---- a kill -9 at every crash point of a run ----------------------------------------
# Snowflake's replace is CREATE OR REPLACE TABLE … CLONE, not transactional
# with the generation record: the run's steps are the generation batch, then
# each snapshot's replace (tests/e2e/run_crash.sh has the same checks on SQLite).
# The baseline run once; each point starts from a copy of its database
# (CREATE DATABASE … TEMPLATE) and of its project, on a fake of its own.
new_db sf_kill_base
start_fake kill_base
project "$T/kill-base"
lac -C "$T/kill-base" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
expect_status "kill: baseline" 0 lac -C "$T/kill-base" --now 2026-01-15T12:00:00Z run cat_owners multi_dog_owners
for point in snapshot outbox generation swap_members swap_entities swap; do
	psql -q -d postgres -c "CREATE DATABASE sf_kill_$point TEMPLATE sf_kill_base" >/dev/null
	DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=sf_kill_$point"
	start_fake "kill_$point"
	K="$T/kill-$point"
	cp -R "$T/kill-base" "$K"
	sed "s|endpoint: http://127.0.0.1:[0-9]*|endpoint: http://127.0.0.1:$PORT|" "$T/kill-base/lac.yaml" >"$K/lac.yaml"
	ev="$K/out/events.jsonl"
	change_data "sf_kill_$point"
	set +e
	# --jobs 1: the crash kills lac itself, not one run's process (run_jobs_pg.sh)
	LAC_TEST_CRASH_AFTER=$point "$LAC" -C "$K" --now 2026-01-15T13:00:00Z run --jobs 1 cat_owners multi_dog_owners \
		>"$T/out" 2>"$T/err"
	rc=$?
	set -e
	expect_eq "$point: killed" 137 "$rc"
	expect_eq "$point: nothing delivered by the killed run" 0 "$(cat "$ev" 2>/dev/null | wc -l)"
	expect_status "$point: next run" 0 lac -C "$K" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
	expect_eq "$point: every event exactly once" "$expected_events" "$("$py" "$lib" summary "$ev")"
	expect_status "$point: messageIds unique" 0 "$py" "$lib" ids "$ev"
	expect_eq "$point: the crashed run's now" '"2026-01-15T13:00:00Z"' \
		"$("$py" "$lib" field "$ev" welcome_cat anon:p02 timestamp)"
	expect_eq "$point: generation" 3 \
		"$(pgq "sf_kill_$point" "SELECT generation FROM lac.lac_generation WHERE audience = 'cat_owners'")"
	expect_eq "$point: log not doubled" "p02 entered
p07 exited" "$(pgq "sf_kill_$point" "SELECT member_id || ' ' || change FROM lac.lac_membership_log
		WHERE audience = 'cat_owners' AND at = '2026-01-15T13:00:00Z' ORDER BY 1")"
	case $point in swap_members|swap_entities) # a replace completed by the next run: one more
		expect_status "$point: quiet run" 0 lac -C "$K" --now 2026-01-15T15:00:00Z run cat_owners multi_dog_owners
		expect_eq "$point: still exactly once" 4 "$(wc -l <"$ev" | tr -d ' ')" ;;
	esac
	expect_eq "$point: no copy of a snapshot left" "" \
		"$(pgq "sf_kill_$point" "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%\_\_new'")"
done

finish
