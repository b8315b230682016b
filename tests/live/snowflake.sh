#!/bin/sh
# tests/live/snowflake.sh — the README flow against a real Snowflake account:
# preview, apply, run (twice: the second sends nothing) and plan --validate
# with `type: snowflake`.  Skipped (77) unless LAC_LIVE_SNOWFLAKE_ACCOUNT,
# _USER, _DATABASE, _WAREHOUSE and one of _KEY_FILE / _TOKEN are set (see
# docs/testing.md "Live tests"); _ROLE and _KEY_PASSPHRASE are optional.
# The petshop example's tables must exist in _DATABASE (schema PUBLIC and
# PROFILES, as tests/pg/load.py writes them); lac's own tables go to schema
# LAC_LIVE_<pid> (the snapshots are dropped at the end; drop the schema).
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

for v in ACCOUNT USER DATABASE WAREHOUSE; do
	eval "val=\${LAC_LIVE_SNOWFLAKE_$v:-}"
	[ -n "$val" ] || { echo "LAC_LIVE_SNOWFLAKE_$v is not set: skipped"; exit 77; }
done
if [ -n "${LAC_LIVE_SNOWFLAKE_KEY_FILE:-}" ]; then
	auth='  private_key_path: "${LAC_LIVE_SNOWFLAKE_KEY_FILE}"'
	[ -z "${LAC_LIVE_SNOWFLAKE_KEY_PASSPHRASE:-}" ] ||
		auth="$auth
  private_key_passphrase: \"\${LAC_LIVE_SNOWFLAKE_KEY_PASSPHRASE}\""
elif [ -n "${LAC_LIVE_SNOWFLAKE_TOKEN:-}" ]; then
	auth='  token: "${LAC_LIVE_SNOWFLAKE_TOKEN}"'
else
	echo "neither LAC_LIVE_SNOWFLAKE_KEY_FILE nor LAC_LIVE_SNOWFLAKE_TOKEN is set: skipped"; exit 77
fi
role=${LAC_LIVE_SNOWFLAKE_ROLE:+"  role: $LAC_LIVE_SNOWFLAKE_ROLE"}
schema="LAC_LIVE_$$"

P="$T/p"
lac init --example petshop "$P" >/dev/null
db=$LAC_LIVE_SNOWFLAKE_DATABASE
sed "s/table: [A-Z_]*\.\([A-Z_]*\.[A-Z_]*\)/table: $db.\1/" "$P/graph.yaml" >"$T/graph.yaml"
cp "$T/graph.yaml" "$P/graph.yaml"
awk -v auth="$auth" -v role="$role" -v db="$db" -v wh="$LAC_LIVE_SNOWFLAKE_WAREHOUSE" -v schema="$schema" '
	/^warehouse:/ { print "warehouse:\n  type: snowflake\n  account: \"${LAC_LIVE_SNOWFLAKE_ACCOUNT}\"\n  user: \"${LAC_LIVE_SNOWFLAKE_USER}\"\n" auth; if (role != "") print role; print "  warehouse: " wh "\n  database: " db "\n  schema: " schema "\n  timeout: 10m"; skip = 1; next }
	skip && /^[ \t]/ { next }
	{ skip = 0; print }
' "$P/lac.yaml" >"$T/lac.yaml" && cp "$T/lac.yaml" "$P/lac.yaml"

ex="$SRC/examples/petshop"
now=$(grep -o 'now = [0-9][0-9TZ:.-]*' "$ex/expected/README.md" | head -1 | cut -d' ' -f3)
members() {
	sed -n 's/.*"members": \[\(.*\)\].*/\1/p' | sed 's/", "/\n/g; s/^"//; s/"$//' | sed '/^$/d'
}
for a in cat_owners multi_dog_owners; do
	if lac -C "$P" --now "$now" --format json preview "$a" --all >"$T/out.json" 2>"$T/err"; then
		expect_eq "$a members on Snowflake" "$(cat "$ex/expected/$a.members")" "$(members <"$T/out.json")"
	else
		fail "$a: preview"; cat "$T/err" >&2
	fi
done
expect_status "plan --validate" 0 lac -C "$P" plan --validate
expect_status "apply" 0 lac -C "$P" -q apply --auto-approve --no-run
expect_status "first run" 0 lac -C "$P" run cat_owners multi_dog_owners
n=$(wc -l <"$P/out/events.jsonl" 2>/dev/null || echo 0)
expect_status "second run" 0 lac -C "$P" run cat_owners multi_dog_owners
expect_eq "the second run sends nothing" "$n" "$(wc -l <"$P/out/events.jsonl" 2>/dev/null || echo 0)"
# lac's tables go with the project's audiences: delete them, apply drops their snapshots
rm -f "$P"/audiences/*.lac
lac -C "$P" -q apply --auto-approve >/dev/null 2>&1 || true
finish
