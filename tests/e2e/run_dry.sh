#!/bin/sh
# tests/e2e/run_dry.sh — `lac run --dry-run [AUDIENCE...]` (SPEC §6): what
# the next run would send (counts and a sample) from the applied definitions
# and the state's baseline, writing nothing at all: the state DB, the
# warehouse and the project's files are byte for byte the same afterwards,
# and the next real run sends what the dry run said.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3
jq() { "$py" -c "import json, sys; d = json.load(sys.stdin); $1"; }
# every file under the project with its checksum (new files show too)
tree_sum() { (cd "$P" && find . -type f | sort | xargs sha256sum); }

P="$T/p"
lac init --example petshop "$P" >/dev/null
db="$P/data/warehouse.db"
# nothing applied yet: nothing would run (as `lac run` says), unless named
expect_status "nothing applied yet" 0 lac -C "$P" run --dry-run
expect_eq "nothing applied yet: said" "lac: nothing to run: no audience is applied (run 'lac apply')" "$(cat "$T/err")"
expect_status "nothing applied yet, json" 0 lac -C "$P" --format json run --dry-run
expect_eq "nothing applied yet: the dry run's document" "True []" "$(jq 'print(d["dry_run"], d["audiences"])' <"$T/out")"
expect_status "nothing applied yet, an audience named" 1 lac -C "$P" run --dry-run cat_owners
expect_eq "nothing applied yet, named: said" "lac: nothing has been applied yet; run 'lac apply' first" "$(cat "$T/err")"
expect_eq "nothing applied yet: no state created" "no" "$([ -e "$P/.lac" ] && echo yes || echo no)"

lac -C "$P" -q --now 2026-01-15T12:00:00Z apply --auto-approve >/dev/null
# a new cat owner: the next run of cat_owners sends one `profile entered`
sqlite3 "$db" "INSERT INTO PROFILE_TRAITS (segment_id, email, first_name) VALUES ('p-new', 'new@x.io', 'Nia');
	INSERT INTO EXTERNAL_ID_MAPPING VALUES ('p-new', 'email', 'new@x.io');
	INSERT INTO EXTERNAL_ID_MAPPING VALUES ('p-new', 'user_id', 'u-new');
	INSERT INTO HOUSEHOLDS (id, owner_email, city) VALUES ('h-new', 'new@x.io', 'X');
	INSERT INTO PETS (id, household_id, name, type, age) VALUES ('pet-new', 'h-new', 'Cat', 'cat', 1);"
tree_sum >"$T/before"

expect_status "dry run (text)" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run --dry-run cat_owners
expect_eq "text: counts and a sample" "cat_owners: 1 event would be sent
  welcome_cat -> events_file: 1 event, 0 filtered, 0 invalid
u-new Audience Entered" \
	"$(sed -n 1,2p "$T/out"; sed -n 3p "$T/out" | sed 's/^    //' | jq 'print(d["userId"], d["event"])')"
lac -C "$P" --format json --now 2026-01-15T13:00:00Z run --dry-run >"$T/dry.json"
expect_eq "json: every enabled audience, the events per activation" \
	"cat_owners:1 multi_dog_owners:0 petless_households:0 recent_buyers:0 vet_clients:0" \
	"$(jq 'print(" ".join("%s:%d" % (a["audience"], a["events"]) for a in d["audiences"]))' <"$T/dry.json")"
expect_eq "json: the activation" "welcome_cat events_file 1 0 0 False 0 1" \
	"$(jq 'x = d["audiences"][0]["activations"][0]; print(x["activation"], x["destination"], x["events"], x["filtered"], x["invalid"], x["baseline"], x["queued"], len(x["sample"]))' <"$T/dry.json")"
tree_sum >"$T/after"
expect_file_eq "nothing written: state DB, warehouse, files" "$T/before" "$T/after"

# the real run sends what the dry run said
expect_status "the run" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners
expect_eq "the run sent that event" "u-new Audience Entered" \
	"$(tail -n 1 "$P/out/events.jsonl" | jq 'print(d["userId"], d["event"])')"
expect_eq "the same event but for its ids" "yes" \
	"$("$py" - "$T/dry.json" "$P/out/events.jsonl" <<'PY'
import json, sys
dry = json.load(open(sys.argv[1]))["audiences"][0]["activations"][0]["sample"][0]
sent = json.loads(open(sys.argv[2]).read().splitlines()[-1])
def strip(e):
    e = dict(e)
    e.pop("messageId", None)
    e.get("context", {}).get("personas", {}).pop("computation_run_id", None)
    return e
print("yes" if strip(dry) == strip(sent) else "no: %s\n%s" % (dry, sent))
PY
)"

# a new activation starts from its baseline; a disabled audience sends nothing
cat >>"$P/audiences/pets.lac" <<'LAC'

audience cat_owners_2 {
  where { part of audience cat_owners }
  activation later {
    destination events_file
    trigger     profile entered
  }
}

audience off {
  enabled false
  where { with entity households.pets { type = "cat" } }
}
LAC
lac -C "$P" -q --now 2026-01-15T14:00:00Z apply --auto-approve --no-run >/dev/null
tree_sum >"$T/before"
expect_status "dry run of a new and a disabled audience" 0 lac -C "$P" --now 2026-01-15T14:00:00Z \
	run --dry-run cat_owners_2 off
expect_eq "text: baseline, disabled" "cat_owners_2: 0 events would be sent
  later -> events_file: first run: records the baseline, sends nothing
off: Disabled, nothing would be sent" "$(cat "$T/out")"
tree_sum >"$T/after"
expect_file_eq "nothing written (new audience)" "$T/before" "$T/after"
expect_status "unknown audience" 1 lac -C "$P" run --dry-run nosuch
expect_eq "unknown audience: said" "lac: unknown audience 'nosuch'" "$(cat "$T/err")"

# a preset destination (braze) needs a userId or an email: an event with
# neither has no usable identifier for it, and is invalid at the run (SPEC
# §5: counted, with a sample, never sent) instead of failing every delivery
printf '  bz: { type: braze, url: "http://127.0.0.1:9/unused", api_key: "k" }\n' >>"$P/lac.yaml"
cat >>"$P/audiences/pets.lac" <<'LAC'

audience cats_braze {
  where { with entity households.pets { type = "cat" } }
  activation to_braze {
    destination bz
    trigger     profile entered
    send        current
  }
}
LAC
lac -C "$P" -q --now 2026-01-15T14:00:00Z apply --auto-approve --no-run >/dev/null
expect_status "dry run to braze" 0 lac -C "$P" --now 2026-01-15T14:00:00Z run --dry-run cats_braze
expect_eq "braze: two with a userId, the anonymous ones invalid" "  to_braze -> bz: 2 events, 0 filtered, 4 invalid" \
	"$(grep -- '-> bz' "$T/out")"
lac -C "$P" -q --now 2026-01-15T14:00:00Z run --no-deliver cats_braze >/dev/null 2>&1
expect_status "delivery overview" 0 lac -C "$P" --format json delivery cats_braze
expect_eq "braze: 4 invalid with the reason, 2 queued" "4 2 no userId or email: braze needs one" \
	"$("$py" -c 'import json, sys
[a] = json.load(sys.stdin)
print(a["invalid"], a["pending_retry"], a["invalid_samples"][0]["reason"])' <"$T/out")"

finish
