#!/bin/sh
# tests/e2e/locks.sh — the state's locks (SPEC §1.2, docs/gitops.md "Locks")
# on a SQLite state and on a PostgreSQL one (tests/pg/start.sh; that half is
# skipped without a server): two applies at once (one fails naming the
# holder, or waits with --lock-timeout), an apply during a run of the same
# audience (skipped), kill -9 of a holder, `lac state unlock`, and the
# PostgreSQL connection terminated or its server stopped mid-run (exit 1;
# the next run completes the unfinished one).  A holder is held still with LAC_TEST_PAUSE_AFTER
# (src/base/crash_point.h).
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need sqlite3
host=$(uname -n)
held_re() { echo "held by $1 pid $2 on $host since [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"; }

# start_paused NAME POINT lac-args...: lac in the background, held at POINT
# until resume NAME; sets $pid.  Its output goes to $T/NAME.out, .err, .rc.
start_paused() {
	name=$1 point=$2
	shift 2
	rm -f "$T/$name" "$T/$name.paused"
	( set +e; LAC_TEST_PAUSE_AFTER=$point LAC_TEST_PAUSE_FILE=$T/$name "$LAC" "$@" \
		>"$T/$name.out" 2>"$T/$name.err"; echo $? >"$T/$name.rc" ) &
	n=0
	while [ ! -s "$T/$name.paused" ]; do
		n=$((n + 1))
		[ $n -lt 600 ] || { fail "$name never reached $point"; cat "$T/$name.err" >&2; return 1; }
		sleep 0.05
	done
	pid=$(cat "$T/$name.paused")
}
resume() { touch "$T/$1"; }
# start_waiting NAME lac-args...: lac in the background (output in $T/NAME.out,
# .err, .rc), which should wait for a lock: after half a second it has not
# ended.  finished NAME waits for it.
start_waiting() {
	name=$1
	shift
	rm -f "$T/$name.rc"
	( set +e; "$LAC" "$@" >"$T/$name.out" 2>"$T/$name.err"; echo $? >"$T/$name.rc" ) &
	sleep 0.5
	expect_eq "$name still waits" "" "$(cat "$T/$name.rc" 2>/dev/null)"
}
# finished NAME: wait for a background lac and print its exit status
finished() {
	n=0
	while [ ! -s "$T/$1.rc" ]; do
		n=$((n + 1))
		[ $n -lt 1200 ] || { echo timeout; return; }
		sleep 0.05
	done
	cat "$T/$1.rc"
}
expect_match() { # NAME ERE FILE
	if grep -Eq "$2" "$3"; then pass; else fail "$1"; echo "  wanted /$2/ in:" >&2; sed 's/^/  /' "$3" >&2; fi
}

lac init --example petshop "$T/base" >/dev/null

# the cases both engines share; $1 names them, $2 is the project
shared_cases() {
	b=$1 P=$2
	expect_status "$b: apply" 0 lac -C "$P" --now 2026-01-15T12:00:00Z apply --auto-approve

	# two applies at once: the second fails naming the holder ...
	start_paused "$b-a1" lock:apply -C "$P" --now 2026-01-15T12:00:00Z apply --auto-approve
	expect_status "$b: a second apply fails" 1 lac -C "$P" --now 2026-01-15T12:00:00Z apply --auto-approve
	expect_match "$b: ... naming the holder" "^lac: lock 'apply' is $(held_re apply "$pid")\$" "$T/err"
	expect_status "$b: plan takes no lock" 0 lac -C "$P" plan --detailed-exitcode
	# ... or waits for it with --lock-timeout
	start_waiting "$b-a2" -C "$P" --now 2026-01-15T12:00:00Z apply --auto-approve --lock-timeout 1m
	resume "$b-a1"
	expect_eq "$b: the first apply" 0 "$(finished "$b-a1")"
	expect_eq "$b: the waiting apply, once it is free" 0 "$(finished "$b-a2")"
	expect_status "$b: a bad --lock-timeout" 64 lac -C "$P" apply --auto-approve --lock-timeout 5x
	# state unlock takes the lock 'apply' as well, and waits for it the same way
	start_paused "$b-a3" lock:apply -C "$P" --now 2026-01-15T12:00:00Z apply --auto-approve
	expect_status "$b: state unlock while an apply runs" 1 lac -C "$P" state unlock run:cat_owners
	expect_match "$b: ... naming the holder" "^lac: lock 'apply' is $(held_re apply "$pid")\$" "$T/err"
	start_waiting "$b-unlock" -C "$P" state unlock run:cat_owners --lock-timeout 1m
	resume "$b-a3"
	expect_eq "$b: the apply" 0 "$(finished "$b-a3")"
	expect_eq "$b: the waiting unlock, once it is free" 0 "$(finished "$b-unlock")"
	# and so does state import, which only then finds this state not empty
	expect_status "$b: state export" 0 lac -C "$P" state export "$T/$b-export.jsonl"
	start_paused "$b-a4" lock:apply -C "$P" --now 2026-01-15T12:00:00Z apply --auto-approve
	expect_status "$b: state import while an apply runs" 1 lac -C "$P" state import "$T/$b-export.jsonl"
	expect_match "$b: ... naming the holder" "^lac: lock 'apply' is $(held_re apply "$pid")\$" "$T/err"
	start_waiting "$b-import" -C "$P" state import "$T/$b-export.jsonl" --lock-timeout 1m
	resume "$b-a4"
	expect_eq "$b: the apply" 0 "$(finished "$b-a4")"
	expect_eq "$b: the waiting import, once it is free" 1 "$(finished "$b-import")"
	expect_match "$b: ... finds the state not empty" "^lac: cannot import into .*; import needs an empty state\$" "$T/$b-import.err"

	# an apply during a run of the same audience skips it
	start_paused "$b-r1" lock:run:cat_owners -C "$P" --now 2026-01-15T13:00:00Z run cat_owners
	expect_status "$b: apply while cat_owners runs" 0 lac -C "$P" --now 2026-01-15T13:00:00Z apply --auto-approve
	expect_match "$b: ... skips it" "^Ran cat_owners: skipped \\(running: $(held_re run "$pid")\\)\$" "$T/out"
	expect_status "$b: apply --format json" 0 lac -C "$P" --format json --now 2026-01-15T13:00:00Z apply --auto-approve
	expect_eq "$b: ... a Skipped run with its holder" "Skipped True" "$(python3 -c '
import json, re, sys
r = [r for r in json.load(sys.stdin)["runs"] if r["audience"] == "cat_owners"][0]
print(r["result"], bool(re.match(r"held by run pid \d+ on ", r["held_by"])))' <"$T/out")"
	expect_status "$b: a second run of it fails" 1 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners
	expect_match "$b: ... naming the holder" "^lac: cat_owners: lock 'run:cat_owners' is $(held_re run "$pid")\$" "$T/err"
	expect_status "$b: the daemon skips it" 0 lac -C "$P" daemon --once --now 2026-01-15T13:00:00Z
	expect_match "$b: ... for now" "^cat_owners: skipped \\(running: $(held_re run "$pid")\\)\$" "$T/out"
	resume "$b-r1"
	expect_eq "$b: the run" 0 "$(finished "$b-r1")"

	# kill -9 of a holder frees its locks
	start_paused "$b-k1" lock:apply -C "$P" --now 2026-01-15T14:00:00Z apply --auto-approve
	kill -9 "$pid"
	finished "$b-k1" >/dev/null
	expect_status "$b: apply after its holder was killed" 0 lac -C "$P" --now 2026-01-15T14:00:00Z apply --auto-approve
	start_paused "$b-k2" snapshot -C "$P" --now 2026-01-15T15:00:00Z run cat_owners
	expect_status "$b: state show while a run holds its lock" 0 lac -C "$P" state show
	expect_match "$b: ... lists the lock" "run:cat_owners +held by run pid $pid on $host since " "$T/out"
	kill -9 "$pid"
	finished "$b-k2" >/dev/null
	expect_status "$b: state show after the holder was killed" 0 lac -C "$P" --format json state show
	expect_eq "$b: ... lists no lock" "[]" "$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["locks"])' "$T/out")"
	expect_status "$b: run after its holder was killed" 0 lac -C "$P" --now 2026-01-15T15:00:00Z run cat_owners
	expect_match "$b: ... completes the killed run" "^cat_owners: completed unfinished run " "$T/out"

	expect_status "$b: state unlock of a free lock" 0 lac -C "$P" state unlock run:cat_owners
	expect_eq "$b: ... says so" "Lock 'run:cat_owners' is not held." "$(cat "$T/out")"
	expect_status "$b: state unlock of no lock id" 64 lac -C "$P" state unlock run:no-such
	expect_status "$b: state with no subcommand" 64 lac -C "$P" state
}

# ---- SQLite ---------------------------------------------------------------------
P="$T/sqlite"
cp -R "$T/base" "$P"
shared_cases sqlite "$P"
expect_eq "sqlite: lock files next to the state" "apply run-cat_owners" \
	"$(cd "$P/.lac/state.db-locks" && ls apply run-cat_owners | tr '\n' ' ' | sed 's/ $//')"
# state unlock: a live holder keeps its lock (it ends with its process)
start_paused sqlite-u1 lock:run:cat_owners -C "$P" --now 2026-01-15T16:00:00Z run cat_owners
expect_status "sqlite: state unlock of a live holder" 1 lac -C "$P" --format json state unlock run:cat_owners
expect_match "sqlite: ... says it is still running" "^lac: lock 'run:cat_owners' is $(held_re run "$pid"), which is still running" "$T/err"
expect_eq "sqlite: ... and prints one JSON object" "held True" "$(python3 -c '
import json, sys
j = json.load(sys.stdin)
print(j["result"], j["held_by"].startswith("held by run pid "))' <"$T/out")"
resume sqlite-u1
expect_eq "sqlite: the run" 0 "$(finished sqlite-u1)"

# ---- PostgreSQL -----------------------------------------------------------------
pg_start --optional || { finish; exit; }
psql -q -d postgres -c "CREATE DATABASE lac_state" >/dev/null
STATE_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_state"
export STATE_DSN
pg() { psql -q -t -A -v ON_ERROR_STOP=1 -d lac_state -c "$1"; }
P="$T/pg"
cp -R "$T/base" "$P"
awk '
	/^state:/ { print "state:\n  type: postgres\n  dsn: \"${STATE_DSN}\"\n  schema: locks"; skip = 1; next }
	skip && /^[ \t]/ { next }
	{ skip = 0; print }
' "$T/base/lac.yaml" >"$P/lac.yaml"
shared_cases pg "$P"
expect_eq "pg: no lock left behind" 0 "$(pg "SELECT count(*) FROM locks.lock_holders")"

# state unlock ends the holder's session; the holder stops at its next
# state statement (exit 1), and the next run completes its unfinished run
start_paused pg-u1 snapshot -C "$P" --now 2026-01-15T16:00:00Z run cat_owners
expect_status "pg: state unlock" 0 lac -C "$P" state unlock run:cat_owners
expect_match "pg: ... ends the holder's session" "^Lock 'run:cat_owners' released: it was $(held_re run "$pid") \\(its session was ended\\)\\.\$" "$T/out"
resume pg-u1
expect_eq "pg: the run whose session was ended fails" 1 "$(finished pg-u1)"
expect_match "pg: ... saying why" "^lac: cat_owners: .*lost the connection to the PostgreSQL state" "$T/pg-u1.err"
expect_status "pg: the next run" 0 lac -C "$P" --now 2026-01-15T17:00:00Z run cat_owners
expect_match "pg: ... completes the unfinished one" "^cat_owners: completed unfinished run " "$T/out"

# the state connection terminated mid-run (after the outbox was written)
start_paused pg-t1 outbox -C "$P" --now 2026-01-15T18:00:00Z run cat_owners
expect_eq "pg: the holder's session" 1 "$(pg "SELECT count(pg_terminate_backend(backend_pid::integer)) FROM locks.lock_holders WHERE id = 'run:cat_owners'")"
resume pg-t1
expect_eq "pg: the run whose connection was terminated fails" 1 "$(finished pg-t1)"
expect_match "pg: ... saying why" "lost the connection to the PostgreSQL state" "$T/pg-t1.err"
expect_eq "pg: ... left unfinished" Running \
	"$(pg "SELECT result FROM locks.runs WHERE audience = 'cat_owners' ORDER BY started_at DESC, rowid DESC LIMIT 1")"
expect_status "pg: the next run after it" 0 lac -C "$P" --now 2026-01-15T19:00:00Z run cat_owners
expect_match "pg: ... completes it" "^cat_owners: completed unfinished run " "$T/out"
expect_eq "pg: nothing left unfinished" 0 "$(pg "SELECT count(*) FROM locks.runs WHERE result = 'Running'")"

# the state's server stopped mid-run (after the snapshot), then started again
pgctl() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$LAC_PG_BINDIR/pg_ctl" "$@"; else "$LAC_PG_BINDIR/pg_ctl" "$@"; fi
}
start_paused pg-s1 snapshot -C "$P" --now 2026-01-15T19:30:00Z run cat_owners
pgctl -D "$LAC_PG_DIR/data" -m fast -w stop >/dev/null
resume pg-s1
expect_eq "pg: the run whose server stopped fails" 1 "$(finished pg-s1)"
expect_match "pg: ... saying why" "lost the connection to the PostgreSQL state" "$T/pg-s1.err"
pgctl -D "$LAC_PG_DIR/data" -l "$LAC_PG_DIR/server.log" -w -t 30 \
	-o "-c listen_addresses='' -k $LAC_PG_DIR -p $PGPORT -c fsync=off -c TimeZone=UTC" start >/dev/null
expect_status "pg: the next run, the server back" 0 lac -C "$P" --now 2026-01-15T19:40:00Z run cat_owners
expect_match "pg: ... completes the unfinished one" "^cat_owners: completed unfinished run " "$T/out"

# the daemon stops when it loses the connection
start_paused pg-d1 snapshot -C "$P" daemon --once --now 2026-01-15T20:00:00Z
pg "SELECT pg_terminate_backend(backend_pid::integer) FROM locks.lock_holders" >/dev/null
resume pg-d1
expect_eq "pg: the daemon that lost its connection" 1 "$(finished pg-d1)"
expect_match "pg: ... stops" "^lac: the connection to the PostgreSQL state was lost; the daemon stops\$" "$T/pg-d1.err"
finish
