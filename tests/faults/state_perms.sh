#!/bin/sh
# tests/faults/state_perms.sh — a state DB lac may not write: the file
# read-only, its directory read-only (SQLite's journal lives beside it),
# its directory closed.  Each run fails with exit 1 and a message naming
# the file, sends nothing, and once the permission is back the next run
# completes the work.  Root ignores permissions, so as root the runs are
# made as `nobody` (runuser); skipped where that is not possible.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3
lib="$SRC/tests/e2e/run_lib.py"

P="$T/p"
lac init --example petshop "$P" >/dev/null
lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
lac -C "$P" -q --now 2026-01-15T12:00:00Z run >/dev/null
sqlite3 "$P/data/warehouse.db" "INSERT INTO PETS VALUES ('x30','h02','Mia','cat',2,'2025-01-01');"
ev="$P/out/events.jsonl"

if [ "$(id -u)" = 0 ]; then
	command -v runuser >/dev/null 2>&1 || { echo "root without runuser: skipped"; exit 77; }
	chmod 711 "$T"
	chown -R nobody "$P"
	runuser -u nobody -- "$LAC" -C "$P" status >/dev/null 2>&1 ||
		{ echo "nobody cannot run $LAC here: skipped"; exit 77; }
	# a coverage build's lac (make coverage) cannot write its counters as
	# nobody, and says so on stderr: those lines are not lac's
	as_user() {
		runuser -u nobody -- "$@" 2>"$T/as_user.err"
		rc=$?
		grep -v '^profiling:.*\.gcda:' "$T/as_user.err" >&2 || true
		return $rc
	}
else
	as_user() { "$@"; }
fi

# denied NAME CHMOD_ARGS MESSAGE: the run fails with MESSAGE, then the
# permission comes back (0700 directory, 0600 file)
denied() {
	chmod $2
	expect_status "$1: the run fails" 1 as_user "$LAC" -C "$P" --now 2026-01-15T13:00:00Z run
	expect_eq "$1: the message" "$3" "$(cat "$T/err")"
	expect_eq "$1: nothing sent" 0 "$(cat "$ev" 2>/dev/null | wc -l)"
	chmod 0700 "$P/.lac"
	chmod 0600 "$P/.lac/state.db"
}
denied "read-only file" "0400 $P/.lac/state.db" "lac: cannot open .lac/state.db: Permission denied"
denied "read-only directory" "0500 $P/.lac" \
	"lac: .lac/state.db: attempt to write a readonly database: lac must be able to write the file and its directory"
denied "closed directory" "0000 $P/.lac" "lac: cannot open .lac/state.db: Permission denied"

expect_status "the next run" 0 as_user "$LAC" -C "$P" -q --now 2026-01-15T14:00:00Z run
expect_eq "the event sent once" "welcome_cat|track|Audience Entered|anon:p02|-|-|true" \
	"$("$py" "$lib" summary "$ev")"
finish
