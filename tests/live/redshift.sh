#!/bin/sh
# tests/live/redshift.sh — `type: redshift` against a real cluster or
# serverless workgroup: the README flow (apply, a data change, run, events)
# after every audience previewed against the expected members and plan
# --validate.  Skipped (77) unless LAC_LIVE_REDSHIFT_DSN is set (a libpq
# DSN lac and psql connect with, e.g. "host=... port=5439 dbname=dev
# user=... password=... sslrootcert=amazon-trust-ca-bundle.crt"; the user
# needs CREATE on the database).  The petshop tables are loaded into
# scratch schemas lac_live_<time>_<pid>_public/_profiles, lac's own tables
# go to lac_live_<time>_<pid>; all three are dropped at the end.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

[ -n "${LAC_LIVE_REDSHIFT_DSN:-}" ] || { echo "LAC_LIVE_REDSHIFT_DSN is not set: skipped"; exit 77; }
py=/usr/bin/python3
need "$py" psql
scratch="lac_live_$(date +%s)_$$"
rs() { psql -q -t -A -v ON_ERROR_STOP=1 -d "$LAC_LIVE_REDSHIFT_DSN" "$@"; }
trap 'for s in ${scratch}_public ${scratch}_profiles $scratch; do rs -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || true; done; rm -rf "$T"' EXIT

# petshop's tables: DATABASE.SCHEMA.TABLE -> <scratch>_schema.TABLE, in
# Redshift's types (VARCHAR JSON, as the redshift dialect reads it)
P="$T/p"
ex="$SRC/examples/petshop"
lac init --example petshop "$P" >/dev/null
lac -C "$P" graph --format json >"$T/graph.json"
"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$P/data/warehouse.db" >"$T/load.sql"
sed -e '/^SET /d' \
	-e "s/^\(CREATE SCHEMA IF NOT EXISTS\|DROP TABLE IF EXISTS\|CREATE TABLE\|INSERT INTO\) \([A-Z_]*\)/\1 ${scratch}_\2/" \
	-e '/^CREATE TABLE/s/ TEXT/ VARCHAR(65535)/g; /^CREATE TABLE/s/ NUMERIC/ DOUBLE PRECISION/g' \
	-e '/^CREATE TABLE/s/ JSONB/ VARCHAR(65535)/g' \
	-e "s/'\([0-9]\{4\}-[0-9][0-9]-[0-9][0-9]\)T\([0-9:.]*\)Z'/'\1 \2'/g" "$T/load.sql" >"$T/load.rs"
rs -f "$T/load.rs" >"$T/load.log" 2>&1 || { cat "$T/load.log" >&2; exit 1; }
sed "s/table: [A-Z_]*\.\([A-Z_]*\)\.\([A-Z_]*\)/table: ${scratch}_\1.\2/" "$P/graph.yaml" >"$T/graph.yaml"
cp "$T/graph.yaml" "$P/graph.yaml"
awk -v schema="$scratch" '
	/^warehouse:/ { print "warehouse:\n  type: redshift\n  dsn: \"${LAC_LIVE_REDSHIFT_DSN}\"\n  schema: " schema "\n  timeout: 10m"; skip = 1; next }
	skip && /^[ \t]/ { next }
	{ skip = 0; print }
' "$P/lac.yaml" >"$T/lac.yaml" && cp "$T/lac.yaml" "$P/lac.yaml"
export LAC_LIVE_REDSHIFT_DSN

members() {
	sed -n 's/.*"members": \[\(.*\)\].*/\1/p' | sed 's/", "/\n/g; s/^"//; s/"$//' | sed '/^$/d'
}
now=$(grep -o 'now = [0-9][0-9TZ:.-]*' "$ex/expected/README.md" | head -1 | cut -d' ' -f3)
for f in "$ex"/expected/*.members; do
	a=$(basename "$f" .members)
	if lac -C "$P" --now "$now" --format json preview "$a" --all >"$T/out.json" 2>"$T/err"; then
		expect_eq "$a members on Redshift" "$(cat "$f")" "$(members <"$T/out.json")"
	else
		fail "$a: preview failed"; cat "$T/err" >&2
	fi
done
expect_status "plan --validate" 0 lac -C "$P" --now "$now" plan --validate

# the README flow: apply, a baseline run, the data change of
# tests/e2e/run_crash.sh, a run sending its events once each, a quiet run
ev="$P/out/events.jsonl"
expect_status "apply" 0 lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run
expect_status "baseline run" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run cat_owners multi_dog_owners
before=$(wc -l 2>/dev/null <"$ev" || echo 0)
rs -c "DELETE FROM ${scratch}_public.pets WHERE id IN ('x11', 'x13');
	INSERT INTO ${scratch}_public.pets VALUES ('x30', 'h02', 'Mia', 'cat', 2, '2025-01-01'),
	  ('x31', 'h02', 'Odie', 'dog', 3, '2025-01-01'), ('x32', 'h10', 'Pluto', 'dog', 4, '2025-01-01');"
expect_status "run after the change" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners multi_dog_owners
expect_eq "the change's events once each" "dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x03|true
dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x31|true
dog_bundle|track|Dog Bundle Eligible|anon:p09|households.pets|x32|true
welcome_cat|track|Audience Entered|anon:p02|-|-|true" "$("$py" "$SRC/tests/e2e/run_lib.py" summary "$ev" "$before")"
expect_status "messageIds unique" 0 "$py" "$SRC/tests/e2e/run_lib.py" ids "$ev"
n=$(wc -l <"$ev")
expect_status "quiet run" 0 lac -C "$P" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
expect_eq "the quiet run sends nothing" "$n" "$(wc -l <"$ev")"
finish
