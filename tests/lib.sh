# tests/lib.sh — sourced by every end-to-end test script.
# Gives: set -eu, $LAC (the binary under test), $SRC (the source tree), a
# temporary directory $T removed on exit (KEEP=1 keeps it to look at),
# on_exit, pg_start, need, and small assertion helpers that print what differed.
set -eu
: "${LAC:?LAC must point at the lac binary (make check sets it)}"
SRC=${LAC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d "${TMPDIR:-/tmp}/lac-test.XXXXXX")

# on_exit COMMAND: run COMMAND (a shell text) when the script exits however it
# ends, the last one given first, before $T is removed.  A script's servers and
# fakes are stopped this way, so that no trap of its own replaces this one.
exit_hooks=
on_exit() {
	exit_hooks="$1
$exit_hooks"
}
run_exit_hooks() {
	set +e # a hook that fails (a server already gone) must not stop the others
	eval "$exit_hooks"
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap run_exit_hooks EXIT

# pg_start [--optional]: a throw-away PostgreSQL server for this script
# (tests/pg/start.sh), reached through PGHOST, PGPORT and PGUSER and stopped on
# exit.  Without psql or an installed server the test is skipped (exit 77);
# with --optional that is said and pg_start returns 1 instead, for a script
# whose PostgreSQL part is optional.  A server that does not start is an error.
pg_start() {
	if command -v psql >/dev/null 2>&1; then
		set +e
		pg_env=$(sh "$SRC/tests/pg/start.sh")
		rc=$?
		set -e
		case $rc in
		0)
			eval "$pg_env"
			on_exit 'sh "$SRC/tests/pg/stop.sh"'
			return 0
			;;
		77) why="no PostgreSQL server" ;;
		*) echo "cannot start PostgreSQL" >&2; exit 1 ;;
		esac
	else
		why="no psql"
	fi
	if [ "${1:-}" = --optional ]; then
		echo "$why: the PostgreSQL part is skipped"
		return 1
	fi
	echo "$why: skipped"
	exit 77
}
# need CMD...: skip the test (exit 77) unless every command is installed
need() {
	for c; do
		command -v "$c" >/dev/null 2>&1 || { echo "no $c: skipped"; exit 77; }
	done
}

# need_python MODULE...: the same for /usr/bin/python3 and its modules
# (Debian's python3-MODULE packages), which the test's scaffolding imports
need_python() {
	need /usr/bin/python3
	for m; do
		/usr/bin/python3 -c "import $m" 2>/dev/null || { echo "no python3-$m: skipped"; exit 77; }
	done
}

nfail=0
npass=0

# lac under valgrind when LAC_VALGRIND=1 (slow; for local runs)
lac() {
	if [ "${LAC_VALGRIND:-0}" = 1 ]; then
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "$LAC" "$@"
	else
		"$LAC" "$@"
	fi
}

pass() { npass=$((npass + 1)); }
fail() { nfail=$((nfail + 1)); printf 'FAIL: %s\n' "$*" >&2; }

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then pass; else
		fail "$1"
		printf -- '--- expected\n%s\n--- actual\n%s\n' "$2" "$3" >&2
	fi
}

# expect_file_eq NAME EXPECTED_FILE ACTUAL_FILE
# has NAME TEXT FILE: FILE holds TEXT (a fixed string); hasnt: it does not
has() {
	if grep -qF -- "$2" "$3"; then pass; else fail "$1: no '$2' in:"; cat "$3" >&2; fi
}
hasnt() {
	if grep -qF -- "$2" "$3"; then fail "$1: unexpected '$2' in:"; cat "$3" >&2; else pass; fi
}

expect_file_eq() {
	if cmp -s "$2" "$3"; then pass; else
		fail "$1"
		diff -u "$2" "$3" >&2 || true
	fi
}

# expect_status NAME EXPECTED_CODE command...
expect_status() {
	name=$1 want=$2
	shift 2
	set +e
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	set -e
	if [ "$got" = "$want" ]; then pass; else
		fail "$name: exit $got, wanted $want"
		sed 's/^/  out: /' "$T/out" >&2
		sed 's/^/  err: /' "$T/err" >&2
	fi
}

# queued_ids STATE_DB [ACTIVATION]: the messageIds of the events still
# queued (pending) in a state DB's outbox, one per line: those in chunks past
# the chunk's cursor (outbox_chunk_events.message_ids holds one id per line),
# then the pending rows.
queued_ids() {
	sqlite3 "$1" "WITH RECURSIVE split (id, rest, k, next, act) AS (
	  SELECT '', CAST(e.message_ids AS TEXT), -1, c.next, c.activation
	  FROM outbox_chunks AS c JOIN outbox_chunk_events AS e ON e.chunk_id = c.id
	  UNION ALL SELECT substr(rest, 1, instr(rest, char(10)) - 1),
	    substr(rest, instr(rest, char(10)) + 1), k + 1, next, act FROM split WHERE rest <> '')
	SELECT id FROM split WHERE k >= next AND ('${2:-}' = '' OR act = '${2:-}')
	UNION ALL SELECT message_id FROM outbox
	WHERE status = 'pending' AND ('${2:-}' = '' OR activation = '${2:-}')"
}

# Print the closing line automake reads and exit non-zero on any failure.
finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}
