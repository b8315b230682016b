#!/bin/sh
# tests/e2e/run_paths.sh — a run keeps the matched entities of every path its
# activations need, however many the audience names: here 65 relationships
# (one more than the 64 a run used to keep), the last one an entity trigger.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need sqlite3
P="$T/p"
lac init --example petshop "$P" >/dev/null
# h1..h65: 65 relationships to the same households, each a path of its own
i=1
while [ $i -le 65 ]; do
	printf '    - slug: h%d\n      name: H%d\n      entity: household\n' $i $i
	printf '      external_id: { type: email, join_key: owner_email }\n'
	i=$((i + 1))
done >>"$P/graph.yaml"
{
	printf 'audience wide {\n  where {\n    any {\n'
	i=1
	while [ $i -lt 65 ]; do
		printf '      with entity h%d { city = "Nowhere" }\n' $i
		i=$((i + 1))
	done
	printf '      with entity h65 { city = "Lyon" }\n    }\n  }\n'
	printf '  activation moved_in {\n    destination events_file\n'
	printf '    trigger entity added h65\n  }\n}\n'
} >"$P/audiences/wide.lac"
ev="$P/out/events.jsonl"

expect_status "check" 0 lac -C "$P" check
lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null # run runs what was applied
expect_status "baseline" 0 lac -C "$P" --now 2026-01-15T12:00:00Z run wide
expect_eq "baseline line" "wide: Live, 2 members, +2 -0, 0 events, 0 delivered" "$(cat "$T/out")"
expect_status "apply" 0 lac -C "$P" -q --now 2026-01-15T12:00:00Z apply --auto-approve --no-run
# Ben (p02) gets a second household, in Lyon: an entity added on h65
sqlite3 "$P/data/warehouse.db" "INSERT INTO HOUSEHOLDS VALUES ('h99', 'ben@example.com', 'Lyon', NULL)"
# plan --preview counts it with the run's paths (a changed activation is previewed)
sed -i 's/trigger entity added h65/&\n    event "Moved In"/' "$P/audiences/wide.lac"
expect_status "preview" 0 lac -C "$P" --format json --now 2026-01-15T13:00:00Z plan --preview
expect_eq "preview counts the 65th path's event" '"events": 1,' \
	"$(grep -o '"events": [0-9]*,' "$T/out")"
sed -i '/event "Moved In"/d' "$P/audiences/wide.lac"
expect_status "entity added" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run wide
expect_eq "entity added line" "wide: Live, 3 members, +1 -0, 1 event, 1 delivered" "$(cat "$T/out")"
expect_eq "the event names the 65th path's entity" 1 "$(grep -c '"h99"' "$ev" 2>/dev/null || true)"
finish
