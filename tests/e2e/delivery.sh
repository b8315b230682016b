#!/bin/sh
# tests/e2e/delivery.sh — HTTP delivery end to end: tests/http/delivery_driver
# queues events and delivers them to tests/http/fault_server.py on 127.0.0.1,
# which misbehaves on purpose.  Every event must end delivered or failed with
# a reason, none may arrive under an id that was not queued, and the delivery
# counters must match.  The server stops by itself (bounded lifetime and
# request count) and is killed on exit whatever happens.  The `warehouse`
# destination is checked here too: on SQLite, and on a throw-away PostgreSQL
# (tests/pg/start.sh) when one can be started.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

PY=${PYTHON3:-python3}
DRIVER=$(dirname "$LAC")/tests/http/delivery_driver
[ -x "$DRIVER" ] || { echo "SKIP: $DRIVER not built"; exit 77; }
command -v "$PY" >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }

KEY=wk_test_secret_123
TOKEN=tok_test_secret_456
AUTH="Basic $(printf '%s:' "$KEY" | base64)"
SERVER_PID=
on_exit '[ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null'

"$PY" "$SRC/tests/http/fault_server.py" --port-file "$T/port" --log "$T/received.jsonl" \
	--lifetime 60 --max-requests 400 --slow 1.0 --expect-auth "$AUTH" --token "$TOKEN" &
SERVER_PID=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$T/port" ] || { echo "fault server did not start"; exit 1; }
BASE="http://127.0.0.1:$(cat "$T/port")"

# check NAME REPORT PATH CONDITIONS...: python assertions over the driver's
# report (r), the server's records for PATH (recv, all requests) and the
# queued ids (ids).  Prints what failed.
check() {
	name=$1 report=$2 path=$3
	shift 3
	if "$PY" - "$report" "$T/received.jsonl" "$path" "$@" >"$T/check.out" 2>&1 <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
allrecv = [json.loads(l) for l in open(sys.argv[2])]
recv = [x for x in allrecv if x["path"] == sys.argv[3]]
ids = {e["id"] for e in r["events"]}
ok200 = [x["messageId"] for x in recv if x["status"] == 200]
okall = {x["messageId"] for x in allrecv if x["status"] == 200}
auth = all(x["auth_ok"] for x in recv)
bad = 0
# invariants for every scenario
inv = [
    "all(x['messageId'] in ids for x in recv)",              # no event under a new id
    "all(e['status'] in ('delivered','failed','pending','invalid') for e in r['events'])",
    "all(e.get('reason') for e in r['events'] if e['status'] in ('failed','pending','invalid'))",
    "okall >= {e['id'] for e in r['events'] if e['status'] == 'delivered'}",
    "all(x['token_ok'] for x in recv)",
    "r['counts']['delivered'] == sum(e['status'] == 'delivered' for e in r['events'])",
    "r['counts']['failed'] == sum(e['status'] == 'failed' for e in r['events'])",
    "r['counts']['pending'] == sum(e['status'] == 'pending' for e in r['events'])",
    "r['counts']['invalid'] == sum(e['status'] == 'invalid' for e in r['events'])",
]
for cond in inv + sys.argv[4:]:
    if not eval(cond):
        print("condition failed:", cond)
        bad = 1
if bad:
    print(json.dumps(r)[:1500])
    print(recv[:10])
sys.exit(bad)
EOF
	then pass; else fail "$name"; cat "$T/check.out" >&2; fi
}

seg() { "$DRIVER" --type segment --write-key "$KEY" --header "X-Token: $TOKEN" "$@"; }
hook() { "$DRIVER" --type webhook --header "X-Token: $TOKEN" "$@"; }

# 500 once, then OK: all delivered after one retry
seg --state "$T/s1.db" --url "$BASE/flaky/v1/batch" --events 30 >"$T/r1.json" 2>"$T/e1"
check "500 then OK" "$T/r1.json" /flaky/v1/batch \
	"auth" \
	"r['counts']['delivered'] == 30" "r['requests'] == 2" "len(set(ok200)) == 30"

# batches stay within Segment's limits: at most 2,500 events and 500 KB
# (500,000 bytes) a request; 6,000 events of about 400 bytes take several
# requests, each as full as the byte limit allows
seg --state "$T/s8.db" --url "$BASE/big/v1/batch" --events 6000 >"$T/r8.json" 2>"$T/e8"
check "batch limits" "$T/r8.json" /big/v1/batch \
	"r['counts']['delivered'] == 6000" "len(set(ok200)) == 6000" \
	"max(x['size'] for x in recv) <= 500000" "max(x['batch'] for x in recv) <= 2500" \
	"min(x['size'] for x in recv if x['req'] != max(y['req'] for y in recv)) > 450000"

# 429 with Retry-After: 1 is honoured (capped at 2 s by the driver)
seg --state "$T/s2.db" --url "$BASE/ratelimit/v1/batch" --events 5 >"$T/r2.json" 2>"$T/e2"
check "429 Retry-After" "$T/r2.json" /ratelimit/v1/batch \
	"auth" \
	"r['counts']['delivered'] == 5" "r['requests'] == 2" \
	"max(x['t'] for x in recv) - min(x['t'] for x in recv) >= 0.9"

# a response slower than the 200 ms timeout is retried
seg --state "$T/s3.db" --url "$BASE/slow/v1/batch" --events 5 >"$T/r3.json" 2>"$T/e3"
check "timeout" "$T/r3.json" /slow/v1/batch "r['counts']['delivered'] == 5" "r['requests'] == 2"

# a reset connection is retried
seg --state "$T/s4.db" --url "$BASE/reset/v1/batch" --events 5 >"$T/r4.json" 2>"$T/e4"
check "connection reset" "$T/r4.json" /reset/v1/batch "r['counts']['delivered'] == 5"

# a batch refused with 400 is split in halves until the bad events are isolated;
# an event over 32 KB is invalid and never sent
seg --state "$T/s5.db" --url "$BASE/bad/v1/batch" --events 40 --bad 3,17 --oversize \
	>"$T/r5.json" 2>"$T/e5"
check "400 split" "$T/r5.json" /bad/v1/batch \
	"auth" \
	"r['counts']['delivered'] == 38" "r['counts']['failed'] == 2" "r['counts']['invalid'] == 1" \
	"r['counts']['from_audience'] == 41" \
	"sorted(e['id'] for e in r['events'] if e['status'] == 'failed') == sorted({x['messageId'] for x in recv if x['bad']})" \
	"all('HTTP 400' in e['reason'] for e in r['events'] if e['status'] == 'failed')" \
	"not any(x['messageId'] in {e['id'] for e in r['events'] if e['status'] == 'invalid'} for x in recv)" \
	"len(set(ok200)) == 38"
# the next delivery retries the failed events first, with the same ids, and
# queues nothing new
seg --state "$T/s5.db" --url "$BASE/bad/v2/batch" --no-enqueue >"$T/r5b.json" 2>"$T/e5b"
check "failed retried" "$T/r5b.json" /bad/v2/batch \
	"{x['messageId'] for x in recv} == {e['id'] for e in r['events'] if e['status'] == 'failed'}" \
	"r['counts']['failed'] == 2" "len(r['events']) == 41" \
	"all(e['attempts'] == 2 for e in r['events'] if e['status'] == 'failed')"

# webhook: one POST per event, a 4xx fails only that event
hook --state "$T/s6.db" --url "$BASE/bad/hook" --events 6 --bad 2 >"$T/r6.json" 2>"$T/e6"
check "webhook" "$T/r6.json" /bad/hook \
	"r['requests'] == 6" "r['counts']['delivered'] == 5" "r['counts']['failed'] == 1" \
	"all(len([y for y in recv if y['req'] == x['req']]) == 1 for x in recv)"

# a destination that stays down: events stay pending (to retry) with the
# reason, and delivery stops instead of hammering it event by event
hook --state "$T/s7.db" --url "$BASE/down/hook" --events 4 --retries 2 >"$T/r7.json" 2>"$T/e7"
check "down" "$T/r7.json" /down/hook \
	"r['counts']['pending'] == 4" "r['stopped']" "r['requests'] == 3" \
	"all('503' in e['reason'] or 'not sent' in e['reason'] for e in r['events'])"

# the warehouse destination (SQLite): one row per event, the event as JSON,
# idempotent on messageId (a resend from another state DB adds nothing)
wh() { "$DRIVER" --type warehouse --table LAC_EVENTS "$@"; }
wh --state "$T/w1.db" --wh-path "$T/wh.db" --events 25 >"$T/rw1.json" 2>"$T/ew1" || cat "$T/ew1" >&2
wh --state "$T/w2.db" --wh-path "$T/wh.db" --events 25 >"$T/rw2.json" 2>"$T/ew2" || cat "$T/ew2" >&2
if "$PY" - "$T/rw1.json" "$T/rw2.json" "$T/wh.db" >"$T/check.out" 2>&1 <<'EOF'
import json, sqlite3, sys
r1, r2 = (json.load(open(f)) for f in sys.argv[1:3])
rows = sqlite3.connect(sys.argv[3]).execute(
    "SELECT message_id, received_at, event FROM LAC_EVENTS").fetchall()
ids = {e["id"] for e in r1["events"]}
assert r1["counts"]["delivered"] == 25 and r2["counts"]["delivered"] == 25, (r1["counts"], r2["counts"])
assert {e["id"] for e in r2["events"]} == ids
assert len(rows) == 25 and {r[0] for r in rows} == ids, len(rows)
for mid, at, ev in rows:
    ev = json.loads(ev)
    assert ev["messageId"] == mid and ev["type"] in ("identify", "track"), ev
    assert len(at) == 20 and at.endswith("Z"), at
EOF
then pass; else fail "warehouse destination (sqlite)"; cat "$T/check.out" >&2; fi

# ... and on PostgreSQL (jsonb column, schema created), when a server can be started
if pg_start --optional; then
	WH_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres"
	export WH_DSN
	wh --schema lacout --state "$T/p1.db" --wh-dsn-env WH_DSN --events 12 >"$T/rp1.json" 2>"$T/ep1"
	wh --schema lacout --state "$T/p2.db" --wh-dsn-env WH_DSN --events 12 >"$T/rp2.json" 2>"$T/ep2"
	got=$(psql -q -t -A -d postgres -c "SELECT count(*), count(*) FILTER (WHERE event->>'messageId' = message_id),
		pg_typeof(min(received_at))::text, (SELECT data_type FROM information_schema.columns
		WHERE table_schema = 'lacout' AND table_name = 'lac_events' AND column_name = 'event')
		FROM lacout.lac_events" 2>&1) || true
	sh "$SRC/tests/pg/stop.sh" # now: the rest needs no server
	expect_eq "warehouse destination (postgres)" "12|12|timestamp with time zone|jsonb" "$got"
	if grep -q '"delivered":12' "$T/rp2.json"; then pass; else fail "postgres resend delivered"; cat "$T/rp2.json" "$T/ep2" >&2; fi
fi

# secrets never appear in anything lac printed or stored as a reason
for f in "$T"/r*.json "$T"/e*; do
	if grep -q -e "$KEY" -e "$TOKEN" "$f"; then fail "secret in $f"; else pass; fi
done

finish
