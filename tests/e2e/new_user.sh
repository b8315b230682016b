#!/bin/sh
# tests/e2e/new_user.sh — the rough edges a new user hit (issue 12), each
# fixed: a SQLite warehouse file that does not exist is an error naming it
# and how to build it, the same for preview, apply and run, and neither
# apply nor run creates it at a mistyped warehouse.path.
. "${LAC_SRCDIR:-.}/tests/lib.sh"

P="$T/shop"
cp -R "$SRC/examples/petshop" "$P"
rm -rf "$P/data/warehouse.db" "$P/.lac" "$P/out"
NOW=2026-01-15T12:00:00Z

# ---- a missing SQLite warehouse --------------------------------------------------
msg="lac: the SQLite warehouse '$P/data/warehouse.db' (warehouse.path in lac.yaml) does not exist; build it with: sqlite3 $P/data/warehouse.db < $P/data/warehouse.sql"
expect_status "preview, no warehouse file" 1 lac -C "$P" --now $NOW preview cat_owners
expect_eq "preview names the file and how to build it" "$msg" "$(cat "$T/err")"
expect_status "apply, no warehouse file" 1 lac -C "$P" -q --now $NOW apply --auto-approve
expect_eq "apply says the same" "$msg" "$(sort -u "$T/err")"
expect_status "run, no warehouse file" 1 lac -C "$P" -q --now $NOW run
expect_eq "run says the same" "$msg" "$(sort -u "$T/err")"
[ ! -e "$P/data/warehouse.db" ] && pass || fail "apply/run created data/warehouse.db"

# a mistyped path: nothing is created there either
sed 's|path: data/warehouse.db|path: data/warehose.db|' "$SRC/examples/petshop/lac.yaml" >"$P/lac.yaml"
expect_status "run, mistyped warehouse.path" 1 lac -C "$P" -q --now $NOW run
grep -q "the SQLite warehouse '$P/data/warehose.db' (warehouse.path in lac.yaml) does not exist; create it with your data, or correct warehouse.path" "$T/err" &&
	pass || fail "the mistyped path's message"
[ ! -e "$P/data/warehose.db" ] && pass || fail "run created the mistyped warehouse file"

# once built, it runs
cp "$SRC/examples/petshop/lac.yaml" "$P/lac.yaml"
sqlite3 "$P/data/warehouse.db" <"$P/data/warehouse.sql"
expect_status "run, warehouse built" 0 lac -C "$P" -q --now $NOW run

finish
