#!/bin/sh
# tests/live/bigquery.sh — lac against a real BigQuery project: the petshop
# example's tables loaded into scratch datasets, every audience previewed
# against the expected members, then apply, a run and a quiet run.  In
# `make check`, skipped (77) unless these are set (docs/testing.md):
#   LAC_LIVE_BIGQUERY_PROJECT      the project (billing; jobs run there)
#   LAC_LIVE_BIGQUERY_TOKEN        an access token (gcloud auth print-access-token):
#                                  loads the data, and lac signs in with it
#   LAC_LIVE_BIGQUERY_CREDENTIALS  optional: a service-account key lac signs in with instead
#   LAC_LIVE_BIGQUERY_LOCATION     optional, default US
#   LAC_LIVE_BIGQUERY_DATASET      optional prefix of the scratch datasets, default lac_live
# The scratch datasets (<prefix>_PUBLIC, <prefix>_PROFILES, <prefix>_lac) are
# dropped at the end.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

if [ -z "${LAC_LIVE_BIGQUERY_PROJECT:-}" ] || [ -z "${LAC_LIVE_BIGQUERY_TOKEN:-}" ]; then
	echo "LAC_LIVE_BIGQUERY_PROJECT and LAC_LIVE_BIGQUERY_TOKEN are not set: skipped"
	exit 77
fi
py=/usr/bin/python3
need "$py"
project=$LAC_LIVE_BIGQUERY_PROJECT
location=${LAC_LIVE_BIGQUERY_LOCATION:-US}
prefix=${LAC_LIVE_BIGQUERY_DATASET:-lac_live}
ex="$SRC/examples/petshop"
P="$T/p"
lac init --example petshop "$P" >/dev/null
# DATABASE.SCHEMA.TABLE -> project.<prefix>_schema.TABLE
sed "s/table: [A-Z_]*\.\([A-Z_]*\)\.\([A-Z_]*\)/table: $project.${prefix}_\1.\2/" "$P/graph.yaml" >"$T/graph.yaml"
cp "$T/graph.yaml" "$P/graph.yaml"
auth='  token: "${LAC_LIVE_BIGQUERY_TOKEN}"'
[ -n "${LAC_LIVE_BIGQUERY_CREDENTIALS:-}" ] && auth='  credentials: "${LAC_LIVE_BIGQUERY_CREDENTIALS}"'
awk -v p="$project" -v loc="$location" -v ds="${prefix}_lac" -v auth="$auth" '
	/^warehouse:/ { print "warehouse:\n  type: bigquery\n  project: " p "\n  location: " loc "\n" auth "\n  schema: " ds "\n  timeout: 10m"; skip = 1; next }
	skip && /^[ \t]/ { next }
	{ skip = 0; print }
' "$P/lac.yaml" >"$T/lac.yaml" && cp "$T/lac.yaml" "$P/lac.yaml"
lac -C "$P" graph --format json >"$T/graph.json"

bq_sql() { # run each statement of stdin (one per line) as a jobs.query
	"$py" "$SRC/tests/live/bigquery_sql.py" "$project" "$location"
}
trap 'printf "DROP SCHEMA IF EXISTS \`%s.%s\` CASCADE\n" "$project" "${prefix}_PUBLIC" "$project" "${prefix}_PROFILES" "$project" "${prefix}_lac" | bq_sql || true; rm -rf "$T"' EXIT
"$py" "$SRC/tests/live/bigquery_sql.py" --load "$T/graph.json" "$P/data/warehouse.db" "$location" | bq_sql

members() {
	sed -n 's/.*"members": \[\(.*\)\].*/\1/p' | sed 's/", "/\n/g; s/^"//; s/"$//' | sed '/^$/d'
}
now=$(grep -o 'now = [0-9][0-9TZ:.-]*' "$ex/expected/README.md" | head -1 | cut -d' ' -f3)
for f in "$ex"/expected/*.members; do
	a=$(basename "$f" .members)
	if lac -C "$P" --now "$now" --format json preview "$a" --all >"$T/out.json" 2>"$T/err"; then
		expect_eq "$a members on BigQuery" "$(cat "$f")" "$(members <"$T/out.json")"
	else
		fail "$a: preview failed"; cat "$T/err" >&2
	fi
done
expect_status "plan --validate" 0 lac -C "$P" --now "$now" plan --validate
lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
expect_status "run" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run cat_owners multi_dog_owners
expect_status "quiet run" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners multi_dog_owners
finish
