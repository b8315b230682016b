#!/bin/sh
# tests/e2e/delivery_ops.sh — the operator's delivery commands (SPEC §6):
# `lac delivery A` shows why pending events wait, `--events` lists the
# queued events with their messageIds, `--discard` gives events up (counted,
# with the reason, never sent), `--retry` delivers the rest now; and a run
# counts the deliveries of events earlier runs queued.  A webhook destination
# points at tests/http/fault_server.py on 127.0.0.1.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
[ -x "$py" ] || { echo "no /usr/bin/python3: skipped"; exit 77; }
command -v sqlite3 >/dev/null 2>&1 || { echo "no sqlite3: skipped"; exit 77; }
SERVER_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
"$py" "$SRC/tests/http/fault_server.py" --port-file "$T/port" --log "$T/received.jsonl" \
	--lifetime 60 --max-requests 200 &
SERVER_PID=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$T/port" ] || { echo "fault server did not start"; exit 1; }
BASE="http://127.0.0.1:$(cat "$T/port")"

jq() { "$py" -c "import json, sys; d = json.load(sys.stdin); $1"; }
# hook PATH: the webhook destination posts to PATH of the fault server, and
# gives up at the first transient error (no retry inside a delivery)
hook() { sed -i "s|^  hook: .*|  hook: { type: webhook, url: \"$BASE$1\", max_retries: 0, timeout: 2 }|" "$P/lac.yaml"; }
received() { "$py" -c "import json, sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)['path'] == sys.argv[2] and json.loads(l)['status'] == 200))" "$T/received.jsonl" "$1"; }

P="$T/p"
lac init --example petshop "$P" >/dev/null
state="$P/.lac/state.db"
sed -i '/^  hook:$/,$d' "$P/lac.yaml"
echo '  hook: {}' >>"$P/lac.yaml"
hook /down/hook
# cat_owners sends its current members to the webhook
sed -i 's/^    destination events_file$/    destination hook/; s/^    trigger     profile entered$/&\n    send current/' \
	"$P/audiences/pets.lac"
lac -C "$P" -q --now 2026-01-15T12:00:00Z apply --auto-approve --no-run >/dev/null
expect_status "a run to a destination that is down" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run cat_owners
expect_eq "its events wait" "cat_owners: Live, 5 members, +5 -0, 5 events, 0 delivered, 5 pending" \
	"$(cat "$T/out")"

# ---- the last error of pending events ----------------------------------------------
expect_status "delivery" 0 lac -C "$P" delivery cat_owners
expect_eq "text: the tried event says why it waits" "1" \
	"$(grep -c '^    pending  *[0-9a-f]\{16,\}  HTTP 503' "$T/out")"
lac -C "$P" --format json delivery cat_owners >"$T/d.json"
expect_eq "json: pending_samples, each with its reason" "5 5" \
	"$(jq 's = d[0]["pending_samples"]; print(len(s), sum("HTTP 503" in x["reason"] for x in s))' <"$T/d.json")"

finish
