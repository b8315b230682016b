#!/bin/sh
# tests/e2e/delivery_ops.sh — the operator's delivery commands (SPEC §6):
# `lac delivery A` shows why pending events wait, `--events` lists the
# queued events with their messageIds, `--discard` gives events up (counted,
# with the reason, never sent), `--retry` delivers the rest now; and a run
# counts the deliveries of events earlier runs queued.  A webhook destination
# points at tests/http/fault_server.py on 127.0.0.1.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3
SERVER_PID=
on_exit '[ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null'
"$py" "$SRC/tests/http/fault_server.py" --port-file "$T/port" --log "$T/received.jsonl" \
	--lifetime 300 --max-requests 200 &
SERVER_PID=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$T/port" ] || { echo "fault server did not start"; exit 1; }
BASE="http://127.0.0.1:$(cat "$T/port")"

jq() { "$py" -c "import json, sys; d = json.load(sys.stdin); $1"; }
# hook PATH [RETRIES]: the webhook destination posts to PATH of the fault
# server, and gives up at the first transient error (no retry inside a
# delivery) unless RETRIES says otherwise
hook() { sed -i "s|^  hook: .*|  hook: { type: webhook, url: \"$BASE$1\", max_retries: ${2:-0}, timeout: 2 }|" "$P/lac.yaml"; }
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
expect_status "a run that only queues" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run --no-deliver cat_owners
expect_eq "its events wait" "cat_owners: Live, 5 members, +5 -0, 5 events, 0 delivered, 5 pending" \
	"$(cat "$T/out")"

# ---- --events: the queued events with their messageIds ------------------------------
lac -C "$P" --format json delivery cat_owners --events >"$T/ev.json"
expect_eq "json: the 5 queued events, never tried" "5 pending 0 hook welcome_cat" \
	"$(jq 'print(len(d), " ".join(sorted({e["status"] for e in d})), sum(e["attempts"] for e in d), d[0]["destination"], d[0]["activation"])' <"$T/ev.json")"
expect_eq "json: their messageIds are the queued ones" "$(queued_ids "$state" | sort)" \
	"$(jq 'print("\n".join(sorted(e["message_id"] for e in d)))' <"$T/ev.json")"
expect_eq "--limit 2" 2 "$(lac -C "$P" --format json delivery cat_owners --events --limit 2 | jq 'print(len(d))')"
expect_eq "--status failed: none" 0 \
	"$(lac -C "$P" --format json delivery cat_owners --events --status failed | jq 'print(len(d))')"
expect_status "text" 0 lac -C "$P" delivery cat_owners --events
expect_eq "text: a header and a line per event" "6 5" \
	"$(wc -l <"$T/out") $(grep -c '^pending  *welcome_cat  *hook  *0  [0-9a-f]\{64\}$' "$T/out")"

# ---- --discard --message-id: one event given up, from its run's chunk ------------------
gone=$(jq 'print(d[2]["message_id"])' <"$T/ev.json")
expect_status "discard one" 0 lac -C "$P" --now 2026-01-15T12:10:00Z delivery cat_owners --discard \
	--message-id "$gone" --reason "customer asked"
expect_eq "discard one: told" "cat_owners: 1 event discarded" "$(cat "$T/out")"
expect_eq "it is no longer queued" "4 0" \
	"$(queued_ids "$state" | wc -l) $(queued_ids "$state" | grep -c "$gone" || true)"
expect_status "the same id again" 1 lac -C "$P" delivery cat_owners --discard --message-id "$gone" --reason x
expect_eq "the same id again: said" "lac: audience 'cat_owners' has no pending or failed event '$gone'" \
	"$(cat "$T/err")"

# ---- --retry to a destination that is down: the events wait, with the reason -------------
hook /down/hook
expect_status "retry, destination down" 1 lac -C "$P" delivery cat_owners --retry
expect_eq "retry, destination down: counts" "hook: 0 delivered, 0 failed, 4 pending" "$(cat "$T/out")"
expect_eq "retry, destination down: why" \
	"lac: destination 'hook' is unreachable; undelivered events stay pending" "$(cat "$T/err")"

# ---- the last error of pending events ----------------------------------------------
expect_status "delivery" 0 lac -C "$P" delivery cat_owners
expect_eq "text: the tried event says why it waits" "1" \
	"$(grep -c '^    pending  *[0-9a-f]\{64\}  HTTP 503' "$T/out")"
lac -C "$P" --format json delivery cat_owners >"$T/d.json"
expect_eq "json: pending_samples, each with its reason" "4 4" \
	"$(jq 's = d[0]["pending_samples"]; print(len(s), sum("HTTP 503" in x["reason"] for x in s))' <"$T/d.json")"

# ---- --discard --failed: what a destination refused -------------------------------------
sqlite3 "$state" "INSERT INTO outbox (message_id, destination, audience, activation, run_id, payload,
	status, attempts, last_error, created_at, updated_at) VALUES ('m-refused', 'hook',
	'cat_owners', 'welcome_cat', 'run_x', '{}', 'failed', 1, 'HTTP 400: bad event', 1, 1)"
expect_eq "--status failed" "m-refused HTTP 400: bad event" \
	"$(lac -C "$P" --format json delivery cat_owners --events --status failed | jq 'print(d[0]["message_id"], d[0]["last_error"])')"
expect_status "discard the failed" 0 lac -C "$P" --format json --now 2026-01-15T12:20:00Z delivery \
	cat_owners --discard --failed --reason "bad data"
expect_eq "discard the failed: json" '{"audience": "cat_owners", "discarded": 1, "reason": "bad data"}' \
	"$(jq 'print(json.dumps(d))' <"$T/out")"
lac -C "$P" --format json delivery cat_owners >"$T/d.json"
expect_eq "counted, with the reasons" "2 bad data|customer asked 4 1" \
	"$(jq 'a = d[0]; print(a["discarded"], "|".join(x["reason"] for x in a["discarded_samples"]), a["pending_retry"], a["failed_delivery"])' <"$T/d.json")"
expect_status "text: discarded lines" 0 lac -C "$P" delivery cat_owners
expect_eq "text: discarded lines" 2 "$(grep -c '^    discarded ' "$T/out")"

# ---- --retry delivers the rest now; the discarded never go -------------------------------
hook /ok/hook
expect_status "retry" 0 lac -C "$P" delivery cat_owners --retry --activation welcome_cat
expect_eq "retry: counts" "hook: 4 delivered, 0 failed, 0 pending" "$(cat "$T/out")"
expect_eq "the server got the 4, not the discarded one" "4 0" \
	"$(received /ok/hook) $(grep -c "$gone" "$T/received.jsonl" || true)"
expect_eq "nothing queued" 0 "$(queued_ids "$state" | wc -l)"
lac -C "$P" --format json delivery cat_owners --retry >"$T/r.json"
expect_eq "retry json, nothing left" '{"audience": "cat_owners", "destinations": [{"delivered": 0, "destination": "hook", "error": null, "failed": 0, "pending": 0}]}' \
	"$(jq 'print(json.dumps(d, sort_keys=True))' <"$T/r.json")"

# ---- a run counts what it delivered of earlier runs' events -----------------------------
db="$P/data/warehouse.db"
cat_owner() {
	sqlite3 "$db" "INSERT INTO PROFILE_TRAITS (segment_id, email) VALUES ('p-$1', '$1@x.io');
		INSERT INTO EXTERNAL_ID_MAPPING VALUES ('p-$1', 'email', '$1@x.io');
		INSERT INTO HOUSEHOLDS (id, owner_email, city) VALUES ('h-$1', '$1@x.io', 'X');
		INSERT INTO PETS (id, household_id, name, type, age) VALUES ('pet-$1', 'h-$1', 'Cat', 'cat', 1);"
}
hook /down/hook2
cat_owner ann
expect_status "a run to a destination that is down" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners
expect_eq "one event waits" "cat_owners: Live, 6 members, +1 -0, 1 event, 0 delivered, 1 pending" \
	"$(cat "$T/out")"
expect_status "discard the pending" 0 lac -C "$P" --now 2026-01-15T13:10:00Z delivery cat_owners \
	--discard --pending --reason "sent by hand"
expect_eq "discard the pending: told" "cat_owners: 1 event discarded" "$(cat "$T/out")"
cat_owner bob
expect_status "a run that only queues" 0 lac -C "$P" --now 2026-01-15T14:00:00Z run --no-deliver cat_owners
hook /ok/hook2
expect_status "the next run" 0 lac -C "$P" --now 2026-01-15T15:00:00Z run cat_owners
expect_eq "the next run counts the earlier run's event" \
	"cat_owners: Live, 7 members, +0 -0, 0 events, 0 delivered, 1 delivered from earlier runs" "$(cat "$T/out")"
expect_eq "only bob's event went" 1 "$(received /ok/hook2)"
hook /down/hook2
cat_owner cy
lac -C "$P" -q --now 2026-01-15T16:00:00Z run --no-deliver cat_owners
hook /ok/hook3
expect_eq "json: earlier_delivered" "0 1" \
	"$(lac -C "$P" --format json --now 2026-01-15T17:00:00Z run cat_owners | jq 'print(d["runs"][0]["delivered"], d["runs"][0]["earlier_delivered"])')"

# ---- -v: each delivery attempt and retry --------------------------------------------
hook /flaky/hook4 1
cat_owner dee
expect_status "run -v, a flaky destination" 0 lac -C "$P" -v --now 2026-01-15T18:00:00Z run cat_owners
expect_eq "-v: the attempts, the retry, the page" "lac: v: http: POST attempt 1: HTTP 500: {\"error\":\"try again\"}
lac: v: http: POST retry 1 of 1 in
lac: v: http: POST attempt 2: OK
lac: v: delivery: 'hook': page 1: 1 event: 1 delivered, 0 refused, 0 not taken" \
	"$(grep -v ': warehouse: ' "$T/err" | sed 's/ ([0-9]* ms)$//; s/ in [0-9]* ms$/ in/')"

# ---- mistakes ------------------------------------------------------------------------
expect_status "--discard needs --reason" 64 lac -C "$P" delivery cat_owners --discard --pending
expect_status "--discard needs one selector" 64 lac -C "$P" delivery cat_owners --discard --pending --failed --reason x
expect_status "one operation" 64 lac -C "$P" delivery cat_owners --retry --events
expect_status "--status" 64 lac -C "$P" delivery cat_owners --events --status delivered
expect_status "--limit" 64 lac -C "$P" delivery cat_owners --events --limit 0
expect_status "--reason alone" 64 lac -C "$P" delivery cat_owners --reason x
expect_status "unknown activation" 1 lac -C "$P" delivery cat_owners --retry --activation nosuch
expect_eq "unknown activation: said" "lac: audience 'cat_owners' has no activation 'nosuch'" "$(cat "$T/err")"

finish
