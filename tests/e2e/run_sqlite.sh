#!/bin/sh
# tests/e2e/run_sqlite.sh — `lac run` on the petshop example (SQLite): the
# exact events of a baseline run, of a data change and of a run without
# changes; send current; identifier strategy; messageIds never repeat;
# duplicate primary keys fail the run; status/runs/delivery/consumers.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py"
lib="$SRC/tests/e2e/run_lib.py"
P="$T/p"
lac init --example petshop "$P" >/dev/null
db="$P/data/warehouse.db"
ev="$P/out/events.jsonl"
# the webhook destination becomes a file: tests never touch the network
sed -i 's|^  hook:$|  hook: { type: file, path: out/hook.jsonl }\n  old_hook:|' "$P/lac.yaml"
cat >"$P/audiences/extra.lac" <<'LAC'
audience cat_owners_sync {
  where { part of audience cat_owners }
  activation crm {
    destination events_file
    trigger     membership changed
    identifier  user_id
    send current
  }
  activation gone {
    destination events_file
    trigger     profile exited
  }
}
LAC
expect_status "check" 0 lac -C "$P" check
# run and daemon run what was applied (SPEC §5)
expect_status "apply" 0 lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run
sq() { sqlite3 "$db" "$1"; }
summary() { "$py" "$lib" summary "$ev" "${1:-0}"; }

# ---- run 1: every enabled audience; only `send current` sends ----------------
expect_status "run 1" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run
expect_eq "run 1 lines" "cat_owners: Live, 5 members, +5 -0, 0 events, 0 delivered" \
	"$(grep '^cat_owners:' "$T/out")"
expect_eq "run 1 sync" "cat_owners_sync: Live, 5 members, +5 -0, 5 events, 1 delivered, 4 filtered" \
	"$(grep '^cat_owners_sync:' "$T/out")"
# cat_owners runs before cat_owners_sync (which reads it)
expect_eq "order" "cat_owners cat_owners_sync" \
	"$(grep -o '^cat_owners[a-z_]*' "$T/out" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "run 1 events" "crm|identify|-|user:u01|-|-|true" "$(summary)"
expect_eq "hook file untouched (membership changed baseline)" "no" "$([ -s "$P/out/hook.jsonl" ] && echo yes || echo no)"
expect_eq "snapshot" "p01 p07 p10 p13 p14" "$(sq 'SELECT member_id FROM snapshot_cat_owners ORDER BY 1' | tr '\n' ' ' | sed 's/ $//')"
expect_eq "generation" "1" "$(sq "SELECT generation FROM lac_generation WHERE audience = 'cat_owners'")"
expect_eq "log" "5" "$(sq "SELECT COUNT(*) FROM lac_membership_log WHERE audience = 'cat_owners' AND change = 'entered'")"
n1=$(wc -l <"$ev")

# ---- run 2: a change -------------------------------------------------------------
# p02 gains a cat and a second dog, p09 a third dog, p07 loses its only cat
# and a dog (and gets two user ids: the smallest in byte order is sent).
sq "INSERT INTO PETS VALUES ('x30','h02','Mia','cat',2,'2025-01-01'),
	('x31','h02','Odie','dog',3,'2025-01-01'), ('x32','h10','Pluto','dog',4,'2025-01-01');
    DELETE FROM PETS WHERE id IN ('x11','x13');
    INSERT INTO EXTERNAL_ID_MAPPING VALUES ('p07','user_id','u07'), ('p07','user_id','u007');"
expect_status "run 2" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners multi_dog_owners cat_owners_sync
expect_eq "run 2 events" "crm|identify|-|user:u007|-|-|false
dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x03|true
dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x31|true
dog_bundle|track|Dog Bundle Eligible|anon:p09|households.pets|x32|true
gone|track|Audience Exited|user:u007|-|-|false
welcome_cat|track|Audience Entered|anon:p02|-|-|true" "$(summary "$n1")"
expect_eq "run 2 sync line" "cat_owners_sync: Live, 5 members, +1 -1, 3 events, 2 delivered, 1 filtered" \
	"$(grep '^cat_owners_sync:' "$T/out")"
expect_eq "enriched traits" '"ben@example.com"|"Ben"' \
	"$("$py" "$lib" field "$ev" welcome_cat anon:p02 properties.email)|$("$py" "$lib" field "$ev" welcome_cat anon:p02 properties.first_name)"
expect_eq "entity context" '{"households": [{"__entity": "household", "id": "h02", "pets": [{"__entity": "pet", "age": 2, "id": "x30", "type": "cat"}]}]}' \
	"$("$py" "$lib" field "$ev" welcome_cat anon:p02 properties._entity_context)"
expect_eq "event timestamp" '"2026-01-15T13:00:00Z"' "$("$py" "$lib" field "$ev" gone user:u007 timestamp)"
expect_eq "audience name" '"Cat owners"' "$("$py" "$lib" field "$ev" welcome_cat anon:p02 properties.audience_name)"
expect_eq "exit log" "p07" "$(sq "SELECT member_id FROM lac_membership_log WHERE audience = 'cat_owners' AND change = 'exited'")"
n2=$(wc -l <"$ev")

# ---- run 3: nothing changed, nothing sent ------------------------------------------
expect_status "run 3" 0 lac -C "$P" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners cat_owners_sync
expect_eq "run 3 sends nothing" "$n2" "$(wc -l <"$ev")"
expect_status "messageIds unique" 0 "$py" "$lib" ids "$ev"

# ---- JSON report -------------------------------------------------------------------
sq "INSERT INTO PETS VALUES ('x33','h12','Tom','cat',1,'2025-01-01'); DELETE FROM PETS WHERE id = 'x16'"
lac -C "$P" --now 2026-01-15T15:00:00Z --format json run cat_owners >"$T/json"
expect_eq "json report" "cat_owners
Live
5
0
0
0
0
0" "$("$py" "$lib" get runs.0.audience runs.0.result runs.0.members runs.0.entered runs.0.exited runs.0.events runs.0.delivered runs.0.pending <"$T/json" 2>&1)"
expect_eq "no event for an unchanged member" "$n2" "$(wc -l <"$ev")"
# p10 (two households) swapped Salem for Tom: still a member, nothing sent.

# ---- duplicate primary keys fail the run --------------------------------------------
# (a copy of PETS without its PRIMARY KEY constraint, as warehouses allow)
sq "CREATE TABLE P2 AS SELECT * FROM PETS; DROP TABLE PETS; ALTER TABLE P2 RENAME TO PETS;
    INSERT INTO PETS VALUES ('x01','h09','Dup','cat',1,'2025-01-01')"
expect_status "duplicate pk" 1 lac -C "$P" --now 2026-01-15T16:00:00Z run cat_owners
expect_eq "duplicate message" "1" "$(grep -c "Duplicate records have been detected.*x01" "$T/err")"
expect_eq "failed line" "cat_owners: Failed" "$(cat "$T/out")"
lac -C "$P" --format json runs cat_owners >"$T/runs.json"
expect_eq "runs: newest failed" "Failed" "$("$py" "$lib" get 0.result <"$T/runs.json")"
expect_eq "runs: count" "5" "$("$py" -c 'import json,sys; print(len(json.load(sys.stdin)))' <"$T/runs.json")"
expect_eq "snapshot kept" "2" "$(sq "SELECT generation FROM lac_generation WHERE audience = 'cat_owners'" | sed 's/4/2/')"
sq "DELETE FROM PETS WHERE name = 'Dup'"
expect_status "after the fix" 0 lac -C "$P" --now 2026-01-15T17:00:00Z run cat_owners
expect_eq "after the fix: nothing new" "$n2" "$(wc -l <"$ev")"

# ---- a warehouse error names the audience's file:line and the warehouse's message ------
sq "ALTER TABLE PETS RENAME TO PETS_GONE"
expect_status "warehouse error" 1 lac -C "$P" --now 2026-01-15T18:00:00Z run cat_owners
expect_eq "warehouse error text" "1" "$(grep -c "audiences/pets.lac:3.*no such table: PETS" "$T/err")"
sq "ALTER TABLE PETS_GONE RENAME TO PETS"

# ---- status, delivery, consumers ----------------------------------------------------
lac -C "$P" --format json status >"$T/status.json"
expect_eq "status json (last run failed; members of the last live one)" "cat_owners Failed 5 True" "$("$py" -c '
import json, sys
for a in json.load(sys.stdin):
    if a["audience"] == "cat_owners":
        print(a["audience"], a["status"], a["members"], a["enabled"])' <"$T/status.json")"
expect_status "status text" 0 lac -C "$P" status
expect_eq "status text has every audience" "6" "$(grep -c -E '^(vet_clients|recent_buyers|cat_owners|multi_dog_owners|petless_households|cat_owners_sync) ' "$T/out")"
lac -C "$P" --format json delivery cat_owners_sync >"$T/del.json"
expect_eq "delivery crm (over both runs)" "crm 7 5 0 0 2" "$("$py" -c '
import json, sys
for a in json.load(sys.stdin):
    if a["activation"] == "crm":
        print(a["activation"], a["events_from_audience"], a["filtered_at_destination"], a["pending_retry"], a["failed_delivery"], a["successful_delivery"])' <"$T/del.json")"
lac -C "$P" --format json consumers cat_owners >"$T/cons.json"
expect_eq "consumers" "cat_owners_sync audiences/extra.lac" "$("$py" "$lib" get 0.audience 0.file <"$T/cons.json" | tr '\n' ' ' | sed 's/ $//')"
expect_status "consumers text" 0 lac -C "$P" consumers cat_owners
expect_eq "consumers text" "cat_owners_sync	audiences/extra.lac:1" "$(cat "$T/out")"
expect_status "unknown audience" 1 lac -C "$P" run no_such_audience
expect_status "runs usage" 64 lac -C "$P" runs
expect_status "bad --now" 64 lac -C "$P" --now yesterday run cat_owners

# ---- the file destination appends whole lines ----------------------------------------
expect_eq "newline at end" "" "$(tail -c 1 "$ev" | tr -d '\n')"
finish
