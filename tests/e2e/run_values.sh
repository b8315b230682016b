#!/bin/sh
# tests/e2e/run_values.sh — exact events of `membership or values changed`
# (an Identify for a continuing member whose enrichment changed, nothing when
# nothing changed, a crash then its completion keeps the messageId), the
# entity context of an entity-targeted audience, `map` slug.column values,
# and the `lac compile --emit run` script executing on SQLite.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3
lib="$SRC/tests/e2e/run_lib.py"
P="$T/p"
lac init --example petshop "$P" >/dev/null
db="$P/data/warehouse.db"
ev="$P/out/events.jsonl"
cat >"$P/audiences/vals.lac" <<'LAC'
audience cat_vals {
  where { with entity households.pets { type = "cat" } }
  activation sync {
    destination events_file
    trigger     membership or values changed
    enrich      traits email, first_name
    enrich      households.pets { name, age }
  }
}
LAC
expect_status "check" 0 lac -C "$P" check
expect_status "apply" 0 lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run
sq() { sqlite3 "$db" "$1"; }
lines() { cat "$ev" 2>/dev/null | wc -l | tr -d ' '; }
summary() { "$py" "$lib" summary "$ev" "${1:-0}"; }

expect_status "baseline" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run cat_vals
expect_eq "baseline sends nothing" 0 "$(lines)"
expect_eq "a hash per member" 5 "$(sq "SELECT COUNT(*) FROM snapshot_cat_vals__ent WHERE path = '#values:sync'")"
expect_status "quiet" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_vals
expect_eq "nothing changed, nothing sent" "cat_vals: Live, 5 members, +0 -0, 0 events, 0 delivered" "$(cat "$T/out")"

# a trait of a continuing member changes: exactly one Identify with the new traits
sq "UPDATE PROFILE_TRAITS SET email = 'ana@new.example' WHERE segment_id = 'p01'"
expect_status "trait change" 0 lac -C "$P" --now 2026-01-15T14:00:00Z run cat_vals
expect_eq "trait change line" "cat_vals: Live, 5 members, +0 -0, 1 event, 1 delivered" "$(cat "$T/out")"
expect_eq "one identify" "sync|identify|-|user:u01|-|-|true" "$(summary)"
expect_eq "new traits" '"ana@new.example"|"Ana"' \
	"$("$py" "$lib" field "$ev" sync user:u01 traits.email)|$("$py" "$lib" field "$ev" sync user:u01 traits.first_name)"
expect_eq "entity context" '{"households": [{"__entity": "household", "id": "h01", "pets": [{"__entity": "pet", "age": 3, "id": "x01", "name": "Minou"}]}]}' \
	"$("$py" "$lib" field "$ev" sync user:u01 traits._entity_context)"

# entity context of continuing members changes (the age of Minou, the cat of
# p01 and p13, who share household h01); p02 enters with Mia and gets only
# its membership Identify
sq "UPDATE PETS SET age = 4 WHERE id = 'x01';
    INSERT INTO PETS VALUES ('x30','h02','Mia','cat',2,'2025-01-01')"
expect_status "context change" 0 lac -C "$P" --now 2026-01-15T15:00:00Z run cat_vals
expect_eq "context change events" "sync|identify|-|anon:p02|-|-|true
sync|identify|-|anon:p13|-|-|true
sync|identify|-|user:u01|-|-|true" "$(summary 1)"
expect_eq "new age" '{"households": [{"__entity": "household", "id": "h01", "pets": [{"__entity": "pet", "age": 4, "id": "x01", "name": "Minou"}]}]}' \
	"$("$py" "$lib" field "$ev" sync user:u01 traits._entity_context | tail -1)"
expect_status "quiet again" 0 lac -C "$P" --now 2026-01-15T16:00:00Z run cat_vals
expect_eq "quiet again sends nothing" 4 "$(lines)"

# a crash after the outbox step, then its completion: the same messageId, sent once
sq "UPDATE PROFILE_TRAITS SET first_name = 'Zed' WHERE segment_id = 'p07'"
set +e
LAC_TEST_CRASH_AFTER=outbox "$LAC" -C "$P" --now 2026-01-15T17:00:00Z run cat_vals >/dev/null 2>&1
rc=$?
set -e
expect_eq "killed after the outbox step" 137 "$rc"
mid=$(queued_ids "$P/.lac/state.db")
expect_eq "one pending event" 1 "$(echo "$mid" | grep -c .)"
expect_status "completion" 0 lac -C "$P" --now 2026-01-15T18:00:00Z run cat_vals
expect_eq "sent once" 5 "$(lines)"
expect_eq "the same messageId" "$mid" "$(tail -1 "$ev" | "$py" "$lib" get messageId)"
expect_eq "the changed member" '"Zed"' "$("$py" "$lib" field "$ev" sync anon:p07 traits.first_name)"
expect_status "messageIds unique" 0 "$py" "$lib" ids "$ev"

# the --emit run script executes on SQLite (a copy with a previous snapshot)
cp "$db" "$T/copy.db"
lac -C "$P" --now 2026-01-15T19:00:00Z compile -d sqlite --emit run cat_vals >"$T/script.sql"
if sqlite3 -bail "$T/copy.db" <"$T/script.sql" >/dev/null 2>"$T/sqlerr"; then pass; else
	fail "--emit run script fails on SQLite"; cat "$T/sqlerr" >&2; fi
expect_eq "script swapped" 6 "$(sqlite3 "$T/copy.db" 'SELECT COUNT(*) FROM snapshot_cat_vals')"

# the enrich changes (SPEC §5): its first run records the new values hashes
# and sends no values-changed Identify (every member's hash differs); the
# membership change (p02 exits with Mia gone) is still sent
sed -i 's/enrich      traits email, first_name/enrich      traits email/' "$P/audiences/vals.lac"
sq "DELETE FROM PETS WHERE id = 'x30'; UPDATE PROFILE_TRAITS SET email = 'ana@newer.example' WHERE segment_id = 'p01'"
# plan --preview counts what that run will send: the exit, no values change
expect_status "plan --preview of the enrich change" 2 lac -C "$P" --format json --now 2026-01-15T18:20:00Z \
	plan --preview --detailed-exitcode
expect_eq "plan --preview: only the exit" "1" "$(/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print([c["preview"]["events"] for c in d["changes"] if c["kind"] == "activation" and c["name"] == "sync"][0])' "$T/out")"
expect_status "apply the enrich change" 0 lac -C "$P" -q --now 2026-01-15T18:30:00Z apply --auto-approve --no-run
expect_status "enrich change" 0 lac -C "$P" --now 2026-01-15T19:00:00Z run cat_vals
expect_eq "enrich change: only the exit" "sync|identify|-|anon:p02|-|-|false" "$(summary 5)"
# the next value change is sent as usual
sq "UPDATE PROFILE_TRAITS SET email = 'ana@newest.example' WHERE segment_id = 'p01'"
expect_status "after the enrich change" 0 lac -C "$P" --now 2026-01-15T19:30:00Z run cat_vals
expect_eq "values changes again" "sync|identify|-|user:u01|-|-|true" "$(summary 6)"


# an upgrade to the explicit read-back formats (SPEC §1.1 "Session") changes
# every stored values hash: the enrich fingerprint carries the format's
# version, so a state recorded with the recipe before it (no format line)
# reads as an enrich change and the next run sends membership changes only
state="$P/.lac/state.db"
fp() { # the enrich fingerprint of cat_vals/sync with the given header
	"$py" -c 'import hashlib, sys
print(hashlib.sha256((sys.argv[1] + "trait 5:email\npath 10:households 4:pets { 4:name 3:age }\n").encode()).hexdigest())' "$1"
}
expect_eq "fingerprint recipe with the format version" "$(fp 'lac-enrich-v1
format 2
')" "$(sqlite3 "$state" "SELECT values_enrich FROM activations WHERE audience = 'cat_vals' AND name = 'sync'")"
sqlite3 "$state" "UPDATE activations SET values_enrich = '$(fp 'lac-enrich-v1
')' WHERE audience = 'cat_vals' AND name = 'sync'"
sq "UPDATE snapshot_cat_vals__ent SET entity_id = 'old-format-' || entity_id WHERE path = '#values:sync';
    INSERT INTO PETS VALUES ('x31','h02','Mimi','cat',1,'2025-01-01')"
before=$(lines)
expect_status "first run after the upgrade" 0 lac -C "$P" --now 2026-01-15T20:00:00Z run cat_vals
expect_eq "upgrade: only the membership change" "sync|identify|-|anon:p02|-|-|true" "$(summary "$before")"
sq "UPDATE PROFILE_TRAITS SET email = 'ana@upgraded.example' WHERE segment_id = 'p01'"
before=$(lines)
expect_status "after the upgrade" 0 lac -C "$P" --now 2026-01-15T20:30:00Z run cat_vals
expect_eq "upgrade: values changes again" "sync|identify|-|user:u01|-|-|true" "$(summary "$before")"

# every value is read back in its explicit format: DATE YYYY-MM-DD,
# TIMESTAMP YYYY-MM-DDTHH:MM:SS[.ffffff]Z in UTC (SQLite text in either ISO
# spelling, an offset applied, milliseconds kept), BOOLEAN true/false
F="$T/f"
fev="$F/out/events.jsonl"
lac init --example petshop "$F" >/dev/null
sqlite3 "$F/data/warehouse.db" "UPDATE HOUSEHOLDS SET created_at = '2020-03-01T12:00:00.250+02:00' WHERE id = 'h01';
	INSERT INTO PETS VALUES ('x40','h02','Mimi','cat',1,'2025-01-01')"
cat >"$F/audiences/formats.lac" <<'LAC'
audience cat_formats {
  where { with entity households.pets { type = "cat" } }
  activation send {
    destination events_file
    trigger     profile entered
    send        current
    enrich      traits vip, birthday, ltv
    enrich      households { created_at }
    enrich      households.pets { adopted_on }
  }
}
LAC
expect_status "apply formats" 0 lac -C "$F" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run
expect_status "run formats" 0 lac -C "$F" --now 2026-01-15T12:00:00Z run cat_formats
fget() { "$py" "$lib" field "$fev" send "$1" "properties.$2"; }
expect_eq "BOOLEAN, DATE, NUMBER traits" 'false|"1990-04-01"|120.5' 	"$(fget user:u01 vip)|$(fget user:u01 birthday)|$(fget user:u01 ltv)"
expect_eq "TIMESTAMP with an offset and a fraction, DATE of an entity" 	'"2020-03-01T10:00:00.250000Z"|"2022-05-01"' 	"$(fget user:u01 _entity_context.households.0.created_at)|$(fget user:u01 _entity_context.households.0.pets.0.adopted_on)"
expect_eq "TIMESTAMP written with a space" '"2021-06-15T08:30:00Z"' 	"$(fget anon:p02 _entity_context.households.0.created_at)"

# ---- entity-targeted audience: enrich and map slug.column --------------------------
S="$T/s"
lac init --example subscriptions "$S" >/dev/null
sev="$S/out/events.jsonl"
cat >>"$S/audiences/accounts.lac" <<'LAC'

audience risky_accounts {
  target entity accounts
  where {
    plan = "enterprise"
    with entity subscriptions { status = "past_due" }
    with trait vip = true
  }
  activation alert {
    destination events_file
    trigger     entity entered
    enrich      subscriptions { tier, status }
    enrich      accounts { name }
    map         "properties.account_name" = accounts.name
    map         "properties.seats" = accounts.seats
  }
}
LAC
cat >>"$S/audiences/subscriptions.lac" <<'LAC'

audience active_subs {
  where { with entity accounts.subscriptions { status = "active" } }
  activation new_sub {
    destination events_file
    trigger     entity added accounts.subscriptions
    map         "properties.product" = subscriptions.product
    map         "properties.mrr" = subscriptions.mrr
  }
}
LAC
expect_status "check subscriptions" 0 lac -C "$S" check
expect_status "apply subscriptions" 0 lac -C "$S" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run
expect_status "baseline subscriptions" 0 lac -C "$S" --now 2026-01-15T12:00:00Z run risky_accounts active_subs
sqlite3 "$S/data/warehouse.db" "UPDATE PROFILE_TRAITS SET vip = 1 WHERE segment_id = 'u06';
	INSERT INTO SUBSCRIPTIONS SELECT 's99', account_id, 'widgets', 'basic', 'active', 12.5, started_at, renews_on
	FROM SUBSCRIPTIONS WHERE id = 's02'"
expect_status "change subscriptions" 0 lac -C "$S" --now 2026-01-15T13:00:00Z run risky_accounts active_subs
expect_eq "events" "alert|track|Entity Added|anon:u06|accounts|a06|true
alert|track|Entity Added|user:stark-7|accounts|a06|true
new_sub|track|Entity Added|user:acme-1|accounts.subscriptions|s99|true
new_sub|track|Entity Added|user:acme-2|accounts.subscriptions|s99|true" "$("$py" "$lib" summary "$sev")"
expect_eq "entity context of the target" '{"accounts": [{"__entity": "account", "id": "a06", "name": "Stark \"Industries\""}], "subscriptions": [{"__entity": "subscription", "id": "s09", "status": "active", "tier": "premium"}, {"__entity": "subscription", "id": "s10", "status": "past_due", "tier": "basic"}]}' \
	"$("$py" "$lib" field "$sev" alert anon:u06 properties._entity_context)"
expect_eq "map target columns" '"Stark \"Industries\""|10' \
	"$("$py" "$lib" field "$sev" alert anon:u06 properties.account_name)|$("$py" "$lib" field "$sev" alert anon:u06 properties.seats)"
expect_eq "map trigger entity columns" '"widgets"|12.5' \
	"$("$py" "$lib" field "$sev" new_sub user:acme-1 properties.product)|$("$py" "$lib" field "$sev" new_sub user:acme-1 properties.mrr)"

# _entity_context keeps the first 10 rows of a level by primary key: by value
# for a NUMBER key (1..10, not the text order 1, 10, 100, 11, ...; a key that
# is no number, which SQLite lets a column hold, after the numbers), by byte
# order for a STRING one (Z before a)
N="$T/numkeys"
lac init --example petshop "$N" >/dev/null
"$py" - "$N/graph.yaml" <<'PY'
import sys
path = sys.argv[1]
g = open(path).read()
g = g.replace("entities:\n", """entities:
  - slug: visit
    table: VISITS
    primary_key: id
    columns: { id: NUMBER, household_id: STRING, note: STRING }
  - slug: tag
    table: TAGS
    primary_key: id
    columns: { id: STRING, household_id: STRING }
""", 1)
g = g.replace("""          join_on: household.id = pet.household_id
""", """          join_on: household.id = pet.household_id
        - slug: visits
          entity: visit
          join_on: household.id = visit.household_id
        - slug: tags
          entity: tag
          join_on: household.id = tag.household_id
""", 1)
open(path, "w").write(g)
PY
cat >"$N/audiences/visited.lac" <<'LAC'
audience visited {
  where { with entity households.visits  with entity households.tags }
  activation hello {
    destination events_file
    trigger     profile entered
    enrich      households.visits { note }
    enrich      households.tags { id }
    send current
  }
}
LAC
sqlite3 "$N/data/warehouse.db" "CREATE TABLE VISITS (id INTEGER, household_id TEXT, note TEXT);
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12)
	INSERT INTO VISITS SELECT i, 'h01', 'v' || i FROM n;
	INSERT INTO VISITS VALUES (100, 'h01', 'v100'), (2.5, 'h01', 'v2.5'), ('1e', 'h01', 'v1e');
	CREATE TABLE TAGS (id TEXT, household_id TEXT);
	INSERT INTO TAGS VALUES ('b', 'h01'), ('Z', 'h01'), ('a', 'h01'), ('_', 'h01')"
expect_status "check NUMBER keys" 0 lac -C "$N" check
expect_status "run NUMBER keys" 0 lac -C "$N" -q --now 2026-01-15T11:00:00Z apply --auto-approve
expect_eq "the first 10 visits by key" "1 2 2.5 3 4 5 6 7 8 9" \
	"$("$py" -c 'import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("userId") == "u01":
        print(" ".join(str(v["id"]) for v in e["properties"]["_entity_context"]["households"][0]["visits"]))' "$N/out/events.jsonl")"
expect_eq "tags in byte order" "Z _ a b" \
	"$("$py" -c 'import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("userId") == "u01":
        print(" ".join(v["id"] for v in e["properties"]["_entity_context"]["households"][0]["tags"]))' "$N/out/events.jsonl")"
finish
