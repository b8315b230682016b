#!/bin/sh
# tests/e2e/examples.sh — every shipped example is a valid project: with its
# SQLite warehouse built from data/warehouse.sql, `lac check` exits 0 and
# prints no diagnostic at all (no error, no warning), and
# `lac --format json check` prints exactly `[]`.  No secret is set: check
# must not need the ${VAR}s of lac.yaml.
. "${LAC_SRCDIR:-.}/tests/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 CLI not found" >&2; exit 99; }
unset SEGMENT_WRITE_KEY HOOK_TOKEN || true

nexamples=0
for dir in "$SRC"/examples/*/; do
	[ -f "$dir/lac.yaml" ] || continue
	name=$(basename "$dir")
	nexamples=$((nexamples + 1))
	proj="$T/$name"
	cp -R "$dir" "$proj"
	rm -rf "$proj/.lac" "$proj/out" "$proj/data/warehouse.db"

	# the warehouse
	if [ -f "$proj/data/warehouse.sql" ]; then
		if sqlite3 "$proj/data/warehouse.db" <"$proj/data/warehouse.sql" 2>"$T/sqlite.err"; then
			pass
		else
			fail "$name: data/warehouse.sql does not load"
			sed 's/^/  /' "$T/sqlite.err" >&2
			continue
		fi
	else
		fail "$name: no data/warehouse.sql"
	fi

	# text diagnostics: none at all (the summary line is not a diagnostic)
	expect_status "$name: lac check" 0 lac -C "$proj" --color never check
	if grep -Eq '(error|warning)(\[[A-Z][0-9]+\])?:' "$T/err" "$T/out"; then
		fail "$name: lac check printed diagnostics"
		sed 's/^/  err: /' "$T/err" >&2
	else
		pass
	fi
	expect_status "$name: lac -q check" 0 lac -C "$proj" -q --color never check
	expect_eq "$name: lac -q check prints nothing" "" "$(cat "$T/out" "$T/err")"

	# JSON diagnostics: exactly []
	expect_status "$name: lac --format json check" 0 lac -C "$proj" --format json check
	expect_eq "$name: json diagnostics" "[]" "$(tr -d ' \n\t' <"$T/out")"

	# the examples are what newcomers copy: they stay in canonical layout
	expect_status "$name: lac fmt --check" 0 lac -C "$proj" fmt --check

	# checking must not have written anything into the project
	[ ! -e "$proj/.lac" ] && pass || fail "$name: check created .lac/"
	[ ! -e "$proj/out" ] && pass || fail "$name: check created out/"
done

[ "$nexamples" -ge 4 ] && pass || fail "expected at least 4 examples, found $nexamples"

# The seed examples carry hand-worked acceptance lists: every expected file
# names an audience of its project and is sorted in byte order, one id a line.
for f in "$SRC"/examples/*/expected/*.members; do
	[ -f "$f" ] || continue
	ex=$(basename "$(dirname "$(dirname "$f")")")
	aud=$(basename "$f" .members)
	if grep -Eqs "^[[:space:]]*audience[[:space:]]+$aud[[:space:]]*\{" $(find "$SRC/examples/$ex/audiences" -name '*.lac'); then
		pass
	else
		fail "$ex: expected/$aud.members names no audience"
	fi
	LC_ALL=C sort -c "$f" 2>/dev/null && pass || fail "$ex: expected/$aud.members is not sorted"
	if [ -z "$(LC_ALL=C uniq -d "$f")" ]; then pass; else fail "$ex: expected/$aud.members has duplicates"; fi
done

finish
