#!/bin/sh
# tests/e2e/compile_golden.sh — `lac compile -d all` of every example project
# must equal tests/golden/<example>/<dialect>/<audience>.sql byte for byte.
#
# The `--emit run` scripts of a few audiences are kept in tests/golden/emit-run.
# Regenerate after an intended change to the generator (then review the diff):
#   LAC_REGEN=1 LAC=/path/to/build/lac sh tests/e2e/compile_golden.sh
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

for dir in "$SRC"/examples/*/; do
	ex=$(basename "$dir")
	[ -f "$dir/lac.yaml" ] || continue
	out="$T/$ex"
	if ! lac -C "$dir" compile -d all -o "$out" 2>"$T/err"; then
		fail "$ex: lac compile -d all failed"
		cat "$T/err" >&2
		continue
	fi
	if [ "${LAC_REGEN:-0}" = 1 ]; then
		rm -rf "$SRC/tests/golden/$ex"
		mkdir -p "$SRC/tests/golden"
		cp -R "$out" "$SRC/tests/golden/$ex"
		echo "regenerated tests/golden/$ex"
		continue
	fi
	if [ ! -d "$SRC/tests/golden/$ex" ]; then
		fail "$ex: no goldens in tests/golden/$ex (run with LAC_REGEN=1)"
		continue
	fi
	if diff -ru "$SRC/tests/golden/$ex" "$out" >"$T/diff"; then pass; else
		fail "$ex: compiled SQL differs from tests/golden/$ex"
		head -80 "$T/diff" >&2
	fi
	# every dialect directory holds one file per audience
	for d in snowflake bigquery redshift databricks postgres sqlite; do
		n=$(ls "$out/$d" | wc -l)
		expect_eq "$ex/$d has every audience" "$(ls "$out/sqlite" | wc -l)" "$n"
	done
	# deterministic: a second run is byte-identical, stdout is the files concatenated
	lac -C "$dir" compile -d all -o "$T/again-$ex" 2>/dev/null
	if diff -r "$out" "$T/again-$ex" >/dev/null; then pass; else fail "$ex: second compile differs"; fi
done

# `--emit run` goldens: the whole script of audiences with entity triggers
# and enrichment, and of one that reads back a trait of every type
# (tests/fakes/typed), in every dialect (tests/golden/emit-run/<project>/<dialect>/;
# compile_sqlglot.sh parses them too).  LAC_REGEN=1 regenerates them as well.
for spec in examples/petshop:multi_dog_owners examples/petshop:cat_owners \
	examples/subscriptions:enterprise_accounts examples/kitchen-sink:ks_activations \
	tests/fakes/typed:typed_values; do
	dir=${spec%%:*} a=${spec#*:}
	ex=${dir##*/}
	for d in snowflake bigquery redshift databricks postgres sqlite; do
		mkdir -p "$T/emit-run/$ex/$d"
		lac -C "$SRC/$dir" --now 2026-01-15T12:00:00Z compile -d "$d" --emit run "$a" \
			>"$T/emit-run/$ex/$d/$a.sql" 2>"$T/err" || { fail "$ex: --emit run -d $d $a"; cat "$T/err" >&2; }
	done
done
if [ "${LAC_REGEN:-0}" = 1 ]; then
	rm -rf "$SRC/tests/golden/emit-run"
	cp -R "$T/emit-run" "$SRC/tests/golden/emit-run"
	echo "regenerated tests/golden/emit-run"
elif diff -ru "$SRC/tests/golden/emit-run" "$T/emit-run" >"$T/diff"; then pass; else
	fail "--emit run scripts differ from tests/golden/emit-run"
	head -80 "$T/diff" >&2
fi

pet="$SRC/examples/petshop"
# default dialect is the warehouse's (sqlite for petshop)
lac -C "$pet" compile cat_owners >"$T/one.sql"
expect_eq "default dialect header" "-- audience cat_owners (audiences/pets.lac:3), dialect sqlite" "$(head -1 "$T/one.sql")"
expect_file_eq "stdout equals the -o file" "$T/petshop/sqlite/cat_owners.sql" "$T/one.sql"
# --now puts a literal reference time in the SQL
lac -C "$pet" --now 2026-01-15T12:00:00Z compile -d postgres recent_buyers >"$T/now.sql"
if grep -q "TIMESTAMP '2026-01-15 12:00:00'" "$T/now.sql"; then pass; else fail "--now literal missing"; cat "$T/now.sql" >&2; fi
if grep -q "now()" "$T/now.sql"; then fail "--now still uses now()"; else pass; fi
# usage errors and unknown names
expect_status "unknown dialect is a usage error" 64 lac -C "$pet" compile -d snowfake
if grep -q "unknown dialect 'snowfake'" "$T/err"; then pass; else fail "unknown dialect message"; cat "$T/err" >&2; fi
expect_status "unknown audience" 1 lac -C "$pet" compile no_such_audience
if grep -q "unknown audience 'no_such_audience'" "$T/err"; then pass; else fail "unknown audience message"; fi
expect_status "bad --emit" 64 lac -C "$pet" compile --emit everything
expect_status "--emit run" 0 lac -C "$pet" compile -d snowflake --emit run multi_dog_owners
# the whole script, in order: materialize, diff, events, swap (run.c's own builders)
expect_eq "--emit run steps" "lac's tables
duplicate primary keys of entity household
duplicate primary keys of entity pet
materialize the new snapshot (members)
materialize the matched entities of the new snapshot
the previous snapshot (created empty on a fresh warehouse)
count the members that entered and exited
membership log (entered)
membership log (exited)
events of activation dog_bundle (entity added)
record the new generation (one transaction)
swap the snapshots" \
	"$(sed -n 's/^-- audience multi_dog_owners (audiences\/pets.lac:[0-9]*): //p' "$T/out" | uniq)"
lac -C "$pet" compile -d snowflake --emit run multi_dog_owners >"$T/again.sql"
expect_file_eq "--emit run is deterministic" "$T/out" "$T/again.sql"
# sqlite and postgres scripts of every example parse with sqlglot (when installed)
for dir in "$SRC"/examples/*/; do
	[ -f "$dir/lac.yaml" ] || continue
	for d in sqlite postgres; do
		mkdir -p "$T/run/$d"
		lac -C "$dir" --now 2026-01-15T12:00:00Z compile -d "$d" --emit run \
			>"$T/run/$d/$(basename "$dir").sql" 2>/dev/null || fail "$dir: --emit run -d $d"
	done
done
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import sqlglot' 2>/dev/null; then
	if /usr/bin/python3 "$SRC/tests/sqlglot_check.py" "$T/run" >"$T/sg" 2>&1; then pass; else
		fail "sqlglot rejects --emit run SQL"; cat "$T/sg" >&2; fi
fi

# -o leaves a file that already holds the same SQL alone (same bytes, same
# mtime) and rewrites one whose SQL changed
lac init --example petshop "$T/keep" >/dev/null
expect_status "compile -o" 0 lac -C "$T/keep" --now 2026-01-15T12:00:00Z compile -d sqlite -o "$T/keep/out"
touch -d '2020-01-01 00:00:00' "$T/keep/out/sqlite/cat_owners.sql" "$T/keep/out/sqlite/vet_clients.sql"
sed -i 's/type = "cat"/type = "kitten"/' "$T/keep/audiences/pets.lac"
expect_status "compile -o again" 0 lac -C "$T/keep" --now 2026-01-15T12:00:00Z compile -d sqlite -o "$T/keep/out"
expect_eq "an unchanged file is not rewritten" 2020 "$(date -r "$T/keep/out/sqlite/vet_clients.sql" +%Y)"
grep -q "'kitten'" "$T/keep/out/sqlite/cat_owners.sql" && pass || fail "a changed audience's file is rewritten"

finish
