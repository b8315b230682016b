#!/bin/sh
# tests/e2e/readme_examples.sh — README's `./lac -C examples/NAME ...`
# commands work as written after `make` in a fresh clone: the build made the
# examples' SQLite warehouses (mk/examples.am), and the commands write
# nothing into the examples.  Only a build in the source tree makes them
# (a VPATH build never writes there): elsewhere that part is skipped.  And
# README's sample diagnostic is what lac prints for that mistake in petshop.
. "${LAC_SRCDIR:-.}/tests/lib.sh"

# the diagnostic shown in README, from petshop with `type` misspelt
cp -R "$SRC/examples/petshop" "$T/shop"
sed -i 's/{ type = "cat" }/{ typ = "cat" }/' "$T/shop/audiences/pets.lac"
(cd "$T/shop" && "$LAC" --color never check) >/dev/null 2>"$T/diag" || true
sed -n '/^audiences\/pets.lac:[0-9]*:[0-9]*: error\[E201\]/,/^```$/p' "$SRC/README.md" | sed '$d' >"$T/readme_diag"
head -n 4 "$T/diag" >"$T/got_diag"
expect_file_eq "README's diagnostic is lac's" "$T/readme_diag" "$T/got_diag"

if [ ! "$(dirname "$LAC")" -ef "$SRC" ]; then
	echo "a VPATH build: the examples' warehouses are not built into the source tree"
	finish
	exit $?
fi
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 CLI not found" >&2; finish; exit $?; }

cd "$SRC"
for db in examples/*/data/warehouse.db; do
	[ -f "$db" ] && pass || fail "$db was not built by make"
done

# the commands, from README's Use section, as written
sed -n 's/^\(\.\/lac -C examples\/[^#]*\).*/\1/p' README.md >"$T/cmds"
[ "$(wc -l <"$T/cmds")" -ge 5 ] && pass || fail "README's -C examples commands not found"
ls -a examples/*/ >"$T/before"
while IFS= read -r cmd; do
	# ./lac is the binary under test
	set -- $cmd
	shift
	expect_status "README: $cmd" 0 lac "$@"
done <"$T/cmds"
ls -a examples/*/ >"$T/after"
expect_file_eq "README's commands wrote nothing into the examples" "$T/before" "$T/after"

# the preview lists the hand-checked members
lac -C examples/petshop --format json preview cat_owners --all --now 2026-01-15T12:00:00Z >"$T/out"
expect_eq "petshop's cat_owners" "$(tr '\n' ' ' <examples/petshop/expected/cat_owners.members)" \
	"$("${PYTHON3:-python3}" -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["members"]), end=" ")' "$T/out")"

finish
