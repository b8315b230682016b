#!/bin/sh
# tests/faults/clock_back.sh — time going back.  A run whose time (--now or
# the clock) is before the audience's last run fails, naming both times,
# unless --allow-past; a daemon whose clock is behind the last run waits,
# saying so, until the clock passes it.  The clock is moved with lac's
# test-only LAC_TEST_CLOCK_OFFSET, never the machine's.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need sqlite3

P="$T/p"
lac init --example petshop "$P" >/dev/null
lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
lac -C "$P" -q --now 2026-01-15T12:00:00Z run >/dev/null

# ---- --now before the last run -----------------------------------------------
expect_status "--now in the past: fails" 1 lac -C "$P" --now 2026-01-15T10:00:00Z run cat_owners
expect_eq "--now in the past: the message names both times" \
	"lac: cat_owners: the run's time 2026-01-15T10:00:00Z is before the audience's last run at 2026-01-15T12:00:00Z ('lac run --allow-past' runs it anyway)" \
	"$(cat "$T/err")"
expect_eq "--now in the past: nothing recorded" 5 "$(sqlite3 "$P/.lac/state.db" "SELECT COUNT(*) FROM runs")"
expect_status "--now at the last run: runs" 0 lac -C "$P" -q --now 2026-01-15T12:00:00Z run cat_owners
expect_status "--allow-past: runs" 0 lac -C "$P" -q --now 2026-01-15T10:00:00Z run --allow-past cat_owners
expect_eq "--allow-past: recorded" 1 \
	"$(sqlite3 "$P/.lac/state.db" "SELECT COUNT(*) FROM runs WHERE started_at = strftime('%s', '2026-01-15T10:00:00')")"

# ---- the clock set back behind a run ---------------------------------------------
# (the runs above are dated 2026-01-15: a machine clock before that would
# itself be "back")
if [ "$(date +%s)" -lt "$(date -d 2026-01-16 +%s)" ]; then
	echo "the machine's clock is before 2026-01-16: the clock cases skipped"
	finish
	exit $?
fi
# a run by the clock, then the clock an hour back: the run fails as above
expect_status "clock: a run now" 0 lac -C "$P" -q run cat_owners
LAC_TEST_CLOCK_OFFSET=-3600 expect_status "clock back: fails" 1 lac -C "$P" run cat_owners
expect_eq "clock back: the message" 1 \
	"$(grep -c "^lac: cat_owners: the run's time .* is before the audience's last run at .* ('lac run --allow-past' runs it anyway)$" "$T/err")"

# ---- the daemon waits until its clock passes the last run -----------------------------
# 3 s behind: it says so, runs nothing, and once the clock has passed says
# that too (--once then makes its one pass and ends)
last_rowid=$(sqlite3 "$P/.lac/state.db" "SELECT MAX(rowid) FROM runs")
last_start=$(sqlite3 "$P/.lac/state.db" "SELECT MAX(started_at) FROM runs")
start=$(date +%s)
# the daemon's clock starts 3 s behind the last run, however long the steps above took
LAC_TEST_CLOCK_OFFSET=$((last_start - start - 3)) expect_status "daemon: ends" 0 lac -C "$P" daemon --once --max-sleep 1
took=$(($(date +%s) - start))
expect_eq "daemon: says it waits" 1 \
	"$(grep -c '^lac: the clock (.*) is behind the last run (.*); waiting until it passes$' "$T/err")"
expect_eq "daemon: says when it passed" 1 \
	"$(grep -c '^lac: the clock (.*) has passed the last run; running again$' "$T/err")"
if [ "$took" -ge 2 ]; then pass; else fail "daemon: waited only ${took}s"; fi
expect_eq "daemon: no run dated before an earlier one" 0 "$(sqlite3 "$P/.lac/state.db" "
	SELECT COUNT(*) FROM runs AS a JOIN runs AS b ON b.audience = a.audience
	AND b.rowid > a.rowid AND b.started_at < a.started_at
	WHERE a.started_at > strftime('%s', '2026-01-15T12:00:00')")"
expect_eq "daemon: ran nothing dated before the last run" 0 "$(sqlite3 "$P/.lac/state.db" "
	SELECT COUNT(*) FROM runs WHERE rowid > $last_rowid AND started_at < $last_start")"
expect_eq "daemon: ran the due audiences once it passed" "multi_dog_owners recent_buyers" \
	"$(sqlite3 "$P/.lac/state.db" "SELECT audience FROM runs WHERE rowid > $last_rowid
	AND audience IN ('multi_dog_owners', 'recent_buyers') ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')"
finish
