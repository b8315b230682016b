#!/bin/sh
# tests/e2e/dest_limits.sh — an HTTP destination's max_in_flight and
# max_rate hold across the runs of `lac run --jobs 4` (deliver/dest_shared.c),
# as tests/http/fault_server.py sees them: never more requests at once than
# max_in_flight (and, with 2, two at once: runs send their own events
# concurrently), no window with more events than max_rate allows, every
# event once, also when every run is killed after a send.  Also the
# settings' checks.  On PostgreSQL (SQLite runs one
# at a time); skipped (77) without it.  The endpoint is started as the
# warehouse fakes are (tests/fakes/start.sh).
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
. "$SRC/tests/fakes/start.sh"
fakes_need sqlite3
fakes_pg_start
fake_start hooks ../http/fault_server.py --log "$T/received.jsonl" --lifetime 600 \
	--max-requests 5000 --hold 0.03
BASE=$FAKE_URL

P="$T/p"
lac init --example petshop "$P" >/dev/null
psql -q -d postgres -c "CREATE DATABASE lac_limits" >/dev/null
lac -C "$P" graph --format json >"$T/graph.json"
"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$P/data/warehouse.db" >"$T/load.sql"
psql -q -v ON_ERROR_STOP=1 -d lac_limits -f "$T/load.sql" >"$T/psql.log" 2>&1 || { cat "$T/psql.log" >&2; exit 1; }
PG_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_limits"
export PG_DSN
rm "$P/audiences/care.lac" "$P/audiences/pets.lac"
rm -rf "$P/audiences/tests"
# eight audiences of 12 members each: 96 events to each destination, in
# this order (hook_one, one at a time, would space the runs out for the
# destinations after it)
for n in 1 2 3 4 5 6 7 8; do
	cat >>"$P/audiences/many.lac" <<LAC
audience a$n {
  where { without trait vip = true }
  activation free$n { destination hook_free trigger profile entered  send current }
  activation two$n { destination hook_two  trigger profile entered  send current }
  activation one$n { destination hook_one  trigger profile entered  send current }
  activation rate$n { destination seg_rate  trigger profile entered  send current }
}
LAC
done
cat >"$P/lac.yaml" <<YAML
version: 1
name: limits
graph: graph.yaml
audiences: audiences
warehouse:
  type: postgres
  dsn: "\${PG_DSN}"
  schema: limits
state:
  path: .lac/state.db
destinations:
  hook_one:  { type: webhook, url: "$BASE/hold/one", max_in_flight: 1 }
  hook_two:  { type: webhook, url: "$BASE/hold/two", max_in_flight: 2 }
  hook_free: { type: webhook, url: "$BASE/hold/free" }
  seg_rate:  { type: segment, url: "$BASE/ok/rate", write_key: k, max_rate: 30 }
YAML
cp "$P/lac.yaml" "$T/good.yaml"

# the settings' checks (lac check: no warehouse needed)
bad() { # bad NAME SETTING-LINE EXPECTED-MESSAGE-PART
	sed "s|^  hook_free: .*|  hook_free: { type: webhook, url: \"$BASE/x\", $2 }|" "$T/good.yaml" >"$P/lac.yaml"
	expect_status "$1: exit" 1 lac -C "$P" check
	if grep -q -- "$3" "$T/err"; then pass; else fail "$1: message"; cat "$T/err" >&2; fi
}
bad "max_rate 0" "max_rate: 0" "lac.yaml:14:[0-9]*: error\[E006\]: 'max_rate' must be a number of events a second over 0, at most 1000000, not '0'"
bad "max_rate text" "max_rate: fast" "'max_rate' must be a number of events a second over 0"
bad "max_in_flight 0" "max_in_flight: 0" "error\[E006\]: 'max_in_flight' must be a whole number of requests from 1 to 100, not '0'"
bad "max_in_flight 1.5" "max_in_flight: 1.5" "'max_in_flight' must be a whole number of requests from 1 to 100, not '1.5'"
bad "max_in_flight 101" "max_in_flight: 101" "not '101'"
sed "s|^  hook_free: .*|  hook_free: { type: file, path: out/x.jsonl, max_rate: 5 }|" "$T/good.yaml" >"$P/lac.yaml"
expect_status "a file destination has no max_rate" 1 lac -C "$P" check
if grep -q "E003" "$T/err"; then pass; else fail "file max_rate: E003"; cat "$T/err" >&2; fi
sed "s|max_rate: 30|max_rate: \"\${RATE}\"|" "$T/good.yaml" >"$P/lac.yaml"
expect_status "max_rate from \${RATE}: check does not expand it" 0 lac -C "$P" check
cp "$T/good.yaml" "$P/lac.yaml"

lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
expect_status "run --jobs 4" 0 lac -C "$P" --format json run --jobs 4
"$py" - "$T/out" "$T/received.jsonl" >"$T/verdict" 2>&1 <<'PY' || true
import collections, json, sys
runs = json.load(open(sys.argv[1]))["runs"]
print("results", sorted(set(r["result"] for r in runs)), len(runs))
got = [json.loads(l) for l in open(sys.argv[2])]
by = collections.defaultdict(list)
for g in got:
    by[g["path"]].append(g)
for path in ("/hold/one", "/hold/two", "/hold/free", "/ok/rate"):
    evs = by[path]
    ids = [e["messageId"] for e in evs]
    print(path, "events", len(evs), "distinct", len(set(ids)),
          "most_in_flight", max((e["inflight"] for e in evs), default=0))
# max_rate 30: no window of T seconds holds more than 30 x (T + 1) events
# (0.2 s of slack for the server's own timing); batches of at most 30
evs = sorted(by["/ok/rate"], key=lambda e: e["t"])
worst = 0.0
for i in range(len(evs)):
    for j in range(i, len(evs)):
        allowed = 30 * (evs[j]["t"] - evs[i]["t"] + 1.2)
        worst = max(worst, (j - i + 1) / allowed)
print("rate worst window / allowed <= 1:", worst <= 1.0)
print("rate biggest batch", max(e["batch"] for e in evs))
print("rate spread over at least 2 s:", evs[-1]["t"] - evs[0]["t"] >= 2.0)
PY
verdict=$(cat "$T/verdict")
expect_eq "every run Live, every event once" "results ['Live'] 8" "$(sed -n 1p "$T/verdict")"
for path in one two free; do
	line=$(grep "^/hold/$path " "$T/verdict")
	expect_eq "/hold/$path: 96 events, each once" "96 96" "$(echo "$line" | awk '{print $3, $5}')"
done
expect_eq "max_in_flight 1: one request at a time" "1" "$(grep '^/hold/one ' "$T/verdict" | awk '{print $7}')"
expect_eq "max_in_flight 2: two at a time (the runs send their own events at once)" "2" \
	"$(grep '^/hold/two ' "$T/verdict" | awk '{print $7}')"
free=$(grep '^/hold/free ' "$T/verdict" | awk '{print $7}')
if [ "$free" -ge 2 ]; then pass; else fail "no limit: the runs overlapped (most in flight $free)"; fi
expect_eq "/ok/rate: 96 events, each once" "96 96" "$(grep '^/ok/rate ' "$T/verdict" | awk '{print $3, $5}')"
expect_eq "max_rate 30: within the rate" "rate worst window / allowed <= 1: True" "$(grep '^rate worst' "$T/verdict")"
batch=$(sed -n 's/^rate biggest batch //p' "$T/verdict")
if [ "${batch:-99}" -le 30 ]; then pass; else fail "max_rate 30: batches of at most a second's events ($batch)"; fi
expect_eq "max_rate 30: 96 events take over 2 s" "rate spread over at least 2 s: True" "$(grep '^rate spread' "$T/verdict")"
[ "$nfail" = 0 ] || echo "$verdict" >&2

# a second pass: the server's notices (tables that exist) stay off stderr
expect_status "a second run" 0 lac -C "$P" run --jobs 2
if grep -q "NOTICE" "$T/err"; then fail "PostgreSQL notices on stderr"; cat "$T/err" >&2; else pass; fi

# a pass that queues without delivering (its events are then what an
# earlier run left: each run's first part, in the destination's turn);
# then every run killed after a destination took its first page, before
# the outcome was recorded: the next pass completes them, and every event
# of the change reaches every destination (the killed page again, same ids)
psql -q -d lac_limits -c "UPDATE profiles.profile_traits SET vip = false WHERE vip" >/dev/null
seen=$(wc -l <"$T/received.jsonl")
expect_status "a pass that only queues" 0 lac -C "$P" run --jobs 4 --no-deliver
expect_eq "nothing sent by --no-deliver" "$seen" "$(wc -l <"$T/received.jsonl")"
set +e
LAC_TEST_CRASH_AFTER=send "$LAC" -C "$P" run --jobs 4 >"$T/out" 2>"$T/err"
rc=$?
set -e
expect_eq "killed after a send: exit 1" 1 "$rc"
expect_status "the next pass completes the killed runs" 0 lac -C "$P" run --jobs 4
tail -n +"$((seen + 1))" "$T/received.jsonl" >"$T/after.jsonl"
expect_eq "after the kills: the 16 new events at every destination" \
	"/hold/free 16
/hold/one 16
/hold/two 16
/ok/rate 16" "$("$py" -c '
import collections, json, sys
ids = collections.defaultdict(set)
for l in open(sys.argv[1]):
    e = json.loads(l)
    ids[e["path"]].add(e["messageId"])
for p in sorted(ids):
    print(p, len(ids[p]))' "$T/after.jsonl")"
expect_eq "after the kills: no run left unfinished" 0 \
	"$(sqlite3 "$P/.lac/state.db" "SELECT COUNT(*) FROM runs WHERE result = 'Running'")"
expect_eq "after the kills: nothing queued" "" "$(queued_ids "$P/.lac/state.db")"

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
