#!/bin/sh
# tests/e2e/install.sh — `make install` into a temporary prefix, the tree
# then moved elsewhere: the installed lac finds its stdlib and examples
# beside itself (../share/lac), not at the prefix it was built for nor in
# the source tree, and runs an example (init, check, preview).
. "${LAC_SRCDIR:-.}/tests/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 CLI not found" >&2; exit 77; }
BUILD=$(dirname "$LAC")
unset LAC_STDLIB_DIR LAC_EXAMPLES_DIR || true

if ${MAKE:-make} -C "$BUILD" install prefix="$T/inst" >"$T/make.log" 2>&1; then pass; else
	fail "make install prefix=..."
	sed 's/^/  /' "$T/make.log" >&2
	finish
fi
mv "$T/inst" "$T/moved"
L="$T/moved/bin/lac"
[ -x "$L" ] && pass || fail "no bin/lac installed"
[ -f "$T/moved/share/man/man1/lac.1" ] && pass || fail "no man page installed"
ls "$T"/moved/share/lac/examples/*/data/*.db >/dev/null 2>&1 && fail "warehouse.db files installed" || pass

# markers only the moved tree has prove which stdlib and examples were read
echo "marker" >"$T/moved/share/lac/examples/petshop/INSTALLED"
mkdir -p "$T/moved/share/lac/stdlib/graph"
cat >"$T/moved/share/lac/stdlib/graph/installed_only.yaml" <<'YAML'
version: 1
entities:
  - slug: installed_thing
    table: THINGS
    primary_key: id
    columns: { id: STRING }
YAML

expect_status "init from the moved install" 0 "$L" -q init "$T/proj"
[ -f "$T/proj/INSTALLED" ] && pass || fail "init did not copy the installed examples"
[ -f "$T/proj/data/warehouse.db" ] && pass || fail "init did not build the warehouse"
expect_status "check" 0 "$L" -C "$T/proj" check
expect_status "preview" 0 "$L" -C "$T/proj" --format json --now 2026-01-15T12:00:00Z preview cat_owners --all
expect_eq "preview's members" "$(tr '\n' ' ' <"$SRC/examples/petshop/expected/cat_owners.members")" \
	"$("${PYTHON3:-python3}" -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["members"]), end=" ")' "$T/out")"

# a stdlib include resolves in the moved stdlib
sed 's/^version: 1$/version: 1\ninclude: stdlib\/graph\/installed_only.yaml/' "$T/proj/graph.yaml" >"$T/g" && mv "$T/g" "$T/proj/graph.yaml"
expect_status "a graph including the installed stdlib" 0 "$L" -C "$T/proj" check

finish
