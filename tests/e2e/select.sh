#!/bin/sh
# tests/e2e/select.sh — `plan --select` and `apply --select` (SPEC §6): only
# the named audiences are planned, applied and run, the others' changes stay
# for a later apply; the forms of the option; an unknown name; a deleted
# audience selected by its name; a saved plan keeps its selection; no
# alerts judged from files that are not all applied.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need /usr/bin/python3 sqlite3
NOW=2026-01-15T11:00:00Z
P="$T/p"
lac init --example petshop "$P" >/dev/null
l() { lac -C "$P" --now $NOW "$@"; }
# the audiences (text) or "kind audience.name" changes (JSON) a plan lists
changes() {
	/usr/bin/python3 -c 'import json, sys
d = json.load(sys.stdin)
print(" ".join(c["action"] + ":" + c["audience"] + "." + c["name"] for c in d["changes"]),
      d["summary"]["create"], d["summary"]["update"], d["summary"]["delete"], d.get("select"))' <"$T/out"
}

# ---- plan --select: only the named audiences, said on the first line -----------
expect_status "plan --select" 0 l plan --select cat_owners
expect_eq "plan --select: its first line" \
	"Only the selected audiences are planned (--select): cat_owners; changes to others are left for a later apply." \
	"$(head -n 1 "$T/out")"
expect_eq "plan --select: only cat_owners" "  + audience cat_owners
  + activation cat_owners.welcome_cat -> events_file" "$(grep '^  [+~-] ' "$T/out")"
expect_eq "plan --select: the summary counts it alone" "Plan: 2 to create, 0 to change, 0 to delete." \
	"$(tail -n 1 "$T/out")"

# the forms: names after one --select, one --select each, --select=NAME
both="create:cat_owners.cat_owners create:cat_owners.welcome_cat create:multi_dog_owners.multi_dog_owners create:multi_dog_owners.dog_bundle 4 0 0 ['cat_owners', 'multi_dog_owners']"
expect_status "json, --select a b" 0 l --format json plan --select cat_owners multi_dog_owners
expect_eq "json, --select a b: both, and the selection" "$both" "$(changes)"
expect_status "json, --select a --select b" 0 l --format json plan --select cat_owners --select multi_dog_owners
expect_eq "json, --select a --select b" "$both" "$(changes)"
expect_status "--select=a takes one name" 64 l plan --select=cat_owners multi_dog_owners
expect_status "json, without --select" 0 l --format json plan
expect_eq "json, without --select: no selection member" "None" "$(changes | awk '{print $NF}')"

# mistakes
expect_status "an unknown name" 1 l plan --select cat_owners nosuch
expect_eq "an unknown name: said" "lac: unknown audience 'nosuch'" "$(cat "$T/err")"
expect_status "--select without a name" 64 l plan --select
expect_status "apply --select with an unknown name" 1 l apply --auto-approve --select nosuch
[ ! -e "$P/.lac/state.db" ] && pass || fail "apply --select nosuch created the state"

# ---- apply --select: records and runs only those -----------------------------------
expect_status "apply --select" 0 l apply --auto-approve --select cat_owners
expect_eq "apply --select: ran the selected audience alone" "Ran cat_owners" \
	"$(grep -o '^Ran [a-z_]*' "$T/out")"
expect_eq "apply --select: only its runs" "cat_owners" \
	"$(sqlite3 "$P/.lac/state.db" 'SELECT DISTINCT audience FROM runs')"
# the day's alerts are judged from applied definitions, which other
# audiences' files are not yet: apply --select leaves them to the next run
expect_eq "apply --select: the day's alerts not judged" 0 \
	"$(sqlite3 "$P/.lac/state.db" 'SELECT COUNT(*) FROM alert_evaluations')"
expect_status "the rest is still to apply" 0 l --format json plan
expect_eq "the rest is still to apply: four audiences" "0 4" \
	"$(/usr/bin/python3 -c 'import json, sys
d = json.load(sys.stdin); a = [c for c in d["changes"] if c["kind"] == "audience"]
print(sum(c["audience"] == "cat_owners" for c in a), len(a))' <"$T/out")"
expect_status "plan --select of what was applied" 0 l plan --select cat_owners --detailed-exitcode
has "nothing left for it" "No changes. The selected audiences' applied state matches the files." "$T/out"
expect_status "the whole plan still has changes" 2 l plan --detailed-exitcode

# ---- a deleted audience is selected by its name -------------------------------------
/usr/bin/python3 - "$P/audiences/pets.lac" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
# drop the audience cat_owners (up to the next audience)
start = text.index("audience cat_owners")
end = text.index("audience ", start + 1)
open(path, "w").write(text[:start] + text[end:])
PY
expect_status "plan --select of a deleted audience" 0 l plan --select cat_owners
expect_eq "its delete" "  - audience cat_owners
  - activation cat_owners.welcome_cat" "$(grep '^  [+~-] ' "$T/out")"

# ---- a saved plan keeps its selection ------------------------------------------------
expect_status "plan --select --out" 0 l plan --select multi_dog_owners --out "$T/plan.json"
expect_eq "the saved plan names its selection" "['multi_dog_owners']" \
	"$(/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["select"])' <"$T/plan.json")"
expect_status "apply FILE --select is a usage error" 64 l apply "$T/plan.json" --select cat_owners
/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); del d["select"]; json.dump(d, open(sys.argv[2], "w"))' "$T/plan.json" "$T/unselected.json"
expect_status "a saved plan without its selection is refused" 1 l apply "$T/unselected.json"
has "refused as not matching" "does not match the files" "$T/err"
expect_status "apply FILE" 0 l apply "$T/plan.json"
has "apply FILE applied the selection" "Apply complete! 2 created, 0 changed, 0 deleted." "$T/out"
expect_eq "apply FILE: cat_owners is still applied (its delete was not selected)" \
	"cat_owners multi_dog_owners" \
	"$(sqlite3 "$P/.lac/state.db" 'SELECT name FROM audiences ORDER BY name' | tr '\n' ' ' | sed 's/ $//')"

finish
