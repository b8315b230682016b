#!/bin/sh
# tests/e2e/progress.sh — what a run tells on stderr besides its report:
# on a terminal one updating progress line per long step, erased when the
# step ends (tested through script(1) when util-linux has it); nothing of it
# on a pipe; with -v a line per warehouse statement with its duration.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

P="$T/p"
lac init --example petshop "$P" >/dev/null
lac -C "$P" -q --now 2026-01-15T12:00:00Z apply --auto-approve --no-run >/dev/null

# ---- a pipe: the report only -----------------------------------------------------
expect_status "run on a pipe" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run cat_owners
expect_eq "pipe: no progress line" "" "$(tr '\r\033' '~~' <"$T/err")"

# ---- a terminal: the step's line, drawn over and erased --------------------------
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
	script -qec "'$LAC' -C '$P' --now 2026-01-15T13:00:00Z run cat_owners" /dev/null >"$T/tty" 2>&1 || true
	expect_eq "terminal: the snapshot step's line" 1 \
		"$(tr '\r' '\n' <"$T/tty" | grep -c '^lac: cat_owners: snapshot: [0-9]*\.[0-9]s.\[K$' || true)"
	expect_eq "terminal: then the report" 1 \
		"$(tr '\r' '\n' <"$T/tty" | grep -c 'cat_owners: Live, 5 members, +0 -0, 0 events, 0 delivered$' || true)"
	script -qec "'$LAC' -C '$P' -q --now 2026-01-15T14:00:00Z run cat_owners" /dev/null >"$T/tty" 2>&1 || true
	expect_eq "terminal, -q: no progress" 0 "$(grep -c 'snapshot:' "$T/tty" || true)"
else
	echo "no script(1): the terminal case is not tested"
fi

# ---- -v: each warehouse statement with its duration ---------------------------------
expect_status "run -v" 0 lac -C "$P" -v --now 2026-01-15T15:00:00Z run cat_owners
expect_eq "-v: the report unchanged" "cat_owners: Live, 5 members, +0 -0, 0 events, 0 delivered" "$(cat "$T/out")"
expect_eq "-v: the snapshot's statement" 1 \
	"$(grep -c '^lac: v: cat_owners: warehouse: [0-9]* ms: CREATE TABLE snapshot_cat_owners__new AS SELECT DISTINCT' "$T/err")"
expect_eq "-v: every line is a log line" 0 "$(grep -vc '^lac: v: ' "$T/err" || true)"

finish
