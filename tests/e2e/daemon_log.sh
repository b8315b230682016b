#!/bin/sh
# tests/e2e/daemon_log.sh — the daemon's log: its start, each run, the
# wakes that ran nothing (idle heartbeats) and its shutdown; text lines on
# stderr, or with --format json NDJSON on stdout, every line an object with
# "type": "run", "error" or "heartbeat".  Each daemon here wakes every
# second (--max-sleep 1) and is stopped with SIGTERM.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py"
DPID=
on_exit '[ -z "$DPID" ] || kill "$DPID" 2>/dev/null'

P="$T/p"
lac init --example petshop "$P" >/dev/null
lac -C "$P" -q apply --auto-approve >/dev/null
# a new audience, applied but not run: the daemon's first wake runs it
cat >>"$P/audiences/pets.lac" <<'LAC'

audience cat_owners_2 {
  schedule every 1 day
  where { part of audience cat_owners }
}
LAC
lac -C "$P" -q apply --auto-approve --no-run >/dev/null

# daemon FORMAT SECONDS: run it that long, then stop it
daemon() {
	"$LAC" -C "$P" --format "$1" daemon --max-sleep 1 >"$T/out" 2>"$T/err" &
	DPID=$!
	sleep "$2"
	kill -TERM "$DPID"
	wait "$DPID" || echo "exit $?" >>"$T/err"
	DPID=
}

daemon json 2.5
expect_eq "json: started, the run, idle heartbeats, stopped" "heartbeat:started run:cat_owners_2 heartbeat:idle heartbeat:stopped" \
	"$("$py" -c '
import json, sys
seen = []
for l in sys.stdin:
    d = json.loads(l)
    k = d["type"] + ":" + (d.get("audience") or d.get("status"))
    if not seen or seen[-1] != k:
        seen.append(k)
print(" ".join(seen))' <"$T/out")"
expect_eq "json: a heartbeat's keys" "next_run_at pid status time type" \
	"$(head -n 1 "$T/out" | "$py" -c 'import json, sys; print(" ".join(sorted(json.load(sys.stdin))))')"
expect_eq "json: the idle heartbeat says when the next run is" "yes" \
	"$(grep '"idle"' "$T/out" | head -n 1 | "$py" -c 'import json, sys; d = json.load(sys.stdin); print("yes" if d["next_run_at"] and d["time"] else d)')"
expect_eq "json: nothing on stderr" "" "$(cat "$T/err")"

daemon text 1.5
expect_eq "text: started, idle, stopped on stderr" "lac: daemon started (pid N)
lac: daemon idle; next run at T
lac: daemon stopped (pid N)" \
	"$(sed 's/pid [0-9]*/pid N/; s/at [0-9TZ:-]*$/at T/' "$T/err" | uniq)"
expect_eq "text: no run, no report line" "" "$(cat "$T/out")"

# an error of the daemon itself is a line too
sed -i 's|^  path: data/warehouse.db.*|  path: nosuch/warehouse.db|' "$P/lac.yaml"
expect_status "json: an unusable warehouse" 1 lac -C "$P" --format json daemon --once
expect_eq "json: an error line" "error True" \
	"$("$py" -c 'import json, sys; d = json.load(sys.stdin); print(d["type"], "nosuch" in d["message"])' <"$T/out")"

# the idle heartbeat's next run is the one the state recorded (`every N`
# fires N after the end of the last run), not N after the wake: applied and
# run ten minutes ago, recent_buyers (every 30 minutes) is due in twenty
P="$T/past"
lac init --example petshop "$P" >/dev/null
lac -C "$P" -q --now "$(date -u -d '-600 seconds' +%Y-%m-%dT%H:%M:%SZ)" apply --auto-approve >/dev/null
daemon json 1.5
beat=$(grep '"idle"' "$T/out" | head -n 1 | "$py" -c 'import json, sys; print(json.load(sys.stdin)["next_run_at"])')
expect_status "status of the past runs" 0 lac -C "$P" --format json status
expect_eq "json: the idle heartbeat's next run is the state's earliest" \
	"$("$py" -c 'import json, sys; print(min(a["next_run_at"] for a in json.load(sys.stdin) if a["next_run_at"]))' <"$T/out")" \
	"$beat"

finish
