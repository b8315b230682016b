#!/bin/sh
# tests/e2e/run_entity.sh — an entity-targeted audience (subscriptions
# example, enterprise_accounts): `entity entered` sends one event per profile
# associated with the entering account, and nothing on the baseline run.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3
P="$T/p"
lac init --example subscriptions "$P" >/dev/null
ev="$P/out/events.jsonl"
lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null # run runs what was applied
expect_status "baseline" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run enterprise_accounts
expect_eq "baseline line" "enterprise_accounts: Live, 2 members, +2 -0, 0 events, 0 delivered" "$(cat "$T/out")"
expect_eq "baseline sends nothing" 0 "$(cat "$ev" 2>/dev/null | wc -l)"
# u06 becomes a VIP: account a06 (enterprise, past due) enters; its
# profiles are u06 (no user id) and u07 (user id stark-7).  a01 leaves
# (no past-due subscription any more): no event, the trigger is `entered`.
sqlite3 "$P/data/warehouse.db" "UPDATE PROFILE_TRAITS SET vip = 1 WHERE segment_id = 'u06';
	UPDATE SUBSCRIPTIONS SET status = 'active' WHERE id = 's02'"
expect_status "change" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run enterprise_accounts
expect_eq "change line" "enterprise_accounts: Live, 2 members, +1 -1, 2 events, 2 delivered" "$(cat "$T/out")"
expect_eq "one event per associated profile" "account_alert|track|Entity Added|anon:u06|accounts|a06|true
account_alert|track|Entity Added|user:stark-7|accounts|a06|true" \
	"$("$py" "$SRC/tests/e2e/run_lib.py" summary "$ev")"
expect_eq "members" "a02 a06" "$(sqlite3 "$P/data/warehouse.db" 'SELECT member_id FROM snapshot_enterprise_accounts ORDER BY 1' | tr '\n' ' ' | sed 's/ $//')"
expect_status "quiet" 0 lac -C "$P" --now 2026-01-15T14:00:00Z run enterprise_accounts
expect_eq "quiet run sends nothing" 2 "$(wc -l <"$ev")"

# an activation whose trigger moves to another path: the snapshot tracked no
# entities of that path, so its first run records them as a new baseline
# (nothing sent) instead of sending every one matched as added
Q="$T/moved"
lac init --example petshop "$Q" >/dev/null
qev="$Q/out/events.jsonl"
cat >"$Q/audiences/moved.lac" <<'LAC'
audience cat_vets {
  where { with entity households.pets { type = "cat" }  with entity households.vets }
  activation added {
    destination events_file
    trigger     entity added households.pets
  }
}
LAC
lac -C "$Q" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
expect_status "moved: baseline" 0 lac -C "$Q" --now 2026-01-15T12:00:00Z run cat_vets
sed -i 's/trigger     entity added households.pets/trigger     entity added households.vets/' "$Q/audiences/moved.lac"
expect_status "moved: plan" 2 lac -C "$Q" plan --detailed-exitcode --preview
has "moved: the plan says so" "its trigger reports another path now: the first run records that path's entities as a new baseline and sends nothing for them" "$T/out"
has "moved: ... and counts no event" "events: 0 (baseline only" "$T/out"
expect_status "moved: apply" 0 lac -C "$Q" -q --now 2026-01-15T13:00:00Z apply --auto-approve --no-run
expect_status "moved: the first run" 0 lac -C "$Q" --now 2026-01-15T14:00:00Z run cat_vets
expect_eq "moved: ... sends nothing" 0 "$(cat "$qev" 2>/dev/null | wc -l | tr -d ' ')"
# a vet joins a cat household: Entity Added for that vet only
sqlite3 "$Q/data/warehouse.db" "INSERT INTO HOUSEHOLD_VETS VALUES ('hv99', 'h01', 'v03')"
expect_status "moved: a new vet" 0 lac -C "$Q" --now 2026-01-15T15:00:00Z run cat_vets
expect_eq "moved: ... its event only" "v03" \
	"$("$py" -c 'import json, sys
print(" ".join(sorted({json.loads(l)["properties"]["entity_id"] for l in open(sys.argv[1])})))' "$qev")"
# the same path, removals now: no new baseline, the next removal is sent
sed -i 's/trigger     entity added households.vets/trigger     entity removed households.vets/' "$Q/audiences/moved.lac"
expect_status "same path: plan" 2 lac -C "$Q" plan --detailed-exitcode
hasnt "same path: no new baseline" "another path" "$T/out"
expect_status "same path: apply" 0 lac -C "$Q" -q --now 2026-01-15T16:00:00Z apply --auto-approve --no-run
sqlite3 "$Q/data/warehouse.db" "DELETE FROM HOUSEHOLD_VETS WHERE id = 'hv99'"
expect_status "same path: the vet leaves" 0 lac -C "$Q" --now 2026-01-15T17:00:00Z run cat_vets
expect_eq "same path: ... Entity Removed for it" "Entity Removed v03" \
	"$(tail -n 1 "$qev" | "$py" -c 'import json, sys; e = json.load(sys.stdin); print(e["event"], e["properties"]["entity_id"])')"
finish
