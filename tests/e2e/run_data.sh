#!/bin/sh
# tests/e2e/run_data.sh — warehouse values that JSON or a fixed-size array
# could get wrong (docs/events.md, "Values from the warehouse"): numbers out
# of the integer range and ±infinity (null), text that is not UTF-8 (U+FFFD
# in values, an invalid event for an identifier, valid JSON from `lac
# preview`), and an audience with more destinations than any fixed limit.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3
P="$T/p"
lac init --example petshop "$P" >/dev/null
db="$P/data/warehouse.db"
ev="$P/out/events.jsonl"
cat >"$P/audiences/data.lac" <<'LAC'
audience data_cats {
  where { with entity households.pets { type = "cat" } }
  activation welcome {
    destination events_file
    trigger     profile entered
    enrich      traits email, first_name, ltv
  }
}
LAC
expect_status "check" 0 lac -C "$P" check
lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null # run runs what was applied
expect_status "baseline" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run data_cats

# a new cat owner: profile id (SQL), email, first_name (SQL), ltv (SQL)
add() {
	sqlite3 "$db" "INSERT INTO PROFILE_TRAITS (segment_id, email, first_name, ltv) VALUES ($1, '$2', $3, $4);
		INSERT INTO EXTERNAL_ID_MAPPING VALUES ($1, 'email', '$2');
		INSERT INTO HOUSEHOLDS (id, owner_email, city) VALUES ('h-$2', '$2', 'X');
		INSERT INTO PETS (id, household_id, name, type, age) VALUES ('pet-$2', 'h-$2', 'Cat', 'cat', 1);"
}
add "'pa1'" a@x.io "CAST(x'66ff6f' AS TEXT)" 1e300   # "f\xffo"; a huge double
add "'pb1'" b@x.io "'B'" 9.3e18                       # over 2^63: a real, not a cast
add "'pc1'" c@x.io "'C'" 1e999                        # +infinity
add "'pd1'" d@x.io "'D'" -1e999                       # -infinity
add "CAST(x'70ff31' AS TEXT)" e@x.io "'E'" 1          # a profile id that is not UTF-8
add "'pf1'" f@x.io "'F'" 2
sqlite3 "$db" "INSERT INTO EXTERNAL_ID_MAPPING VALUES ('pf1', 'user_id', CAST(x'75ff' AS TEXT))"

expect_status "run" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run data_cats
expect_eq "run line" "data_cats: Live, 11 members, +6 -0, 6 events, 4 delivered, 2 invalid" "$(cat "$T/out")"
# every line is strict UTF-8 JSON; who|first_name|ltv
got=$("$py" -c '
import json, sys
for line in open(sys.argv[1], "rb"):
    e = json.loads(line.decode("utf-8"))
    p = e["properties"]
    print("|".join([e.get("userId") or e.get("anonymousId"), json.dumps(p.get("first_name", "MISSING")),
                    json.dumps(p.get("ltv", "MISSING"))]))' "$ev" | sort)
expect_eq "values" 'pa1|"f\ufffdo"|1e+300
pb1|"B"|9.3e+18
pc1|"C"|null
pd1|"D"|null' "$got"
expect_eq "invalid identifiers" "external id of type 'user_id' is not valid UTF-8 (byte 2)
profile id is not valid UTF-8 (byte 2)" \
	"$(sqlite3 "$P/.lac/state.db" "SELECT last_error FROM outbox WHERE status = 'invalid' ORDER BY 1")"

# preview --format json is valid JSON, the bad byte replaced
expect_status "preview json" 0 lac -C "$P" --format json --now 2026-01-15T13:00:00Z preview data_cats --all
expect_eq "preview members" "p01 p07 p10 p13 p14 pa1 pb1 pc1 pd1 pf1 p\\ufffd1" \
	"$("$py" -c 'import json, sys; print(" ".join(json.dumps(m)[1:-1] for m in json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))["members"]))' "$T/out")"

# an audience with 66 destinations: every one is delivered to
Q="$T/q"
lac init --example petshop "$Q" >/dev/null
{
	echo "audience many_dests {"
	echo '  where { with entity households.pets { type = "cat" } }'
	i=1
	while [ $i -le 66 ]; do
		printf '  activation a%d {\n    destination f%d\n    trigger     profile entered\n    send current\n  }\n' $i $i
		i=$((i + 1))
	done
	echo "}"
} >"$Q/audiences/many.lac"
i=1
while [ $i -le 66 ]; do
	printf '  f%d: { type: file, path: out/f%d.jsonl }\n' $i $i
	i=$((i + 1))
done >>"$Q/lac.yaml"
lac -C "$Q" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null # run runs what was applied
expect_status "66 destinations" 0 lac -C "$Q" --now 2026-01-15T12:00:00Z run many_dests
expect_eq "all delivered" "many_dests: Live, 5 members, +5 -0, 330 events, 330 delivered" "$(cat "$T/out")"
expect_eq "the last destination got its events" 5 "$(wc -l <"$Q/out/f66.jsonl" | tr -d ' ')"

finish
