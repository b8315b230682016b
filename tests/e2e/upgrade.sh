#!/bin/sh
# tests/e2e/upgrade.sh — a state the previous lac wrote (schema version 4,
# tests/upgrade/petshop-v4.sql) after an upgrade (issue 10): every read
# command reads it without migrating it (SPEC §1.2), plan sees no change
# though today's SQL differs (SPEC §5), apply migrates and fills in the
# definitions silently, and run works from them.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need sqlite3
P="$T/p"
lac init --example petshop "$P" >/dev/null
st="$P/.lac/state.db"
mkdir -p "$P/.lac"
sqlite3 "$st" <"$SRC/tests/upgrade/petshop-v4.sql"
cp "$st" "$T/v4.db"
now="--now 2026-01-15T12:00:00Z"

# ---- read-only: every read command works, the file stays as it was -------------------
expect_status "plan on the old state" 0 lac -C "$P" $now plan --detailed-exitcode
expect_eq "plan: no changes" "No changes. The applied state matches the files." "$(cat "$T/out")"
expect_status "plan --sql-diff on the old state" 0 lac -C "$P" $now plan --sql-diff
for cmd in status "runs cat_owners" "delivery cat_owners" "state show"; do
	expect_status "$cmd on the old state" 0 lac -C "$P" $now $cmd
	expect_eq "$cmd: no error" "" "$(cat "$T/err")"
done
expect_status "state export of the old state" 0 lac -C "$P" state export "$T/export.json"
expect_status "read-only commands left the old state alone" 0 cmp "$st" "$T/v4.db"
expect_eq "still version 4" "4" "$(sqlite3 "$st" "SELECT max(version) FROM schema_version")"

# ---- apply: migrates, no change reported, the definitions filled in --------------------
expect_status "apply after the upgrade" 0 lac -C "$P" $now apply --auto-approve --no-run
expect_eq "apply: no changes" "No changes. The applied state matches the files." "$(cat "$T/out")"
expect_eq "apply migrated" "1" "$(sqlite3 "$st" "SELECT max(version) > 4 FROM schema_version")"
expect_eq "every definition filled in" "0" "$(sqlite3 "$st" "SELECT count(*) FROM audiences WHERE source IS NULL OR graph IS NULL")"
expect_status "plan after apply" 0 lac -C "$P" $now plan --detailed-exitcode

# ---- run: from the filled-in definitions --------------------------------------------
expect_status "run after the upgrade" 0 lac -C "$P" $now run cat_owners
expect_eq "run: no warning" "" "$(cat "$T/err")"
expect_status "runs after the run" 0 lac -C "$P" runs cat_owners
expect_eq "one run recorded" "1" "$(sqlite3 "$st" "SELECT count(*) FROM runs WHERE audience = 'cat_owners' AND result = 'Live'")"

# ---- a real change to an old audience is still one --------------------------------------
cp "$T/v4.db" "$st"
sed -i 's/schedule    every 1 hour/schedule    every 2 hours/' "$P/audiences/pets.lac"
expect_status "plan of a changed old audience" 2 lac -C "$P" $now plan --detailed-exitcode
expect_eq "the change shown" "1" "$(grep -c '^  ~ audience cat_owners$' "$T/out")"
finish
