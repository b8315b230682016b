#!/bin/sh
# tests/e2e/check_files.sh — `lac check FILE...`: the whole project is loaded
# (names resolve across files) but only the named files' diagnostics are
# printed; errors elsewhere are counted on one line and fail the check; a
# file that is not the project's, or cannot be read, is an error.
. "${LAC_SRCDIR:-.}/tests/lib.sh"
PY=${PYTHON3:-python3}

P="$T/shop"
cp -R "$SRC/examples/petshop" "$P"
rm -rf "$P/data/warehouse.db" "$P/.lac"
cd "$P"

expect_status "a clean file" 0 lac --color never check audiences/pets.lac
expect_eq "its summary" "ok: 3 audiences in 1 file checked" "$(cat "$T/err")"
expect_status "lac.yaml, the graph and a file" 0 lac --color never check lac.yaml graph.yaml audiences/care.lac
expect_eq "their summary" "ok: 2 audiences in 3 files checked" "$(cat "$T/err")"

# an error in each audience file; care.lac's also names an audience of pets.lac
sed 's/type = "cat"/typ = "cat"/' "$SRC/examples/petshop/audiences/pets.lac" >audiences/pets.lac
printf '\naudience reads_cats {\n  where { part of audience cat_owner }\n}\n' >>audiences/care.lac

expect_status "only pets.lac" 1 lac --color never check audiences/pets.lac
grep -c '^audiences/' "$T/err" >"$T/n" || true
expect_eq "one diagnostic, in pets.lac" "1" "$(cat "$T/n")"
grep -q '^audiences/pets.lac:9:[0-9]*: error\[E201\]' "$T/err" && pass || fail "pets.lac's E201"
grep -q 'care.lac' "$T/err" && fail "care.lac's diagnostic printed" || pass
grep -q '^lac: 1 error in other files of the project (`lac check` lists them)$' "$T/err" && pass ||
	fail "the other files' errors are not counted"

expect_status "care.lac, json" 1 lac --format json check "$P/audiences/care.lac"
expect_eq "only care.lac's diagnostic" "1 E311 audiences/care.lac" "$("$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(len(d), d[0]["code"], d[0]["file"])
' "$T/out")"

expect_status "both" 1 lac --color never check audiences/care.lac audiences/pets.lac
expect_eq "both files' diagnostics, no other-files line" "2 errors, 0 warnings" "$(tail -n 1 "$T/err")"
grep -q 'other files' "$T/err" && fail "an other-files line with every erring file named" || pass

# -C: lac runs in DIR, so FILEs are read from there (as fmt's), or else
# from where lac was started; diagnostics show the project's paths
cd "$T"
expect_status "-C and a path from DIR" 1 lac -C shop --color never check audiences/pets.lac
grep -q '^audiences/pets.lac:9:' "$T/err" && pass || fail "-C: pets.lac's diagnostic"
expect_status "-C and a path from here" 1 lac -C shop --color never check shop/audiences/pets.lac
grep -q '^audiences/pets.lac:9:' "$T/err" && pass || fail "-C, a path from here: pets.lac's diagnostic"
expect_status "-C, json" 1 lac -C shop --format json check audiences/pets.lac
expect_eq "-C, json: the project's path" "audiences/pets.lac" \
	"$("$PY" -c 'import json, sys; print(json.load(sys.stdin)[0]["file"])' <"$T/out")"

expect_status "not a file of the project" 1 lac -C shop check README.md
expect_eq "its message" "lac: 'README.md' is not a file of the project (lac.yaml, the data graph or an audience file)" "$(cat "$T/err")"
expect_status "a missing file" 1 lac -C shop check audiences/nosuch.lac
expect_eq "its message" "lac: cannot read 'audiences/nosuch.lac': No such file or directory" "$(cat "$T/err")"
expect_status "an unknown option" 64 lac -C shop check --bogus
expect_eq "its message" "lac: unknown option '--bogus' for check
usage: lac check [FILE...]" "$(cat "$T/err")"

finish
