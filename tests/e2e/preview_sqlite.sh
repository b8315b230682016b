#!/bin/sh
# tests/e2e/preview_sqlite.sh — run every example audience that has hand-checked
# members (examples/<x>/expected/<audience>.members) on the embedded SQLite
# warehouse with `lac preview --all --format json` and compare the members.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

# The reference time an example's expected members were worked out at.
ref_now() {
	grep -o 'now = [0-9][0-9TZ:.-]*' "$1/expected/README.md" 2>/dev/null | head -1 | cut -d' ' -f3
}

# Members from the JSON object (one per line), without a JSON tool.
members() {
	sed -n 's/.*"members": \[\(.*\)\].*/\1/p' | sed 's/", "/\n/g; s/^"//; s/"$//' | sed '/^$/d'
}

for dir in "$SRC"/examples/*/; do
	ex=$(basename "$dir")
	[ -d "$dir/expected" ] || continue
	now=$(ref_now "$dir")
	[ -n "$now" ] || { fail "$ex: no reference time in expected/README.md"; continue; }
	proj="$T/$ex"
	if ! lac init --example "$ex" "$proj" >/dev/null 2>"$T/err"; then
		fail "$ex: lac init failed"; cat "$T/err" >&2; continue
	fi
	for f in "$dir"/expected/*.members; do
		a=$(basename "$f" .members)
		if ! lac -C "$proj" --now "$now" --format json preview "$a" --all >"$T/out.json" 2>"$T/err"; then
			fail "$ex/$a: preview failed"; cat "$T/err" >&2; continue
		fi
		got=$(members <"$T/out.json")
		expect_eq "$ex/$a members" "$(cat "$f")" "$got"
		count=$(sed -n 's/.*"count": \([0-9]*\).*/\1/p' "$T/out.json")
		expect_eq "$ex/$a count" "$(sed '/^$/d' "$f" | wc -l | tr -d ' ')" "$count"
	done
done

# JSON shape, limits, matched entities and errors on petshop
pet="$T/petshop"
lac -C "$pet" --now 2026-01-15T12:00:00Z --format json preview multi_dog_owners --all --entities households.pets >"$T/m.json"
expect_eq "json object" '{"audience": "multi_dog_owners", "target": "profile", "now": "2026-01-15T12:00:00Z", "count": 3, "members": ["p03", "p07", "p09"], "matched": [{"member": "p03", "entity": "x04"}, {"member": "p03", "entity": "x05"}, {"member": "p07", "entity": "x12"}, {"member": "p07", "entity": "x13"}, {"member": "p09", "entity": "x14"}, {"member": "p09", "entity": "x15"}]}' "$(cat "$T/m.json")"
lac -C "$pet" --now 2026-01-15T12:00:00Z preview multi_dog_owners --limit 1 >"$T/t.txt"
expect_eq "text with --limit 1" "multi_dog_owners: 3 members (target profile, now 2026-01-15T12:00:00Z)
  p03
  ... 2 more (--all lists every member)" "$(cat "$T/t.txt")"
expect_status "unknown audience" 1 lac -C "$pet" preview nope
expect_status "unknown entities path" 1 lac -C "$pet" preview cat_owners --entities households.vets
expect_status "no audience" 64 lac -C "$pet" preview
# a warehouse error names the audience's file:line and the warehouse's message
sqlite3_drop() { lac -C "$pet" preview cat_owners >/dev/null 2>&1; }
rm -f "$pet/data/warehouse.db"
: >"$pet/data/warehouse.db"
expect_status "warehouse error" 1 lac -C "$pet" preview cat_owners
if grep -q "audiences/pets.lac:3" "$T/err" && grep -qi "no such table" "$T/err"; then pass; else
	fail "warehouse error message"; cat "$T/err" >&2; fi

finish
