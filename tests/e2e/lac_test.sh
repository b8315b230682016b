#!/bin/sh
# tests/e2e/lac_test.sh — `lac test` (SPEC §5 "Audience tests"): the
# examples' hand-checked members pass as audience tests whose fixture CSVs
# hold the same rows as data/warehouse.sql; a failing test exits 1 and says
# what is missing and unexpected; a bad test file is a diagnostic with
# file:line:col; NAMEs select tests; the project's warehouse is never used;
# --format json prints one document.
. "${LAC_SRCDIR:-.}/tests/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 CLI not found" >&2; exit 99; }
PY=${PYTHON3:-python3}

# ---- the examples: their tests pass, and agree with what they check ----------
for dir in "$SRC"/examples/*/; do
	[ -d "$dir/expected" ] || continue
	name=$(basename "$dir")
	proj="$T/$name"
	cp -R "$dir" "$proj"
	rm -rf "$proj/.lac" "$proj/out" "$proj/data/warehouse.db"

	# every hand-checked list is a test expecting exactly that list
	for m in "$proj"/expected/*.members; do
		aud=$(basename "$m" .members)
		tf="$proj/audiences/tests/$aud.test.yaml"
		if [ -f "$tf" ]; then pass; else fail "$name: no test for expected/$aud.members"; continue; fi
		want=$(tr '\n' ' ' <"$m" | sed 's/ $//; s/ /, /g')
		expect_eq "$name/$aud: the test expects expected/$aud.members" \
			"  members: [$want]" "$(grep '^  members:' "$tf")"
	done

	# the fixtures hold the rows of data/warehouse.sql
	sqlite3 "$T/$name.db" <"$proj/data/warehouse.sql"
	for csv in "$proj"/audiences/tests/fixtures/*.csv; do
		table=$(basename "$csv" .csv)
		sqlite3 -csv -header "$T/$name.db" "SELECT * FROM \"$table\"" >"$T/dump.csv"
		expect_file_eq "$name: fixtures/$table.csv is data/warehouse.sql's $table" "$T/dump.csv" "$csv"
	done

	# they pass, without the warehouse file (never built here)
	expect_status "$name: lac test" 0 lac -C "$proj" --color never test
	n=$(ls "$proj"/audiences/tests/*.test.yaml | wc -l)
	expect_eq "$name: the summary" "$n passed, 0 failed" "$(tail -n 1 "$T/out")"
	grep -q "temporary SQLite warehouse (not the project's warehouse)" "$T/out" && pass ||
		fail "$name: the output does not say the warehouse is temporary"
	[ ! -e "$proj/data/warehouse.db" ] && [ ! -e "$proj/.lac" ] && pass ||
		fail "$name: lac test wrote into the project"
done

# ---- a project of its own -------------------------------------------------------
P="$T/shop"
cp -R "$SRC/examples/petshop" "$P"
rm -rf "$P/audiences/tests" "$P/data/warehouse.db"
mkdir -p "$P/audiences/tests"
# the project's warehouse cannot even be named: lac test does not need it
sed 's|path: data/warehouse.db.*|path: "${NO_SUCH_DIR}/warehouse.db"|' "$SRC/examples/petshop/lac.yaml" >"$P/lac.yaml"
unset NO_SUCH_DIR || true
cat >"$P/audiences/tests/cats.test.yaml" <<'YAML'
test: cat households
audience: cat_owners
now: 2026-01-15T12:00:00Z
tables:
  SEGMENT.PROFILES.PROFILE_TRAITS:
    - { segment_id: p1, email: a@x, vip: true, address: { city: Lyon } }
    - { segment_id: p2, email: b@x, vip: null }
  SEGMENT.PROFILES.EXTERNAL_ID_MAPPING:
    - { segment_id: p1, external_id_type: email, external_id_value: a@x }
    - { segment_id: p2, external_id_type: email, external_id_value: b@x }
  PETS.PUBLIC.HOUSEHOLDS: households.csv
  PETS.PUBLIC.PETS:
    - { id: x1, household_id: h1, type: cat }
    - { id: x2, household_id: h2, type: dog }
expect:
  members: [p1]
YAML
printf 'id,owner_email,city,created_at\nh1,a@x,"Lyon, FR",2020-03-01T10:00:00Z\nh2,b@x,,\n' >"$P/audiences/tests/households.csv"
sed 's/^test: cat households/test: dog households/; s/members: \[p1\]/members: [p1, p3]/' \
	"$P/audiences/tests/cats.test.yaml" >"$P/audiences/tests/dogs.test.yaml"

expect_status "a passing test" 0 lac -C "$P" --color never test "cat households"
expect_status "a failing test" 1 lac -C "$P" --color never test
expect_eq "the failure says what differs" "2 audience tests...
FAIL  dog households (cat_owners, audiences/tests/dogs.test.yaml)
      missing:    p3
1 passed, 1 failed" "$(sed '1s/,.*/.../' "$T/out" | grep -v '^ok ')"
sed 's/members: \[p1, p3\]/members: []/' "$P/audiences/tests/dogs.test.yaml" >"$T/x" && mv "$T/x" "$P/audiences/tests/dogs.test.yaml"
expect_status "selected by audience, failing" 1 lac -C "$P" -q test cat_owners
expect_eq "-q: only the failure" "FAIL  dog households (cat_owners, audiences/tests/dogs.test.yaml)
      unexpected: p1
1 passed, 1 failed" "$(cat "$T/out")"
expect_status "selected by test name" 0 lac -C "$P" -q test "cat households"
expect_eq "-q prints nothing when all pass" "" "$(cat "$T/out")"
expect_status "an unknown NAME" 1 lac -C "$P" test nosuch
expect_eq "its message" "lac: no audience test is named 'nosuch' or tests an audience of that name" "$(cat "$T/err")"
[ ! -e "$P/.lac" ] && pass || fail "lac test created the state"

# JSON: one document listing the results
expect_status "json" 1 lac -C "$P" --format json test
expect_eq "json results" "temporary SQLite pass fail 1 1 p1 " "$("$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = {x["test"]: x for x in d["tests"]}
dog = t["dog households"]
print(d["warehouse"], t["cat households"]["result"], dog["result"], d["passed"], d["failed"],
      " ".join(dog["unexpected"]), " ".join(dog["missing"]))
' "$T/out")"

# ---- then: a data change and the events the run after it must produce -------------
cat >"$P/audiences/tests/dogs.test.yaml" <<'YAML'
test: a dog becomes a cat
audience: cat_owners
now: 2026-01-15T12:00:00Z
tables:
  SEGMENT.PROFILES.PROFILE_TRAITS:
    - { segment_id: p1, email: a@x, first_name: Ana }
    - { segment_id: p2, email: b@x, first_name: Ben }
  SEGMENT.PROFILES.EXTERNAL_ID_MAPPING:
    - { segment_id: p1, external_id_type: email, external_id_value: a@x }
    - { segment_id: p2, external_id_type: email, external_id_value: b@x }
  PETS.PUBLIC.HOUSEHOLDS: households.csv
  PETS.PUBLIC.PETS:
    - { id: x1, household_id: h1, type: cat }
    - { id: x2, household_id: h2, type: dog }
expect:
  members: [p1]
then:
  now: 2026-01-15T13:00:00Z
  tables:
    PETS.PUBLIC.PETS:
      - { id: x2, household_id: h2, type: cat }
  expect:
    events:
      - { type: track, event: Audience Entered, anonymousId: p2,
          properties: { first_name: Ben, cat_owners: true } }
YAML
ls "${TMPDIR:-/tmp}" | grep '^lac-audience-test' >"$T/tmp.before" || true
expect_status "then: the events match" 0 lac -C "$P" --color never test "a dog becomes a cat"
ls "${TMPDIR:-/tmp}" | grep '^lac-audience-test' >"$T/tmp.after" || true
expect_file_eq "then: the temporary state is removed" "$T/tmp.before" "$T/tmp.after"
sed 's/properties: { first_name: Ben/properties: { first_name: Bob/' "$P/audiences/tests/dogs.test.yaml" >"$T/x" && mv "$T/x" "$P/audiences/tests/dogs.test.yaml"
expect_status "then: an event that differs" 1 lac -C "$P" --color never test "a dog becomes a cat"
grep -q '^      missing event:    {"type":"track","event":"Audience Entered","anonymousId":"p2","properties":{"first_name":"Bob","cat_owners":true}}$' "$T/out" &&
	pass || fail "then: the missing event is shown"
grep -q '^      unexpected event: {.*"first_name":"Ben"' "$T/out" && pass || fail "then: the unexpected event is shown"
expect_status "then: json" 1 lac -C "$P" --format json test "a dog becomes a cat"
expect_eq "then: json events" "fail 1 Bob Ben" "$("$PY" -c '
import json, sys
t = json.load(open(sys.argv[1]))["tests"][0]
print(t["result"], len(t["events"]), t["missing_events"][0]["properties"]["first_name"],
      t["unexpected_events"][0]["properties"]["first_name"])
' "$T/out")"
[ ! -e "$P/.lac" ] && [ ! -e "$P/out" ] && pass || fail "then: wrote into the project"

# ---- bad test files are diagnostics -------------------------------------------------
cat >"$P/audiences/tests/dogs.test.yaml" <<'YAML'
test: bad
audience: cat_owner
now: 2026-01-15T12:00:00Z
tables:
  PETS.PUBLIC.PET: []
  PETS.PUBLIC.HOUSEHOLDS:
    - { id: h1, owner_mail: a@x, age: 3 }
  SEGMENT.PROFILES.PROFILE_TRAITS: traits.csv
expect:
  members: [p1]
YAML
printf 'segment_id,vip,ltv\np1,maybe,1x\n' >"$P/audiences/tests/traits.csv"
expect_status "a bad test file" 1 lac -C "$P" --color never test
grep -E '^[^ ]' "$T/err" | sed "s|$P/||" >"$T/diags"
cat >"$T/want" <<'TXT'
audiences/tests/dogs.test.yaml:2:11: error[E006]: unknown audience 'cat_owner'
audiences/tests/dogs.test.yaml:5:3: error[E006]: 'PETS.PUBLIC.PET' is not a table of the data graph
audiences/tests/dogs.test.yaml:7:17: error[E003]: unknown key 'owner_mail' in a row of table 'PETS.PUBLIC.HOUSEHOLDS'
audiences/tests/dogs.test.yaml:7:34: error[E003]: unknown key 'age' in a row of table 'PETS.PUBLIC.HOUSEHOLDS'
audiences/tests/traits.csv:2:4: error[E006]: column 'vip' is BOOLEAN: true or false, not 'maybe'
audiences/tests/traits.csv:2:10: error[E006]: column 'ltv' is a NUMBER, not '1x'
TXT
expect_file_eq "the diagnostics" "$T/want" "$T/diags"
grep -q "did you mean 'cat_owners'?" "$T/err" && pass || fail "no did-you-mean for the audience"
expect_status "bad test file, json" 1 lac -C "$P" --format json test
expect_eq "json diagnostics only" "6 E006" "$("$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(len(d), d[0]["code"])
' "$T/out")"

printf 'id,owner_email\n"h1"x,a\n' >"$P/audiences/tests/households.csv"
rm "$P/audiences/tests/dogs.test.yaml"
expect_status "a broken CSV" 1 lac -C "$P" --color never test
expect_eq "its position" "audiences/tests/households.csv:2:5: error[E002]: text after a closing quote" \
	"$(head -n 1 "$T/err")"

finish
