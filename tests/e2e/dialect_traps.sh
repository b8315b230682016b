#!/bin/sh
# tests/e2e/dialect_traps.sh — the fixes of the dialect audit (docs/dialects.md
# "Audit"): Redshift reads a JSON key without NULLIF (a real "" is the empty
# string; a missing key is already NULL), BigQuery reads a JSON null under an
# OBJECT key as null on a JSON column too, and a trait path of more than five
# keys, which Redshift's JSON_EXTRACT_PATH_TEXT cannot read, is E320 for
# `lac compile -d redshift` / `-d all` of any project (and for `lac check` of
# a Redshift project: tests/diagnostics/E320-json-too-deep), never SQL that
# fails in the warehouse.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

P="$T/proj"
mkdir -p "$P/audiences"
cp "$SRC/tests/diagnostics/E320-json-too-deep/graph.yaml" "$P/graph.yaml"
cat >"$P/lac.yaml" <<'YAML'
version: 1
name: traps
graph: graph.yaml
audiences: audiences
warehouse: { type: sqlite, path: data/warehouse.db, schema: lac }
YAML
cat >"$P/audiences/five.lac" <<'LAC'
audience five_keys {
  where { with trait geo.a.b.c.d.e }
}

audience empty_city {
  where { with trait address.city = "" }
}
LAC

# five keys: read in one call, no NULLIF around it
expect_status "compile -d redshift, five keys" 0 lac -C "$P" compile -d redshift
expect_eq "five keys in one JSON_EXTRACT_PATH_TEXT" 1 \
	"$(grep -c "JSON_EXTRACT_PATH_TEXT(p.geo, 'a', 'b', 'c', 'd', 'e', TRUE)" "$T/out")"
expect_eq "a real \"\" is not nulled" 0 "$(grep -c 'NULLIF' "$T/out")"
expect_eq "address.city = '' compares the text" 1 \
	"$(grep -c "JSON_EXTRACT_PATH_TEXT(p.address, 'city', TRUE) END = ''" "$T/out")"

# BigQuery: an OBJECT key without a predicate is null for a JSON null too
# (JSON_QUERY over a JSON column gives JSON 'null', not SQL NULL)
cat >"$P/audiences/geo.lac" <<'LAC'
audience has_geo_a {
  where { with trait geo.a }
}
LAC
expect_status "compile -d bigquery, an OBJECT key" 0 lac -C "$P" compile -d bigquery
expect_eq "a JSON null is not a present key" 1 \
	"$(grep -c "CASE WHEN TO_JSON_STRING(JSON_QUERY(p.geo, '\$.a')) <> 'null' THEN JSON_QUERY(p.geo, '\$.a') END IS NOT NULL" "$T/out")"
rm "$P/audiences/geo.lac"

# six keys: E320 wherever Redshift SQL is asked for, and only there
cat >"$P/audiences/six.lac" <<'LAC'
audience six_keys {
  where { with trait geo.a.b.c.d.e.f > 3 }
}
LAC
expect_status "check of a SQLite project" 0 lac -C "$P" check
expect_status "compile -d postgres" 0 lac -C "$P" compile -d postgres
expect_status "compile (the SQLite warehouse)" 0 lac -C "$P" compile
expect_status "compile -d redshift" 1 lac -C "$P" --color never compile -d redshift
expect_eq "E320 for -d redshift" "audiences/six.lac:2:22: error[E320]: trait path 'geo.a.b.c.d.e.f' reads 6 keys inside JSON; Redshift's JSON_EXTRACT_PATH_TEXT reads at most 5" \
	"$(head -1 "$T/err")"
expect_eq "no SQL for -d redshift" "" "$(cat "$T/out")"
expect_status "compile -d all" 1 lac -C "$P" --color never compile -d all
expect_eq "E320 once for -d all" 1 "$(grep -c 'error\[E320\]' "$T/err")"

# a window over a thousand years wide: SQLite's date functions give NULL past
# the years 0000-9999, so the point is clamped to the end of the calendar
F="$T/far"
lac init --example petshop "$F" >/dev/null
cat >"$F/audiences/far.lac" <<'LAC'
audience far_last { where { with entity households { created_at within last 1000000 weeks } } }
audience far_next { where { with entity households { created_at within next 1000000 weeks } } }
audience far_before { where { with entity households { created_at before last 1000000 weeks } } }
audience day_last { where { with entity households.pets { adopted_on within last 2000000000 days } } }
audience any_house { where { with entity households { created_at is not null } } }
audience any_pet { where { with entity households.pets { adopted_on is not null } } }
LAC
PY=/usr/bin/python3
count() { "$LAC" -C "$F" --now 2026-01-15T12:00:00Z --format json preview "$1" --limit 0 >"$T/far.json" &&
	"$PY" -c 'import json, sys; print(json.load(sys.stdin)["count"])' <"$T/far.json"; }
expect_eq "every household has a creation time" 10 "$(count any_house)"
expect_eq "within last 1000000 weeks: every past one" 10 "$(count far_last)"
expect_eq "within next 1000000 weeks: no past one" 0 "$(count far_next)"
expect_eq "before last 1000000 weeks: none" 0 "$(count far_before)"
n_pets=$(count any_pet)
[ "${n_pets:-0}" -gt 0 ] && pass || fail "some pet has an adoption date"
expect_eq "a DATE within last 2000000000 days: every past one" "$n_pets" "$(count day_last)"
finish
