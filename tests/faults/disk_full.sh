#!/bin/sh
# tests/faults/disk_full.sh — a full disk (tests/faults/write_fault.so, an
# LD_PRELOAD shim failing write/pwrite after LAC_FAULT_BYTES bytes, or fsync,
# on the files whose path holds LAC_FAULT_PATH) under the state DB, the file
# destination and `compile -o`: a clear error, nothing lost or written twice,
# and the next run (without the fault) completes the work.  stdout on a full
# disk (/dev/full) fails the command too.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3
shim=${LAC_FAULT_SHIM:-$(pwd)/tests/faults/write_fault.so}
[ -f "$shim" ] || { echo "no $shim: skipped"; exit 77; }
# the shim is no sanitizer build: ASan must not insist on coming first
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
lib="$SRC/tests/e2e/run_lib.py"

# faulty NAME PATH_PART BYTES [FSYNC] lac-args...: lac with the shim armed
faulty() {
	name=$1 part=$2 bytes=$3 sync=$4
	shift 4
	set +e
	LD_PRELOAD=$shim LAC_FAULT_PATH=$part LAC_FAULT_BYTES=$bytes LAC_FAULT_FSYNC=$sync \
		"$LAC" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
}

# a project past its baseline run, with a data change queued up that
# makes 4 events (cat_owners 1, multi_dog_owners 3)
lac init --example petshop "$T/base" >/dev/null
lac -C "$T/base" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
lac -C "$T/base" -q --now 2026-01-15T12:00:00Z run >/dev/null
sqlite3 "$T/base/data/warehouse.db" "INSERT INTO PETS VALUES ('x30','h02','Mia','cat',2,'2025-01-01'),
	('x31','h02','Odie','dog',3,'2025-01-01'), ('x32','h10','Pluto','dog',4,'2025-01-01');
	DELETE FROM PETS WHERE id IN ('x11','x13');"
fresh() { rm -rf "$T/p"; cp -R "$T/base" "$T/p"; }
ev="$T/p/out/events.jsonl"

# what a run without faults sends
fresh
lac -C "$T/p" -q --now 2026-01-15T13:00:00Z run >/dev/null
expected=$("$py" "$lib" summary "$ev")
expect_eq "no fault: 4 events" 4 "$(wc -l <"$ev")"
first_line=$(head -n 1 "$ev" | wc -c)

# then each fault is followed by a clean run: every event exactly once
completes() {
	expect_status "$1: the next run" 0 lac -C "$T/p" -q --now 2026-01-15T14:00:00Z run
	expect_eq "$1: every event exactly once" "$expected" "$("$py" "$lib" summary "$ev")"
	expect_status "$1: messageIds unique" 0 "$py" "$lib" ids "$ev"
	expect_eq "$1: no run left unfinished" 0 \
		"$(sqlite3 "$T/p/.lac/state.db" "SELECT COUNT(*) FROM runs WHERE result = 'Running'")"
}

# ---- the state DB (and its journal and lock files) fills up ----------------
for bytes in 0 4096 65536; do
	fresh
	faulty "state $bytes" state.db "$bytes" 0 -C "$T/p" --now 2026-01-15T13:00:00Z run
	expect_eq "state full at $bytes: exit 1" 1 "$rc"
	if grep -Eq 'state.db.*(disk I/O error|database or disk is full|No space left on device)' "$T/err"; then
		pass
	else
		fail "state full at $bytes: the error names the state and the cause"
		sed 's/^/  err: /' "$T/err" >&2
	fi
	expect_eq "state full at $bytes: nothing delivered" 0 "$(cat "$ev" 2>/dev/null | wc -l)"
	completes "state full at $bytes"
done

# ---- the file destination fills up in its second batch ---------------------
# cat_owners' one line fits; multi_dog_owners' batch is cut part way and
# cut back off the file, which keeps only whole lines
fresh
faulty "file full" events.jsonl $((first_line + 50)) 0 -C "$T/p" --now 2026-01-15T13:00:00Z run
expect_eq "file full: the run stays Live" 0 "$rc"
expect_eq "file full: the warning says why" 1 \
	"$(grep -c "destination 'events_file' is unreachable (write .*events.jsonl: No space left on device)" "$T/err")"
expect_eq "file full: cut back to the first batch" "$first_line" "$(wc -c <"$ev")"
expect_eq "file full: three events pending" 3 "$(queued_ids "$T/p/.lac/state.db" | grep -c .)"
completes "file full"

# ---- fsync fails: the written lines are cut back, sent again next time -----
fresh
faulty "fsync" events.jsonl 1000000 1 -C "$T/p" --now 2026-01-15T13:00:00Z run
expect_eq "fsync fails: the run stays Live" 0 "$rc"
expect_eq "fsync fails: the warning says why" 2 \
	"$(grep -c "unreachable (fsync .*events.jsonl: Input/output error)" "$T/err")"
expect_eq "fsync fails: nothing left in the file" 0 "$(wc -c <"$ev")"
completes "fsync fails"

# ---- compile -o: the old file stays whole ------------------------------------
fresh
lac -C "$T/p" compile -o "$T/p/sql" >/dev/null
echo "-- old" >"$T/p/sql/sqlite/cat_owners.sql"
faulty "compile" /sql/ 10 0 -C "$T/p" compile -o "$T/p/sql"
expect_eq "compile full: exit 1" 1 "$rc"
expect_eq "compile full: the error" \
	"lac: cannot write '$T/p/sql/sqlite/cat_owners.sql': No space left on device" "$(cat "$T/err")"
expect_eq "compile full: the old file is whole" "-- old" "$(cat "$T/p/sql/sqlite/cat_owners.sql")"
expect_eq "compile full: no temporary file left" "" "$(ls -A "$T/p/sql/sqlite" | grep '^\.' || true)"
expect_status "compile: the next one" 0 lac -C "$T/p" compile -o "$T/p/sql"
expect_eq "compile: written" "$(lac -C "$T/p" compile cat_owners)" "$(cat "$T/p/sql/sqlite/cat_owners.sql")"

# ---- stdout on a full disk (/dev/full): exit 1, never a cut file passing ------
if [ -w /dev/full ]; then
	for form in text json; do
		set +e
		"$LAC" -C "$T/p" --format $form compile -d all >/dev/full 2>"$T/err"
		rc=$?
		set -e
		expect_eq "stdout full ($form): exit 1" 1 "$rc"
		expect_eq "stdout full ($form): the error" "lac: cannot write the output: No space left on device" \
			"$(cat "$T/err")"
	done
fi

finish
