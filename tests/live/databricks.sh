#!/bin/sh
# tests/live/databricks.sh — `type: databricks` against a real workspace,
# only when these are set (else skipped, 77):
#   LAC_LIVE_DATABRICKS_ENDPOINT      the workspace URL (https://adb-....azuredatabricks.net)
#   LAC_LIVE_DATABRICKS_WAREHOUSE_ID  a SQL warehouse the identity may use
#   LAC_LIVE_DATABRICKS_TOKEN         a personal access token
#   LAC_LIVE_DATABRICKS_CATALOG       optional (default main): where the test
#                                     creates its scratch schemas (CREATE SCHEMA needed)
# It loads the petshop example's tables into scratch schemas
# lac_live_<time>_<pid>_*, checks the members of every audience and one run,
# and drops the scratch schemas at the end.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

if [ -z "${LAC_LIVE_DATABRICKS_ENDPOINT:-}" ] || [ -z "${LAC_LIVE_DATABRICKS_WAREHOUSE_ID:-}" ] ||
	[ -z "${LAC_LIVE_DATABRICKS_TOKEN:-}" ]; then
	echo "LAC_LIVE_DATABRICKS_ENDPOINT, _WAREHOUSE_ID and _TOKEN not set: skipped"
	exit 77
fi
py=/usr/bin/python3
need "$py"
catalog=${LAC_LIVE_DATABRICKS_CATALOG:-main}
scratch="lac_live_$(date +%s)_$$"

# One statement through the API (synchronous, 50 s), for the set-up only.
sql() {
	"$py" - "$1" <<'EOF'
import json, os, sys, time, urllib.request
base = os.environ["LAC_LIVE_DATABRICKS_ENDPOINT"].rstrip("/")
hdr = {"Authorization": "Bearer " + os.environ["LAC_LIVE_DATABRICKS_TOKEN"],
       "Content-Type": "application/json"}
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, headers=hdr,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.load(r)
st = call("POST", "/api/2.0/sql/statements",
          {"warehouse_id": os.environ["LAC_LIVE_DATABRICKS_WAREHOUSE_ID"], "statement": sys.argv[1],
           "wait_timeout": "50s", "on_wait_timeout": "CONTINUE"})
while st["status"]["state"] in ("PENDING", "RUNNING"):
    time.sleep(1)
    st = call("GET", "/api/2.0/sql/statements/" + st["statement_id"])
if st["status"]["state"] != "SUCCEEDED":
    sys.exit("%s: %s" % (st["status"]["state"], st["status"].get("error")))
EOF
}
schemas=
cleanup() {
	for s in $schemas; do sql "DROP SCHEMA IF EXISTS \`$catalog\`.\`$s\` CASCADE" || true; done
	rm -rf "$T"
}
trap cleanup EXIT

# petshop's tables, each DB.SCHEMA.TABLE of graph.yaml as catalog.<scratch>_schema.table
P="$T/p"
lac init --example petshop "$P" >/dev/null
lac -C "$P" graph --format json >"$T/graph.json"
"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$P/data/warehouse.db" >"$T/load.sql"
for s in $(sed -n 's/.*table: [A-Za-z_]*\.\([A-Za-z_]*\)\.[A-Za-z_]*.*/\1/p' "$P/graph.yaml" | sort -u); do
	sql "CREATE SCHEMA IF NOT EXISTS \`$catalog\`.\`${scratch}_$s\`"
	schemas="$schemas ${scratch}_$s"
done
schemas="$schemas $scratch"
sed "s/table: [A-Za-z_]*\.\([A-Za-z_]*\)\.\([A-Za-z_]*\)/table: $catalog.${scratch}_\1.\2/" "$P/graph.yaml" \
	>"$T/graph.yaml"
cp "$T/graph.yaml" "$P/graph.yaml"
# PostgreSQL's DDL and literals as Databricks SQL, one statement per line
sed -e '/^\(CREATE TABLE\|INSERT INTO\) /!d' \
	-e "s/^\(CREATE TABLE\|INSERT INTO\) \([A-Za-z_]*\)\.\([A-Za-z_]*\)/\1 $catalog.${scratch}_\2.\3/" \
	-e '/^CREATE TABLE/s/ TEXT/ STRING/g; /^CREATE TABLE/s/ NUMERIC/ DOUBLE/g' \
	-e '/^CREATE TABLE/s/ JSONB/ STRING/g; s/;$//' "$T/load.sql" >"$T/load.dbx"
while IFS= read -r stmt; do
	[ -n "$stmt" ] && sql "$stmt"
done <"$T/load.dbx"

awk -v wh="$LAC_LIVE_DATABRICKS_WAREHOUSE_ID" -v url="$LAC_LIVE_DATABRICKS_ENDPOINT" -v cat="$catalog" -v sch="$scratch" '
	/^warehouse:/ { print "warehouse:\n  type: databricks\n  endpoint: " url "\n  warehouse_id: " wh "\n  token: \"${LAC_LIVE_DATABRICKS_TOKEN}\"\n  catalog: " cat "\n  schema: " sch "\n  timeout: 10m"; skip = 1; next }
	skip && /^[ \t]/ { next }
	{ skip = 0; print }
' "$P/lac.yaml" >"$T/lac.yaml" && cp "$T/lac.yaml" "$P/lac.yaml"

members() {
	sed -n 's/.*"members": \[\(.*\)\].*/\1/p' | sed 's/", "/\n/g; s/^"//; s/"$//' | sed '/^$/d'
}
ex="$SRC/examples/petshop"
now=$(grep -o 'now = [0-9][0-9TZ:.-]*' "$ex/expected/README.md" | head -1 | cut -d' ' -f3)
for a in cat_owners multi_dog_owners petless_households vet_clients recent_buyers; do
	if ! lac -C "$P" --now "$now" --format json preview "$a" --all >"$T/out.json" 2>"$T/err"; then
		fail "$a: preview on Databricks failed"; cat "$T/err" >&2; continue
	fi
	expect_eq "$a members on Databricks" "$(cat "$ex/expected/$a.members")" "$(members <"$T/out.json")"
done
expect_status "plan --validate" 0 lac -C "$P" --now "$now" plan --validate
expect_status "apply" 0 lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run
expect_status "run" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run cat_owners multi_dog_owners
expect_status "quiet run" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners multi_dog_owners
finish
