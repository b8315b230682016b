#!/bin/sh
# tests/e2e/plan_apply.sh — lac plan / lac apply on a copy of examples/petshop
# at a fixed --now: plan writes nothing (files byte-identical, no .lac on a
# fresh project), apply records and runs, re-applying changes nothing, and
# every kind of change (update, create, delete, disable) shows; saved plans,
# stale plans and the confirmation rules; the JSON shape exactly.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

NOW=2026-01-15T12:00:00Z
P="$T/pet"
lac init --example petshop "$P" >/dev/null 2>"$T/err" || { cat "$T/err" >&2; exit 1; }
# deliver everything to the file destination (no network), and let
# welcome_cat send its current members on its first run
sed -i 's/destination hook/destination events_file/' "$P/audiences/care.lac"
sed -i 's/^    enrich      traits email, first_name$/&\n    send current/' "$P/audiences/pets.lac"
grep -q 'send current' "$P/audiences/pets.lac" || fail "setup: send current not added"
WH="$P/data/warehouse.db"
STATE="$P/.lac/state.db"
EV="$P/out/events.jsonl"

l() { lac -C "$P" --now "$NOW" "$@"; }
same_file() { # same_file NAME SAVED CURRENT
	if cmp -s "$2" "$3"; then pass; else fail "$1: $3 changed"; fi
}

# ---- a fresh project: all creates, and nothing written ----------------------------
cp "$WH" "$T/wh.0"
expect_status "fresh plan --detailed-exitcode" 2 l plan --detailed-exitcode
cp "$T/out" "$T/plan0.txt"
has "fresh plan" "  + audience cat_owners" "$T/plan0.txt"
has "fresh plan" "  + activation cat_owners.welcome_cat -> events_file" "$T/plan0.txt"
has "fresh plan" "  + audience vet_clients" "$T/plan0.txt"
has "fresh plan" "Plan: 8 to create, 0 to change, 0 to delete." "$T/plan0.txt"
expect_status "fresh plan" 0 l plan
expect_status "fresh plan --preview --sql-diff --validate" 0 l plan --preview --sql-diff --validate
has "preview counts members" "members: 5 (no snapshot yet)" "$T/out"
has "sql diff shows new SQL" "+ SELECT p.segment_id AS member_id" "$T/out"
has "validate" "The warehouse accepts the SQL of every audience." "$T/out"
expect_status "fresh plan json" 0 l --format json plan --preview
[ -e "$P/.lac" ] && fail "plan created $P/.lac" || pass
same_file "plan leaves the warehouse alone" "$T/wh.0" "$WH"

# exact JSON of the fresh plan
cat >"$T/want.json" <<'EOF'
{
  "changes": [
    {
      "action": "create",
      "kind": "audience",
      "name": "cat_owners",
      "audience": "cat_owners",
      "details": []
    },
    {
      "action": "create",
      "kind": "activation",
      "name": "welcome_cat",
      "audience": "cat_owners",
      "details": []
    },
    {
      "action": "create",
      "kind": "audience",
      "name": "multi_dog_owners",
      "audience": "multi_dog_owners",
      "details": []
    },
    {
      "action": "create",
      "kind": "activation",
      "name": "dog_bundle",
      "audience": "multi_dog_owners",
      "details": []
    },
    {
      "action": "create",
      "kind": "audience",
      "name": "petless_households",
      "audience": "petless_households",
      "details": []
    },
    {
      "action": "create",
      "kind": "audience",
      "name": "recent_buyers",
      "audience": "recent_buyers",
      "details": []
    },
    {
      "action": "create",
      "kind": "audience",
      "name": "vet_clients",
      "audience": "vet_clients",
      "details": []
    },
    {
      "action": "create",
      "kind": "activation",
      "name": "sync_vet_clients",
      "audience": "vet_clients",
      "details": []
    }
  ],
  "summary": {
    "create": 8,
    "update": 0,
    "delete": 0
  }
}
EOF
l --format json plan >"$T/got.json"
expect_file_eq "fresh plan JSON" "$T/want.json" "$T/got.json"

# ---- apply: refused without a terminal, then --auto-approve ---------------------------
expect_status "apply without a tty" 1 l apply </dev/null
has "apply without a tty" "--auto-approve" "$T/err"
[ -e "$P/.lac" ] && fail "a refused apply created $P/.lac" || pass
expect_status "apply bad option" 64 l apply --bogus

expect_status "apply --auto-approve" 0 l apply --auto-approve </dev/null
has "apply" "Apply complete! 8 created, 0 changed, 0 deleted." "$T/out"
has "apply runs new audiences" "Ran cat_owners: Live, 5 members" "$T/out"
[ -f "$STATE" ] && pass || fail "apply made no state DB"
n=$(wc -l <"$EV" | tr -d ' ')
expect_eq "send current: one event per cat owner" 5 "$n"
has "Audience Entered events" '"event":"Audience Entered"' "$EV"
for t in cat_owners multi_dog_owners petless_households recent_buyers vet_clients; do
	sqlite3 "$WH" "SELECT 1 FROM sqlite_master WHERE name = 'snapshot_$t'" | grep -q 1 \
		&& pass || fail "apply did not run $t (no snapshot)"
done

# ---- the same files again: nothing to do, nothing written by plan ----------------------
ls -a "$P/.lac" >"$T/lacdir.0"
cp "$STATE" "$T/state.1"
cp "$WH" "$T/wh.1"
expect_status "plan after apply" 0 l plan --detailed-exitcode
has "plan after apply" "No changes. The applied state matches the files." "$T/out"
expect_status "plan --preview after apply" 0 l plan --preview --sql-diff --validate --detailed-exitcode
l --format json plan >"$T/got.json"
printf '{\n  "changes": [],\n  "summary": {\n    "create": 0,\n    "update": 0,\n    "delete": 0\n  }\n}\n' >"$T/want.json"
expect_file_eq "empty plan JSON" "$T/want.json" "$T/got.json"
same_file "plan leaves the state DB alone" "$T/state.1" "$STATE"
same_file "plan --preview leaves the warehouse alone" "$T/wh.1" "$WH"
ls -a "$P/.lac" >"$T/lacdir.1"
expect_file_eq "plan adds no file next to the state DB" "$T/lacdir.0" "$T/lacdir.1"

expect_status "second apply" 0 l apply --auto-approve
has "second apply" "No changes." "$T/out"
hasnt "second apply runs nothing that is not due" "Ran " "$T/out"
expect_eq "second apply sends nothing" 5 "$(wc -l <"$EV" | tr -d ' ')"
expect_status "plan after the second apply" 0 l plan --detailed-exitcode

# ---- every kind of change ----------------------------------------------------------------
sed -i 's/{ type = "cat" }/{ type = "cat" and age > 2 }/' "$P/audiences/pets.lac"
sed -i 's/^    enrich      households.pets { name, age }$/&\n  }\n  activation dog_exit {\n    destination events_file\n    trigger     profile exited/' \
	"$P/audiences/pets.lac"
sed -i 's/^  name   "Households without pets"$/&\n  enabled false/' "$P/audiences/pets.lac"
rm "$P/audiences/care.lac"
cp "$STATE" "$T/state.2"
expect_status "plan with changes" 2 l plan --detailed-exitcode --preview
cp "$T/out" "$T/plan2.txt"
has "update" "  ~ audience cat_owners" "$T/plan2.txt"
has "update shows the old condition" '-     with entity households.pets { type = "cat" }' "$T/plan2.txt"
has "update shows the new condition" '+     with entity households.pets { type = "cat" and age > 2 }' "$T/plan2.txt"
has "preview vs the snapshot" "members: 3 (5 in the snapshot: 0 entered, 2 exited)" "$T/plan2.txt"
has "new activation" "  + activation multi_dog_owners.dog_exit -> events_file" "$T/plan2.txt"
has "new activation sends nothing on its first run, and says so" \
	"      events: 0 (baseline only: its first run records the members and sends nothing)" "$T/plan2.txt"
has "disable" "  ~ audience petless_households (disable)" "$T/plan2.txt"
has "delete" "  - audience vet_clients" "$T/plan2.txt"
has "delete" "  - activation vet_clients.sync_vet_clients" "$T/plan2.txt"
has "delete" "  - audience recent_buyers" "$T/plan2.txt"
has "summary" "Plan: 1 to create, 2 to change, 3 to delete." "$T/plan2.txt"
same_file "plan leaves the state DB alone" "$T/state.2" "$STATE"

l --format json plan >"$T/got.json"
cat >"$T/want.json" <<'EOF'
{
  "changes": [
    {
      "action": "update",
      "kind": "audience",
      "name": "cat_owners",
      "audience": "cat_owners",
      "details": [
        "-     with entity households.pets { type = \"cat\" }",
        "+     with entity households.pets { type = \"cat\" and age > 2 }"
      ]
    },
    {
      "action": "create",
      "kind": "activation",
      "name": "dog_exit",
      "audience": "multi_dog_owners",
      "details": []
    },
    {
      "action": "disable",
      "kind": "audience",
      "name": "petless_households",
      "audience": "petless_households",
      "details": []
    },
    {
      "action": "delete",
      "kind": "audience",
      "name": "recent_buyers",
      "audience": "recent_buyers",
      "details": []
    },
    {
      "action": "delete",
      "kind": "audience",
      "name": "vet_clients",
      "audience": "vet_clients",
      "details": []
    },
    {
      "action": "delete",
      "kind": "activation",
      "name": "sync_vet_clients",
      "audience": "vet_clients",
      "details": []
    }
  ],
  "summary": {
    "create": 1,
    "update": 2,
    "delete": 3
  }
}
EOF
expect_file_eq "plan JSON with every kind of change" "$T/want.json" "$T/got.json"

# ---- saved plans: stale ones are refused, a fresh one applies ---------------------------
expect_status "plan --out" 0 l plan --out "$T/plan.json"
has "plan file" '"state_fingerprint": "' "$T/plan.json"
has "plan file" '"plan_fingerprint": "' "$T/plan.json"
# files changed since the plan
echo 'audience zz { where { with trait vip = true } }' >"$P/audiences/zz.lac"
expect_status "plan file vs changed files" 1 l apply "$T/plan.json"
has "plan file vs changed files" "changed since the plan was made" "$T/err"
rm "$P/audiences/zz.lac"
same_file "a refused plan changes nothing" "$T/state.2" "$STATE"
# the state changed since the plan (an apply in between)
cp -R "$P" "$T/other"
expect_status "apply in between" 0 lac -C "$T/other" --now "$NOW" apply --auto-approve --no-run
cp "$T/other/.lac/state.db" "$STATE"
expect_status "stale plan file" 1 l apply "$T/plan.json"
has "stale plan file" "stale" "$T/err"
cp "$T/state.2" "$STATE"
rm -f "$STATE-wal" "$STATE-shm"
expect_status "apply the saved plan" 0 l apply "$T/plan.json"
has "apply the saved plan" "Apply complete! 1 created, 2 changed, 3 deleted." "$T/out"
for t in vet_clients vet_clients__ent recent_buyers recent_buyers__ent; do
	sqlite3 "$WH" "SELECT 1 FROM sqlite_master WHERE name = 'snapshot_$t'" | grep -q 1 \
		&& fail "snapshot_$t of a deleted audience is still there" || pass
done
sqlite3 "$WH" "SELECT 1 FROM sqlite_master WHERE name = 'snapshot_cat_owners'" | grep -q 1 \
	&& pass || fail "an edited audience keeps its snapshot"
expect_status "the saved plan twice" 1 l apply "$T/plan.json"
expect_status "plan after the saved plan" 0 l plan --detailed-exitcode

# a disabled audience is recorded disabled and never runs
expect_eq "disabled in the state" 0 \
	"$(sqlite3 "$STATE" "SELECT enabled FROM audiences WHERE name = 'petless_households'")"
lines=$(wc -l <"$EV" | tr -d ' ')
expect_status "apply at a later time" 0 lac -C "$P" --now 2026-01-20T12:00:00Z apply --auto-approve
hasnt "a disabled audience never runs" "Ran petless_households" "$T/out"
has "a scheduled audience runs when due" "Ran cat_owners" "$T/out"
# cat_owners now requires age > 2: two cat owners left, but only entries are sent
expect_eq "editing sends only the difference (no entries)" "$lines" "$(wc -l <"$EV" | tr -d ' ')"

# re-enabling runs it at once
sed -i '/^  enabled false$/d' "$P/audiences/pets.lac"
expect_status "plan enable" 2 l plan --detailed-exitcode
has "enable" "  ~ audience petless_households (enable)" "$T/out"
expect_status "apply enable" 0 l apply --auto-approve
has "a newly enabled audience runs at once" "Ran petless_households" "$T/out"

# a change of the data graph alone: the text plan says why, as the JSON does
sed -i 's/^    table: PETS.PUBLIC.PETS$/    table: PETS.PUBLIC.PET_ROWS/' "$P/graph.yaml"
expect_status "plan, the graph changed" 2 l plan --detailed-exitcode
has "the audience changes" "  ~ audience cat_owners" "$T/out"
has "... because of the graph" "      the part of the data graph it uses changed" "$T/out"
sed -i 's/^    table: PETS.PUBLIC.PET_ROWS$/    table: PETS.PUBLIC.PETS/' "$P/graph.yaml"
expect_status "plan, the graph back" 0 l plan --detailed-exitcode

# ---- the question on a terminal (util-linux script gives lac a tty) ---------------------
if command -v script >/dev/null 2>&1; then
	Q="$T/tty"
	lac init --example petshop "$Q" >/dev/null 2>&1
	sed -i 's/destination hook/destination events_file/' "$Q/audiences/care.lac"
	cmd="'$LAC' -C '$Q' --now $NOW apply --no-run"
	set +e
	echo no | script -qec "$cmd" /dev/null >"$T/tty.out" 2>&1
	rc=$?
	set -e
	expect_eq "answering no cancels" 1 "$rc"
	has "the question" "Apply these changes? Only 'yes' will be accepted:" "$T/tty.out"
	[ -e "$Q/.lac" ] && fail "a cancelled apply created $Q/.lac" || pass
	set +e
	echo yes | script -qec "$cmd" /dev/null >"$T/tty.out" 2>&1
	rc=$?
	set -e
	expect_eq "answering yes applies" 0 "$rc"
	has "answering yes applies" "Apply complete! 8 created, 0 changed, 0 deleted." "$T/tty.out"
fi

# --validate checks what a run reads, not only the membership: a column the
# graph declares but the warehouse lacks, used only by an enrich, is caught
# at the activation (both before and after the audience's first run).
V="$T/validate"
lac init --example petshop "$V" >/dev/null 2>&1
sed -i 's/age: NUMBER, adopted_on: DATE }/age: NUMBER, adopted_on: DATE, color: STRING }/' "$V/graph.yaml"
sed -i 's/enrich      households.pets { name, age }/enrich      households.pets { name, color }/' "$V/audiences/pets.lac"
expect_status "validate: lac check accepts the declared column" 0 lac -C "$V" -q check
for when in fresh applied; do
	set +e
	"$LAC" -C "$V" --now $NOW plan --validate >"$T/v.out" 2>"$T/v.err"
	rc=$?
	set -e
	expect_eq "validate ($when): a broken enrichment column fails" 1 "$rc"
	has "validate ($when): names the activation" \
		"audience 'multi_dog_owners' (audiences/pets.lac:30) activation dog_bundle: the warehouse rejects its SQL:" "$T/v.err"
	has "validate ($when): the warehouse's message" "color" "$T/v.err"
	expect_eq "validate ($when): only that activation" 1 "$(grep -c 'rejects its SQL' "$T/v.err")"
	hasnt "validate ($when): no all-clear" "accepts the SQL" "$T/v.out"
	set +e
	"$LAC" -C "$V" --now $NOW --format json plan --validate >"$T/v.json" 2>/dev/null
	rc=$?
	set -e
	expect_eq "validate ($when) json: fails" 1 "$rc"
	expect_eq "validate ($when) json: the failure in the plan's document" \
		"False 1 audience 'multi_dog_owners' (audiences/pets.lac:30) activation dog_bundle: the warehouse rejects its SQL" \
		"$(/usr/bin/python3 -c 'import json, sys; v = json.load(sys.stdin)["validate"]; print(v["ok"], len(v["errors"]), v["errors"][0].split(": no such")[0])' <"$T/v.json")"
	# the first run creates the snapshots (apply runs what it can; the
	# broken activation's run fails)
	[ $when = fresh ] && "$LAC" -C "$V" -q --now $NOW apply --auto-approve >/dev/null 2>&1 || :
done

# A run that cannot deliver because a destination's ${VAR} is unset fails
# apply (exit 1) and names the variable with its file:line.
O="$T/owly"
lac init --example owly "$O" >/dev/null 2>&1
set +e
env -u SEGMENT_WRITE_KEY "$LAC" -C "$O" --color never --now $NOW apply --auto-approve >"$T/o.out" 2>"$T/o.err"
rc=$?
set -e
expect_eq "apply with an unset secret exits 1" 1 "$rc"
has "apply names the unset variable" "environment variable 'SEGMENT_WRITE_KEY' is not set" "$T/o.err"
has "apply gives its file:line" "lac.yaml:" "$T/o.err"

finish
