#!/bin/sh
# tests/e2e/applied.sh — applied definitions (SPEC §5): `lac run` runs what
# `lac apply` stored, never the files; a never-applied audience is an error;
# applying twice changes nothing; a change to a graph element no audience
# uses or to the generated SQL is not a change; an audience an older lac
# applied (hash only) is refused by run and filled in by apply silently.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3
P="$T/p"
lac init --example petshop "$P" >/dev/null
st="$P/.lac/state.db"

# ---- nothing applied ---------------------------------------------------------------
expect_status "run of a never-applied audience" 1 lac -C "$P" --now 2026-01-15T12:00:00Z run cat_owners
expect_eq "never applied: the message" "lac: audience 'cat_owners' has not been applied; run 'lac apply' first" "$(cat "$T/err")"
expect_status "run with nothing applied" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run
expect_eq "nothing applied, nothing run" "" "$(cat "$T/out")"

# ---- apply twice ---------------------------------------------------------------------
expect_status "apply" 0 lac -C "$P" -q --now 2026-01-15T12:00:00Z apply --auto-approve --no-run
expect_status "apply again" 0 lac -C "$P" --now 2026-01-15T12:05:00Z apply --auto-approve --no-run
expect_eq "apply again changes nothing" "No changes. The applied state matches the files." "$(cat "$T/out")"
expect_eq "every definition stored" "0" "$(sqlite3 "$st" "SELECT COUNT(*) FROM audiences WHERE source IS NULL OR graph IS NULL")"

# ---- files that differ: the applied definition runs, with a warning ---------------------
cp "$P/audiences/pets.lac" "$T/pets.lac"
expect_status "run 1" 0 lac -C "$P" --now 2026-01-15T12:10:00Z run cat_owners
members=$(cut -d, -f2 "$T/out")
sed -i 's/"cat"/"dog"/' "$P/audiences/pets.lac"
expect_status "run of a changed file" 0 lac -C "$P" --now 2026-01-15T12:20:00Z run cat_owners
expect_eq "differs: the warning" "lac: warning: audience 'cat_owners' differs from what was applied; running the applied definition (see 'lac plan')" "$(cat "$T/err")"
expect_eq "differs: the applied members" "$members" "$(cut -d, -f2 "$T/out")"
echo 'audience broken {' >>"$P/audiences/pets.lac"
expect_status "run with a broken file" 0 lac -C "$P" --now 2026-01-15T12:30:00Z run cat_owners
expect_eq "broken file: the warning" "lac: warning: the project's files have errors (see 'lac check'); running the applied definitions" "$(cat "$T/err")"
for cmd in status "runs cat_owners" "delivery cat_owners"; do
	expect_status "$cmd with a broken file" 0 lac -C "$P" $cmd
done
cp "$T/pets.lac" "$P/audiences/pets.lac"

# ---- applied by an older lac (hash only) -------------------------------------------------
# its hash: the bare definition and the SQL the first apply recorded (plan_definitions)
v1=$("$py" - "$st" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for name, text, sql in db.execute("SELECT audience, text, sql FROM plan_definitions WHERE activation = ''"):
    if name == "cat_owners":
        print(hashlib.sha256(("lac-audience-v1\n" + text + "--\n" + sql).encode()).hexdigest())
PY
)
sqlite3 "$st" "UPDATE audiences SET hash = '$v1', source = NULL, graph = NULL WHERE name = 'cat_owners'"
expect_status "run of a hash-only audience" 1 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners
expect_eq "hash-only: the message" "lac: audience 'cat_owners' was applied by an older lac, which did not store its definition; run 'lac apply' to store it" "$(cat "$T/err")"
expect_status "plan of a hash-only audience" 0 lac -C "$P" plan --detailed-exitcode
expect_status "apply fills it in" 0 lac -C "$P" --now 2026-01-15T13:10:00Z apply --auto-approve --no-run
expect_eq "filled in without a change" "No changes. The applied state matches the files." "$(cat "$T/out")"
expect_eq "definition stored" "1" "$(sqlite3 "$st" "SELECT COUNT(*) FROM audiences WHERE name = 'cat_owners' AND source IS NOT NULL")"
expect_status "run after the fill-in" 0 lac -C "$P" --now 2026-01-15T13:20:00Z run cat_owners
expect_status "no change afterwards" 0 lac -C "$P" plan --detailed-exitcode

# ---- what is not a change --------------------------------------------------------------
cat >>"$P/graph.yaml" <<'YAML'
  # an entity no audience uses
YAML
sed -i 's/^entities:/entities:\n  - { slug: toy, table: TOYS, primary_key: id, columns: { id: STRING } }/' "$P/graph.yaml"
expect_status "check with an unused entity" 0 lac -C "$P" check
expect_status "an unused entity is no change" 0 lac -C "$P" plan --detailed-exitcode
# a lac whose SQL differs: the recorded SQL changes, the hash does not cover it
sqlite3 "$st" "UPDATE plan_definitions SET sql = 'SELECT 1' WHERE activation = ''"
expect_status "other SQL is no change" 0 lac -C "$P" plan --detailed-exitcode

finish
