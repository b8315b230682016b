#!/bin/sh
# tests/faults/state_busy.sh — another process holds a write transaction on
# the SQLite state DB for longer than lac waits (5 s): the run fails with
# exit 1 and a message saying so, sends nothing, and the next run, once the
# other process is done, completes the work.
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

# the holder takes the write lock, says so, and keeps it until told to stop
"$py" - "$P/.lac/state.db" "$T/held" "$T/release" <<'PY' &
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
for _ in range(300):
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.1)
c.execute("ROLLBACK")
PY
holder=$!
for _ in $(seq 100); do [ -f "$T/held" ] && break; sleep 0.1; done
expect_status "busy: the run fails" 1 lac -C "$P" --now 2026-01-15T13:00:00Z run
expect_eq "busy: the message" \
	"lac: .lac/state.db: database is locked: another process holds a write transaction on it (waited 5 s)" \
	"$(cat "$T/err")"
expect_eq "busy: nothing sent" 0 "$(cat "$ev" 2>/dev/null | wc -l)"
touch "$T/release"
wait "$holder"

expect_status "busy: the next run" 0 lac -C "$P" -q --now 2026-01-15T14:00:00Z run
expect_eq "busy: the event sent once" "welcome_cat|track|Audience Entered|anon:p02|-|-|true" \
	"$("$py" "$lib" summary "$ev")"
finish
