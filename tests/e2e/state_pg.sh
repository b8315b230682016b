#!/bin/sh
# tests/e2e/state_pg.sh — the state in PostgreSQL (state: {type: postgres}):
# the state unit cases on a throw-away server (tests/pg/start.sh), a real
# run on the SQLite warehouse with that state (apply, a data change, run,
# status, runs, delivery; no .lac/ on disk), and a run killed after each
# step that loses nothing and keeps its messageIds.  Skipped (77) without
# PostgreSQL.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3
pg_start
lib="$SRC/tests/e2e/run_lib.py"
psql -q -d postgres -c "CREATE DATABASE lac_state" >/dev/null
STATE_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_state"
export STATE_DSN
pg() { psql -q -t -A -v ON_ERROR_STOP=1 -d lac_state -c "$1"; }

# the unit cases of the state, on this server
for t in test_sdb test_state test_state_move; do
	expect_status "$t on PostgreSQL" 0 env LAC_TEST_STATE_DSN="$STATE_DSN" "$(dirname "$LAC")/tests/unit/$t"
done

# A copy of the petshop example whose state is schema $2 of the server.
project() {
	cp -R "$T/base" "$1"
	awk -v schema="$2" '
		/^state:/ { print "state:\n  type: postgres\n  dsn: \"${STATE_DSN}\"\n  schema: " schema; skip = 1; next }
		skip && /^[ \t]/ { next }
		{ skip = 0; print }
	' "$T/base/lac.yaml" >"$1/lac.yaml"
}
change_pets() {
	sqlite3 "$1/data/warehouse.db" "INSERT INTO PETS VALUES ('x30','h02','Mia','cat',2,'2025-01-01'),
		('x31','h02','Odie','dog',3,'2025-01-01'), ('x32','h10','Pluto','dog',4,'2025-01-01');
		DELETE FROM PETS WHERE id IN ('x11','x13');"
}
# queued_pg SCHEMA ACTIVATION: the messageIds still queued (as queued_ids)
queued_pg() {
	pg "SELECT t.id FROM $1.outbox_chunks AS c JOIN $1.outbox_chunk_events AS e ON e.chunk_id = c.id,
	    unnest(string_to_array(rtrim(convert_from(e.message_ids, 'UTF8'), E'\n'), E'\n'))
	    WITH ORDINALITY AS t(id, k) WHERE t.k > c.next AND c.activation = '$2'
	    UNION ALL SELECT message_id FROM $1.outbox WHERE status = 'pending' AND activation = '$2'"
}
lac init --example petshop "$T/base" >/dev/null
expected_events="dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x03|true
dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x31|true
dog_bundle|track|Dog Bundle Eligible|anon:p09|households.pets|x32|true
welcome_cat|track|Audience Entered|anon:p02|-|-|true"

# ---- a real run ----------------------------------------------------------------------
P="$T/main"
project "$P" main_state
ev="$P/out/events.jsonl"
expect_status "plan on an empty server" 2 lac -C "$P" plan --detailed-exitcode
expect_eq "plan creates no schema" 0 "$(pg "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'main_state'")"
expect_status "apply" 0 lac -C "$P" --now 2026-01-15T12:00:00Z apply --auto-approve
expect_status "plan after apply" 0 lac -C "$P" plan --detailed-exitcode
change_pets "$P"
expect_status "run" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners multi_dog_owners
expect_eq "change events" "$expected_events" "$("$py" "$lib" summary "$ev")"
expect_status "messageIds unique" 0 "$py" "$lib" ids "$ev"
expect_eq "status" "cat_owners Live" "$(lac -C "$P" status | awk '$1 == "cat_owners" { print $1, ($0 ~ / Live /) ? "Live" : "?" }')"
lac -C "$P" --format json runs cat_owners >"$T/runs.json"
expect_eq "runs" "Live Live" "$("$py" -c '
import json, sys
print(" ".join(r["result"] for r in json.load(sys.stdin)))' <"$T/runs.json")"
expect_eq "delivery" "welcome_cat 1 1" "$(lac -C "$P" delivery cat_owners | awk '$1 == "welcome_cat" { print $1, $3, $7 }')"
expect_eq "the state is on the server" 2 "$(pg "SELECT count(*) FROM main_state.runs WHERE audience = 'cat_owners'")"
expect_eq "no state file" "no" "$([ -e "$P/.lac" ] && echo yes || echo no)"
expect_status "quiet run" 0 lac -C "$P" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
expect_eq "quiet run sends nothing" 4 "$(wc -l <"$ev" | tr -d ' ')"
# a dsn naming an unset variable is E007, and a server that is not there
# is an error that does not print the dsn
expect_status "unset dsn variable" 1 env -u STATE_DSN "$LAC" -C "$P" status
set +e
STATE_DSN="host=$PGHOST port=1 user=nobody password=s3cr3t-pw dbname=lac_state" "$LAC" -C "$P" status >"$T/out" 2>"$T/err"
rc=$?
set -e
expect_eq "no server: exit 1" 1 "$rc"
expect_eq "no server: the password is not printed" "" "$(grep s3cr3t "$T/err" || true)"

# ---- a run killed after each step --------------------------------------------------------
for point in snapshot outbox swap send; do
	P="$T/$point"
	schema="crash_$point"
	project "$P" "$schema"
	ev="$P/out/events.jsonl"
	lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null # run runs what was applied
	expect_status "$point: baseline" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run cat_owners multi_dog_owners
	change_pets "$P"
	set +e
	LAC_TEST_CRASH_AFTER=$point "$LAC" -C "$P" --now 2026-01-15T13:00:00Z run cat_owners multi_dog_owners \
		>"$T/out" 2>"$T/err"
	rc=$?
	set -e
	expect_eq "$point: killed" 137 "$rc"
	queued=$(queued_pg "$schema" welcome_cat)
	case $point in
	snapshot) expect_eq "$point: nothing queued" "" "$queued" ;;
	*) expect_eq "$point: one event queued" 1 "$(echo "$queued" | grep -c .)" ;;
	esac
	expect_eq "$point: run left unfinished" "Running" \
		"$(pg "SELECT result FROM $schema.runs WHERE audience = 'cat_owners' ORDER BY started_at DESC LIMIT 1")"
	expect_status "$point: next run" 0 lac -C "$P" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
	if [ "$point" = send ]; then
		# the page reached the file before the kill: sent once more, same messageId
		expect_eq "$point: the resent line is the same event" 4 "$(sort -u "$ev" | wc -l | tr -d ' ')"
		expect_eq "$point: every event" "$expected_events" "$("$py" "$lib" summary "$ev" | sort -u)"
	else
		expect_eq "$point: every event exactly once" "$expected_events" "$("$py" "$lib" summary "$ev")"
		expect_status "$point: messageIds unique" 0 "$py" "$lib" ids "$ev"
	fi
	if [ -n "$queued" ]; then
		expect_eq "$point: the queued messageId was sent" "\"$queued\"" \
			"$("$py" "$lib" field "$ev" welcome_cat anon:p02 messageId | sort -u)"
	fi
	expect_eq "$point: no run left unfinished" 0 "$(pg "SELECT count(*) FROM $schema.runs WHERE result = 'Running'")"
	expect_eq "$point: nothing left queued" "" "$(queued_pg "$schema" welcome_cat)"
done
finish
