#!/bin/sh
# tests/e2e/plan_preview.sh — `lac plan --preview` counts exactly what the
# next run sends (SPEC §6): on a copy of examples/petshop with a baseline run
# and then changed data, the events each activation's preview announces equal
# the lines the following `lac run` appends to the file destination, and its
# "filtered" count the profiles the run filters at the destination — for a
# plain trigger, `membership or values changed` with value changes in the
# entity context, `identifier user_id` with profiles lacking it, `entity
# added`, and a new activation with `send current`.  The preview leaves the
# warehouse and the state DB byte-identical.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3

NOW=2026-01-15T12:00:00Z
NOW2=2026-01-15T13:00:00Z
P="$T/pet"
lac init --example petshop "$P" >/dev/null 2>"$T/err" || { cat "$T/err" >&2; exit 1; }
# every destination a file (no network, no secret)
sed -i 's/destination hook/destination events_file/' "$P/audiences/care.lac"
WH="$P/data/warehouse.db"
STATE="$P/.lac/state.db"
EV="$P/out/events.jsonl"
cat >"$P/audiences/preview.lac" <<'LAC'
audience pv_cats {
  where { with entity households.pets { type = "cat" } }
  activation mvc {
    destination events_file
    trigger     membership or values changed
    enrich      traits email, first_name
    enrich      households.pets { name, age }
  }
  activation by_uid {
    destination events_file
    trigger     membership changed
    identifier  user_id
  }
  activation plain {
    destination events_file
    trigger     profile entered
  }
}
LAC
l() { lac -C "$P" "$@"; }
sq() { sqlite3 "$WH" "$1"; }
expect_status "check" 0 l check

# ---- the baseline: every audience runs once, nothing is sent -------------------------
expect_status "baseline apply" 0 l --now "$NOW" apply --auto-approve
expect_eq "the baseline sends nothing" 0 "$(cat "$EV" 2>/dev/null | wc -l | tr -d ' ')"

# ---- changed data -------------------------------------------------------------------
# pv_cats / cat_owners: Minou (h01: p01 and p13) gets older, a value change
# only; p02..p05 get a cat and enter (p02 with a user_id, the others without
# one); p07 loses Luna and exits.  multi_dog_owners: p07 gets a third dog
# and p02 a second one (entity added for each matched dog of p02).
sq "UPDATE PETS SET age = 4 WHERE id = 'x01';
    DELETE FROM PETS WHERE id = 'x11';
    INSERT INTO PETS VALUES ('x31', 'h02', 'Mia', 'cat', 2, '2025-01-01'),
      ('x32', 'h03', 'Zoe', 'cat', 3, '2025-01-01'), ('x33', 'h04', 'Oreo', 'cat', 1, NULL),
      ('x34', 'h05', 'Gigi', 'cat', 5, NULL), ('x35', 'h08', 'Duke', 'dog', 2, NULL),
      ('x36', 'h02', 'Bo', 'dog', 1, NULL);
    INSERT INTO EXTERNAL_ID_MAPPING VALUES ('p02', 'user_id', 'u02');"
# the definitions change too, so that the plan shows the audiences: a
# description (all its activations), an activation setting (that one), and
# a new activation that sends its current members on its first run
sed -i 's/^audience pv_cats {$/&\n  description "previewed"/' "$P/audiences/preview.lac"
sed -i 's/^    trigger     profile entered$/&\n  }\n  activation fresh {\n    destination events_file\n    trigger     profile entered\n    send current/' \
	"$P/audiences/preview.lac"
sed -i 's/^  folder   "Pets"$/&\n  description "two dogs"/' "$P/audiences/pets.lac"
sed -i 's/^    trigger     profile entered$/&\n    event       "Welcome Cat"/' "$P/audiences/pets.lac"
expect_status "check after the edits" 0 l check

# ---- the preview writes nothing -----------------------------------------------------
cp "$WH" "$T/wh.0"
cp "$STATE" "$T/state.0"
ls -a "$P/.lac" >"$T/lacdir.0"
expect_status "plan --preview (text)" 2 l --now "$NOW2" plan --preview --detailed-exitcode
cp "$T/out" "$T/plan.txt"
expect_status "plan --preview (json)" 0 l --now "$NOW2" --format json plan --preview
cp "$T/out" "$T/plan.json"
if cmp -s "$T/wh.0" "$WH"; then pass; else fail "plan --preview changed the warehouse"; fi
if cmp -s "$T/state.0" "$STATE"; then pass; else fail "plan --preview changed the state DB"; fi
ls -a "$P/.lac" >"$T/lacdir.1"
expect_file_eq "plan --preview adds no file next to the state DB" "$T/lacdir.0" "$T/lacdir.1"

# "audience.activation events filtered invalid" per activation the preview
# counted (from an audience's preview, else from the activation's own)
cat >"$T/counts.py" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
rows = {}
for c in plan["changes"]:
    pv = c.get("preview")
    if not pv or "error" in pv:
        continue
    if c["kind"] == "audience":
        for name, n in pv["activations"].items():
            rows[c["audience"] + "." + name] = (n, pv["filtered"][name], pv["invalid"][name])
    else:
        rows.setdefault(c["audience"] + "." + c["name"], (pv["events"], pv["filtered"], pv["invalid"]))
for k in sorted(rows):
    print(k, *rows[k])
PY
"$py" "$T/counts.py" "$T/plan.json" >"$T/preview.txt"

# what the preview should have found, worked out by hand
cat >"$T/want.txt" <<'EOF'
cat_owners.welcome_cat 4 0 0
multi_dog_owners.dog_bundle 3 0 0
pv_cats.by_uid 1 4 0
pv_cats.fresh 8 0 0
pv_cats.mvc 7 0 0
pv_cats.plain 4 0 0
EOF
expect_file_eq "preview counts" "$T/want.txt" "$T/preview.txt"
grep -qF "events of by_uid: 1 (4 filtered at destination)" "$T/plan.txt" && pass ||
	{ fail "text preview: no filtered count in:"; cat "$T/plan.txt" >&2; }
grep -qF "events of mvc: 7" "$T/plan.txt" && pass ||
	{ fail "text preview: no mvc count in:"; cat "$T/plan.txt" >&2; }

# ---- the run sends exactly that --------------------------------------------------------
filtered() { # filtered AUDIENCE: "audience.activation filtered" per activation
	l --format json delivery "$1" | "$py" -c '
import json, sys
for a in json.load(sys.stdin):
    print(sys.argv[1] + "." + a["activation"], a["filtered_at_destination"])' "$1"
}
for a in cat_owners multi_dog_owners pv_cats; do filtered $a; done >"$T/filtered.0"
expect_status "apply the edits" 0 l --now "$NOW2" apply --auto-approve --no-run
expect_status "run" 0 l --now "$NOW2" run cat_owners multi_dog_owners pv_cats
for a in cat_owners multi_dog_owners pv_cats; do filtered $a; done >"$T/filtered.1"
"$py" - "$EV" "$T/filtered.0" "$T/filtered.1" >"$T/sent.txt" <<'PY'
import json, sys
sent = {}
for line in open(sys.argv[1]):
    p = json.loads(line)["context"]["personas"]
    k = p["computation_key"] + "." + p["event_emitter_id"]
    sent[k] = sent.get(k, 0) + 1
before = dict(l.split() for l in open(sys.argv[2]))
after = dict(l.split() for l in open(sys.argv[3]))
for k in sorted(after):
    # invalid events stay in the outbox: the file destination never sees them
    print(k, sent.get(k, 0), int(after[k]) - int(before.get(k, 0)), 0)
PY
expect_file_eq "the run sends what the preview said" "$T/preview.txt" "$T/sent.txt"

# ---- a second preview after the run: nothing left to send ------------------------------
sed -i 's/^  description "previewed"$/  description "previewed again"/' "$P/audiences/preview.lac"
expect_status "quiet plan --preview" 0 l --now "$NOW2" --format json plan --preview
"$py" "$T/counts.py" "$T/out" >"$T/quiet.txt"
printf 'pv_cats.by_uid 0 0 0\npv_cats.fresh 0 0 0\npv_cats.mvc 0 0 0\npv_cats.plain 0 0 0\n' >"$T/want.txt"
expect_file_eq "nothing changed since the run: nothing to send" "$T/want.txt" "$T/quiet.txt"

finish
