#!/bin/sh
# tests/faults/commit_faults.sh — every commit of the SQLite state failing
# once (tests/faults/write_fault.so, LAC_FAULT_FSYNC_ONCE=N: the Nth fsync of
# the state's files fails with EIO, which fails that commit), for every N a
# run has: lac exits 0 or 1, never worse, and once the state takes writes
# again the next runs deliver every event of the change under one messageId
# each, send a line twice only after a delivery whose outcome the state
# could not record (at least once, as SPEC §5 allows), and leave no run
# unfinished.  Two runs are tried so: one with a data change and a new
# activation with `send current` (its baseline is recorded by the run), and
# the completion of a run killed after queueing its events (its queued
# events are discarded, then queued again).  And the first of them with
# every commit of the SQLite warehouse failing once instead; and `lac
# apply` of the new audience, whose state commits fail once each, after
# which two applies converge on the files.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3
shim=${LAC_FAULT_SHIM:-$(pwd)/tests/faults/write_fault.so}
[ -f "$shim" ] || { echo "no $shim: skipped"; exit 77; }
# the shim is no sanitizer build: ASan must not insist on coming first
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
lib="$SRC/tests/e2e/run_lib.py"
auds="cat_owners multi_dog_owners cat_greetings"

# the petshop example past its baseline run, then an audience whose
# activation sends its current members on its first run, applied
lac init --example petshop "$T/base" >/dev/null
lac -C "$T/base" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
lac -C "$T/base" -q --now 2026-01-15T12:00:00Z run >/dev/null
cat "$SRC/tests/e2e/cat_greetings.lac" >>"$T/base/audiences/pets.lac"
sqlite3 "$T/base/data/warehouse.db" "INSERT INTO PETS VALUES ('x30','h02','Mia','cat',2,'2025-01-01'),
	('x31','h02','Odie','dog',3,'2025-01-01'), ('x32','h10','Pluto','dog',4,'2025-01-01');
	DELETE FROM PETS WHERE id IN ('x11','x13');"
cp -R "$T/base" "$T/unapplied" # for `lac apply` below
lac -C "$T/base" -q --now 2026-01-15T12:30:00Z apply --auto-approve --no-run >/dev/null
P="$T/p"
ev="$P/out/events.jsonl"
fresh() { rm -rf "$P"; cp -R "$T/base" "$P"; }

# what the runs send without a fault
fresh
lac -C "$P" -q --now 2026-01-15T13:00:00Z run $auds >/dev/null
expected=$("$py" "$lib" summary "$ev")
expect_eq "no fault: the change's 4 events and 5 greetings" 9 "$(echo "$expected" | grep -c .)"

# faulted NAME N: the run at 13:30 with the Nth commit of the state (of
# the warehouse, for NAME warehouse) failing, after a run killed once it
# queued its events for NAME crash; then two runs without the fault.  1 when
# no Nth commit came (nothing to try).
faulted() {
	what="$1 (commit $2)"
	target=.lac/state.db
	[ "$1" = warehouse ] && target=data/warehouse.db
	fresh
	if [ "$1" = crash ]; then
		expect_status "$what: killed after queueing" 137 env LAC_TEST_CRASH_AFTER=outbox \
			"$LAC" -C "$P" --now 2026-01-15T13:00:00Z run --jobs 1 $auds
	fi
	set +e
	LD_PRELOAD=$shim LAC_FAULT_PATH=$target LAC_FAULT_FSYNC_ONCE=$2 \
		"$LAC" -C "$P" --now 2026-01-15T13:30:00Z run --jobs 1 $auds >"$T/fout" 2>"$T/ferr"
	rc=$?
	set -e
	grep -q "^write_fault: fsync $2 failed" "$T/ferr" || return 1
	case $rc in 0|1) pass ;; *) fail "$what: exit $rc"; cat "$T/ferr" >&2 ;; esac
	expect_status "$what: the next run" 0 lac -C "$P" --now 2026-01-15T14:00:00Z run $auds
	expect_status "$what: and the one after" 0 lac -C "$P" --now 2026-01-15T15:00:00Z run $auds
	expect_eq "$what: every event, once per messageId" "$expected" "$("$py" "$lib" unique "$ev")"
	# a line twice only after a delivery whose outcome was not recorded
	if ! grep -q "delivering to 'events_file'" "$T/ferr"; then
		expect_eq "$what: no line twice" "$(wc -l <"$ev")" "$(sort -u "$ev" | wc -l)"
	fi
	expect_eq "$what: no run left unfinished" 0 \
		"$(sqlite3 "$P/.lac/state.db" "SELECT COUNT(*) FROM runs WHERE result = 'Running'")"
	expect_eq "$what: nothing left queued" "" "$(queued_ids "$P/.lac/state.db")"
	return 0
}

for mode in run crash warehouse; do
	n=1
	while faulted "$mode" "$n"; do
		n=$((n + 1))
	done
	# every commit was tried: the runs have more than a handful
	[ "$n" -gt 10 ] && pass || fail "$mode: only $((n - 1)) commits"
done

# `lac apply` (the new audience recorded and run, the others not yet due),
# then applies without the fault: they converge on the files (plan shows
# nothing to do) and send what faultless applies send
applies() { # applies FIRST_COMMAND...: the first apply as given, two more plainly
	set +e
	"$@" -C "$P" --now 2026-01-15T12:30:00Z apply --auto-approve >"$T/fout" 2>"$T/ferr"
	rc=$?
	set -e
	expect_status "$what: the next apply" 0 lac -C "$P" --now 2026-01-15T13:00:00Z apply --auto-approve
	expect_status "$what: and the one after" 0 lac -C "$P" --now 2026-01-15T14:00:00Z apply --auto-approve
	expect_status "$what: nothing left to apply" 0 lac -C "$P" --now 2026-01-15T14:00:00Z plan --detailed-exitcode
}
rm -rf "$P"
cp -R "$T/unapplied" "$P"
what="apply, no fault"
applies "$LAC"
expected=$("$py" "$lib" summary "$ev")
expect_eq "apply, no fault: 1 event of the change and 5 greetings" 6 "$(echo "$expected" | grep -c .)"
n=1
while :; do
	what="apply (commit $n)"
	rm -rf "$P"
	cp -R "$T/unapplied" "$P"
	applies env LD_PRELOAD="$shim" LAC_FAULT_PATH=.lac/state.db LAC_FAULT_FSYNC_ONCE=$n "$LAC"
	grep -q "^write_fault: fsync $n failed" "$T/ferr" || break
	case $rc in 0|1) pass ;; *) fail "$what: exit $rc"; cat "$T/ferr" >&2 ;; esac
	expect_eq "$what: every event, once per messageId" "$expected" "$("$py" "$lib" unique "$ev")"
	if ! grep -q "delivering to 'events_file'" "$T/ferr"; then
		expect_eq "$what: no line twice" "$(wc -l <"$ev")" "$(sort -u "$ev" | wc -l)"
	fi
	expect_eq "$what: no run left unfinished" 0 \
		"$(sqlite3 "$P/.lac/state.db" "SELECT COUNT(*) FROM runs WHERE result = 'Running'")"
	n=$((n + 1))
done
[ "$n" -gt 5 ] && pass || fail "apply: only $((n - 1)) commits"
finish
