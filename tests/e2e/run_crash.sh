#!/bin/sh
# tests/e2e/run_crash.sh — a run killed after each step (LAC_TEST_CRASH_AFTER
# makes lac _exit(137) there) loses nothing: the next run completes it first,
# every event of the change is delivered exactly once, with the messageId
# the crashed run had already queued.  Each point is tried with the swap in
# one transaction (SQLite's own) and as the sequence of separately committed
# statements of a warehouse without transactional DDL (LAC_TEST_SWAP_STEPS=1:
# the generation record, then each snapshot's replace), where the next run
# completes a replace the kill interrupted.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3
lib="$SRC/tests/e2e/run_lib.py"
lac init --example petshop "$T/base" >/dev/null

expected_events="dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x03|true
dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x31|true
dog_bundle|track|Dog Bundle Eligible|anon:p09|households.pets|x32|true
welcome_cat|track|Audience Entered|anon:p02|-|-|true"

# changed_project DIR NAME: a copy of the petshop example in DIR, applied,
# its baseline run (the test NAME), then the data change whose events are
# $expected_events; sets P, db, ev and st.
changed_project() {
	P=$1
	cp -R "$T/base" "$P"
	db="$P/data/warehouse.db"
	ev="$P/out/events.jsonl"
	st="$P/.lac/state.db"
	lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null # run runs what was applied
	expect_status "$2: baseline" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run cat_owners multi_dog_owners
	sqlite3 "$db" "INSERT INTO PETS VALUES ('x30','h02','Mia','cat',2,'2025-01-01'),
	('x31','h02','Odie','dog',3,'2025-01-01'), ('x32','h10','Pluto','dog',4,'2025-01-01');
	DELETE FROM PETS WHERE id IN ('x11','x13');"
}

for mode in tx steps; do
for point in snapshot outbox generation swap_members swap_entities swap; do
	if [ "$mode" = steps ]; then LAC_TEST_SWAP_STEPS=1; else LAC_TEST_SWAP_STEPS=; fi
	export LAC_TEST_SWAP_STEPS
	changed_project "$T/$mode-$point" "$mode $point"
	set +e
	LAC_TEST_CRASH_AFTER=$point "$LAC" -C "$P" --now 2026-01-15T13:00:00Z run cat_owners multi_dog_owners \
		>"$T/out" 2>"$T/err"
	rc=$?
	set -e
	expect_eq "$mode $point: killed" 137 "$rc"
	expect_eq "$mode $point: nothing delivered by the killed run" 0 "$(cat "$ev" 2>/dev/null | wc -l)"
	queued=$(queued_ids "$P/.lac/state.db" welcome_cat)
	case $point in
	snapshot) expect_eq "$mode $point: nothing queued" "" "$queued" ;;
	*) expect_eq "$mode $point: one event queued" 1 "$(echo "$queued" | grep -c .)" ;;
	esac
	expect_eq "$mode $point: run left unfinished" "Running" \
		"$(sqlite3 "$P/.lac/state.db" "SELECT result FROM runs WHERE audience = 'cat_owners' ORDER BY started_at DESC LIMIT 1")"

	expect_status "$mode $point: next run" 0 lac -C "$P" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
	expect_eq "$mode $point: every event exactly once" "$expected_events" "$("$py" "$lib" summary "$ev")"
	expect_status "$mode $point: messageIds unique" 0 "$py" "$lib" ids "$ev"
	if [ -n "$queued" ]; then
		expect_eq "$mode $point: the queued messageId was sent" "\"$queued\"" \
			"$("$py" "$lib" field "$ev" welcome_cat anon:p02 messageId)"
	fi
	# the crashed run's reference time and run id are kept
	expect_eq "$mode $point: crashed run's now" '"2026-01-15T13:00:00Z"' \
		"$("$py" "$lib" field "$ev" welcome_cat anon:p02 timestamp)"
	lac -C "$P" --format json runs cat_owners >"$T/runs.json"
	expect_eq "$mode $point: runs" "Live Live Live" "$("$py" -c '
import json, sys
print(" ".join(r["result"] for r in json.load(sys.stdin)))' <"$T/runs.json")"
	# the completed run reports its changes, also when it crashed after its swap
	expect_eq "$mode $point: the completed run's changes" "+1 -1" "$("$py" -c '
import json, sys
r = [x for x in json.load(sys.stdin) if x["started_at"] == "2026-01-15T13:00:00Z"][0]["summary"]
print("+%d -%d" % (r["entered"], r["exited"]))' <"$T/runs.json")"
	expect_eq "$mode $point: no run left unfinished" 0 \
		"$(sqlite3 "$P/.lac/state.db" "SELECT COUNT(*) FROM runs WHERE result = 'Running'")"
	expect_eq "$mode $point: generation" 3 \
		"$(sqlite3 "$db" "SELECT generation FROM lac_generation WHERE audience = 'cat_owners'")"
	expect_eq "$mode $point: log not doubled" "p02 entered
p07 exited" "$(sqlite3 "$db" "SELECT member_id || ' ' || change FROM lac_membership_log
		WHERE audience = 'cat_owners' AND at = '2026-01-15T13:00:00Z' ORDER BY 1" )"
	# one more run: still nothing new
	expect_status "$mode $point: quiet run" 0 lac -C "$P" --now 2026-01-15T15:00:00Z run cat_owners multi_dog_owners
	expect_eq "$mode $point: still exactly once" 4 "$(wc -l <"$ev")"
	expect_eq "$mode $point: no copy of a snapshot left" "" \
		"$(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE name LIKE '%__new'")"
done
done
unset LAC_TEST_SWAP_STEPS

# A replace that fails after the generation was recorded (here the entity
# snapshot is a view, which DROP TABLE refuses) leaves the run unfinished:
# the next run stops rather than diff against a half-replaced snapshot, and
# once the cause is gone the run after completes the replace and delivers
# every event once.
export LAC_TEST_SWAP_STEPS=1
changed_project "$T/replace-fails" "replace fails"
sqlite3 "$db" "CREATE TABLE keep_ent AS SELECT * FROM snapshot_cat_owners__ent; DROP TABLE snapshot_cat_owners__ent;
	CREATE VIEW snapshot_cat_owners__ent AS SELECT * FROM keep_ent;"
expect_status "replace fails: the run fails" 1 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners
expect_eq "replace fails: left unfinished" "Running" \
	"$(sqlite3 "$P/.lac/state.db" "SELECT result FROM runs WHERE audience = 'cat_owners' ORDER BY started_at DESC LIMIT 1")"
expect_status "replace fails: the next run stops too" 1 lac -C "$P" --now 2026-01-15T13:30:00Z run cat_owners
expect_eq "replace fails: no new run started (the baseline and the unfinished one)" 2 \
	"$(sqlite3 "$P/.lac/state.db" "SELECT COUNT(*) FROM runs WHERE audience = 'cat_owners'")"
sqlite3 "$db" "DROP VIEW snapshot_cat_owners__ent; ALTER TABLE keep_ent RENAME TO snapshot_cat_owners__ent;"
expect_status "replace fails: completed once the cause is gone" 0 \
	lac -C "$P" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
expect_eq "replace fails: every event exactly once" "$expected_events" "$("$py" "$lib" summary "$ev")"
expect_eq "replace fails: no copy of a snapshot left" "" \
	"$(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE name LIKE '%__new'")"
unset LAC_TEST_SWAP_STEPS

# The state refuses to drop the events a crashed run queued (a trigger on
# that run's chunks stands in for the fault): the run that redoes it fails
# and leaves it unfinished rather than queue its events a second time; once
# the state takes the delete, the next run completes it and every event
# comes once.  (The crash is in cat_owners, the first; multi_dog_owners
# runs and delivers meanwhile.)
changed_project "$T/discard-fails" "discard fails"
expect_status "discard fails: killed after the outbox" 137 env LAC_TEST_CRASH_AFTER=outbox \
	"$LAC" -C "$P" --now 2026-01-15T13:00:00Z run cat_owners multi_dog_owners
crashed=$(sqlite3 "$st" "SELECT id FROM runs WHERE result = 'Running'")
expect_eq "discard fails: one run crashed" 1 "$(echo "$crashed" | grep -c .)"
sqlite3 "$st" "CREATE TRIGGER keep_chunks BEFORE DELETE ON outbox_chunks WHEN OLD.run_id = '$crashed'
	BEGIN SELECT RAISE(ABORT, 'the disk says no'); END;"
expect_status "discard fails: the run fails" 1 lac -C "$P" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
grep -q "could not be completed: the queued events could not be dropped: state database .*the disk says no" \
	"$T/err" && pass || { fail "discard fails: the error"; cat "$T/err" >&2; }
expect_eq "discard fails: nothing of cat_owners delivered" "" "$(grep welcome_cat "$ev" || true)"
expect_eq "discard fails: left unfinished" "Running" \
	"$(sqlite3 "$st" "SELECT result FROM runs WHERE audience = 'cat_owners' ORDER BY started_at DESC LIMIT 1")"
sqlite3 "$st" "DROP TRIGGER keep_chunks"
expect_status "discard fails: completed once the state takes it" 0 \
	lac -C "$P" --now 2026-01-15T15:00:00Z run cat_owners multi_dog_owners
expect_eq "discard fails: every event exactly once" "$expected_events" "$("$py" "$lib" summary "$ev")"
expect_status "discard fails: messageIds unique" 0 "$py" "$lib" ids "$ev"

# The state refuses the run's final record: the run fails saying so, and
# the next one completes it (its swap was done) without sending anything again.
sqlite3 "$db" "INSERT INTO PETS VALUES ('x40','h03','Tom','cat',5,'2025-01-01')"
sqlite3 "$st" "CREATE TRIGGER keep_running BEFORE UPDATE OF result ON runs WHEN NEW.result <> 'Running'
	BEGIN SELECT RAISE(ABORT, 'the disk says no'); END;"
expect_status "record fails: the run fails" 1 lac -C "$P" --now 2026-01-15T16:00:00Z run cat_owners
grep -q "the run could not be recorded: state database .*the disk says no; the next run completes it" \
	"$T/err" && pass || { fail "record fails: the error"; cat "$T/err" >&2; }
sqlite3 "$st" "DROP TRIGGER keep_running"
expect_eq "record fails: its event sent once" 1 "$(grep -c '"anonymousId":"p03".*"Audience Entered"' "$ev")"
# the daemon's next pass completes it, before its schedule (every hour) says so
expect_status "record fails: the daemon completes it" 0 lac -C "$P" daemon --once --now 2026-01-15T16:05:00Z
grep -q "cat_owners: completed unfinished run .*: Live" "$T/out" && pass || { fail "record fails: completed"; cat "$T/out" >&2; }
expect_eq "record fails: still once" 1 "$(grep -c '"anonymousId":"p03".*"Audience Entered"' "$ev")"
expect_eq "record fails: no run left unfinished" 0 "$(sqlite3 "$st" "SELECT COUNT(*) FROM runs WHERE result = 'Running'")"

# The state refuses the generation after the warehouse swap: the run is left
# unfinished and the next one completes it; a new activation with `send
# current` gets its baseline then, and sends the current members once.
cat "$SRC/tests/e2e/cat_greetings.lac" >>"$P/audiences/pets.lac"
lac -C "$P" -q --now 2026-01-15T18:00:00Z apply --auto-approve --no-run >/dev/null
sqlite3 "$st" "CREATE TRIGGER keep_generation BEFORE UPDATE OF generation ON audiences
	BEGIN SELECT RAISE(ABORT, 'the disk says no'); END;"
expect_status "state swap fails: the run fails" 1 lac -C "$P" --now 2026-01-15T18:30:00Z run cat_greetings
grep -q "state database .*the disk says no" "$T/err" && pass || { fail "state swap fails: the error"; cat "$T/err" >&2; }
expect_eq "state swap fails: left unfinished" "Running" \
	"$(sqlite3 "$st" "SELECT result FROM runs WHERE audience = 'cat_greetings'")"
sqlite3 "$st" "DROP TRIGGER keep_generation"
expect_status "state swap fails: the next run completes it" 0 lac -C "$P" --now 2026-01-15T19:00:00Z run cat_greetings
expect_status "state swap fails: a quiet run" 0 lac -C "$P" --now 2026-01-15T20:00:00Z run cat_greetings
expect_eq "state swap fails: current members sent once" "6 6" \
	"$(grep -c '"Hello Cat"' "$ev") $(grep '"Hello Cat"' "$ev" | sort -u | wc -l | tr -d ' ')"

# The state cannot say what it knows of the activations (their table gone
# for a while): the run fails before it computes anything and is left
# unfinished; the next run redoes it and sends every event once.
changed_project "$T/states-unread" "states unread"
sqlite3 "$st" "ALTER TABLE activations RENAME TO activations_away"
expect_status "states unread: the run fails" 1 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners multi_dog_owners
grep -q "cat_owners: state database .*no such table: activations" "$T/err" && pass ||
	{ fail "states unread: the error"; cat "$T/err" >&2; }
expect_eq "states unread: left unfinished" "2" \
	"$(sqlite3 "$st" "SELECT COUNT(*) FROM runs WHERE result = 'Running'")"
sqlite3 "$st" "ALTER TABLE activations_away RENAME TO activations"
expect_status "states unread: the next run redoes it" 0 \
	lac -C "$P" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
expect_eq "states unread: every event exactly once" "$expected_events" "$("$py" "$lib" summary "$ev")"

# Killed after the file destination took a page, before its outcome was
# recorded: the next run sends that page once more, with the same
# messageIds, and loses nothing.
changed_project "$T/send" "send"
set +e
LAC_TEST_CRASH_AFTER=send "$LAC" -C "$P" --now 2026-01-15T13:00:00Z run cat_owners >"$T/out" 2>"$T/err"
rc=$?
set -e
expect_eq "send: killed" 137 "$rc"
expect_eq "send: the page reached the file" 1 "$(wc -l <"$ev")"
expect_eq "send: still queued" 1 "$(queued_ids "$P/.lac/state.db" welcome_cat | grep -c .)"
expect_status "send: next run" 0 lac -C "$P" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
expect_eq "send: five lines" 5 "$(wc -l <"$ev" | tr -d ' ')"
expect_eq "send: the resent line is the same event (same messageId)" 4 "$(sort -u "$ev" | wc -l | tr -d ' ')"
expect_eq "send: every event, the resent one twice" "$expected_events
welcome_cat|track|Audience Entered|anon:p02|-|-|true" "$("$py" "$lib" summary "$ev" | sort)"
expect_eq "send: nothing left queued" "" "$(queued_ids "$P/.lac/state.db")"
finish
