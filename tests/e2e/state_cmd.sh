#!/bin/sh
# tests/e2e/state_cmd.sh — `lac state show|export|import` on SQLite states
# (SPEC §1.2): show's text and JSON, an export born 0600 with its header
# and end lines, '-' refused, an import refused into a non-empty state, for
# a newer or older schema, another project or a file cut short (leaving the
# target empty), an export older than the old state's last write (a run
# queued an event since) refused with the old state left unmarked, and a
# move to another state file that keeps generations and queued events
# (delivered later with the same messageIds) and leaves the old state
# refusing writes, and the same export imported once more into a third
# state refused (the old state was moved already); another project's lac.yaml pointed at a
# state is refused.  tests/e2e/state_move_pg.sh moves to PostgreSQL.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3

# pycheck NAME FILE SCRIPT: Python assertions over FILE parsed as JSON (d).
pycheck() {
	if "$py" - "$2" >"$T/py" 2>&1 <<EOF
import json, sys
d = json.load(open(sys.argv[1]))
$3
EOF
	then pass; else
		fail "$1"
		sed 's/^/  /' "$T/py" >&2
	fi
}

OLD="$T/old"
lac init --example petshop "$OLD" >/dev/null

# ---- show before anything was applied, then after --------------------------------
expect_status "show: no state yet" 0 lac -C "$OLD" --format json state show
pycheck "show: no state yet" "$T/out" '
assert d["exists"] is False and d["schema_version"] == 0 and d["audiences"] == [], d
assert d["backend"]["type"] == "sqlite" and d["backend"]["path"] == ".lac/state.db", d'
expect_eq "show creates nothing" no "$([ -e "$OLD/.lac" ] && echo yes || echo no)"
expect_status "apply" 0 lac -C "$OLD" --now 2026-01-15T12:00:00Z apply --auto-approve
# an export taken before the run below, which then queues an event
expect_status "export before a run" 0 lac -C "$OLD" --now 2026-01-15T12:30:00Z state export "$T/early.jsonl"
sqlite3 "$OLD/data/warehouse.db" "INSERT INTO PETS VALUES ('x30','h02','Mia','cat',2,'2025-01-01')"
expect_status "run, events queued" 0 lac -C "$OLD" --now 2026-01-15T13:00:00Z run --no-deliver cat_owners
queued=$(queued_ids "$OLD/.lac/state.db" | sort)
expect_eq "one event queued" 1 "$(echo "$queued" | grep -c .)"
expect_status "show --format json" 0 lac -C "$OLD" --format json state show
pycheck "show: the JSON shape" "$T/out" '
assert list(d) == ["backend", "exists", "project", "schema_version", "audience_count", "audiences",
                   "pending", "locks", "moved"], list(d)
assert d["backend"]["type"] == "sqlite" and d["backend"]["path"] == ".lac/state.db", d["backend"]
assert d["exists"] is True and d["project"] == "petshop" and d["schema_version"] >= 5, d
assert d["audience_count"] == len(d["audiences"]) == 5, d
cat = [a for a in d["audiences"] if a["name"] == "cat_owners"][0]
assert cat == {"name": "cat_owners", "enabled": True, "generation": 2}, cat
assert d["pending"] == [{"audience": "cat_owners", "activation": "welcome_cat", "pending": 1, "failed": 0}], d["pending"]
assert d["locks"] == [] and d["moved"] is None, d'
expect_status "show as text" 0 lac -C "$OLD" state show
version=$(sqlite3 "$OLD/.lac/state.db" "SELECT max(version) FROM schema_version")
expect_eq "show: text" "schema version:  $version
audiences:       5
pending events:  1 (failed, to retry: 0)
  cat_owners.welcome_cat         pending 1  failed 0
moved:           no" "$(grep -E '^(schema|audiences|pending|  cat_owners\.|moved)' "$T/out")"

# ---- export -------------------------------------------------------------------------
EXP="$T/state.jsonl"
expect_status "export -" 64 lac -C "$OLD" state export -
expect_status "export without a file" 64 lac -C "$OLD" state export
expect_status "export" 0 lac -C "$OLD" --format json --now 2026-01-15T14:00:00Z state export "$EXP"
expect_eq "export: mode 0600" "-rw-------" "$(ls -l "$EXP" | cut -c1-10)"
expect_eq "export: no temporary file left" 1 "$(ls "$T" | grep -c '^state\.jsonl')"
pycheck "export: its JSON report" "$T/out" '
assert list(d) == ["file", "schema_version", "backend", "rows", "tables"], list(d)
assert d["tables"]["audiences"] == 5 and d["tables"]["outbox_chunks"] == 1, d["tables"]
assert "schema_version" not in d["tables"] and "state_moved" not in d["tables"], d["tables"]
assert d["rows"] == sum(d["tables"].values()), d'
head -n 1 "$EXP" >"$T/header.json"
pycheck "export: the header" "$T/header.json" '
assert list(d) == ["format", "format_version", "lac_version", "schema_version", "backend", "project", "exported_at",
                   "fingerprint"], list(d)
assert len(d["fingerprint"]) == 64 and int(d["fingerprint"], 16) >= 0, d
assert d["format"] == "lac-state" and d["format_version"] == 1 and d["project"] == "petshop", d
assert d["exported_at"] == "2026-01-15T14:00:00Z" and d["backend"]["path"].startswith("/"), d'
tail -n 1 "$EXP" >"$T/end.json"
pycheck "export: the end line" "$T/end.json" 'assert d["end"] is True and d["rows"] > 0, d'
grep '"table":"outbox_chunk_events"' "$EXP" | head -n 1 >"$T/chunk.json"
pycheck "export: a text blob as text" "$T/chunk.json" '
assert set(d["row"]["message_ids"]) == {"text"} and set(d["row"]["payload"]) == {"text"}, d'

# ---- import: what is refused ---------------------------------------------------------
expect_status "import into the same, non-empty state" 1 lac -C "$OLD" state import "$EXP"
expect_eq "import: names why" "lac: cannot import into sqlite file $OLD/.lac/state.db: it has 5 applied audiences; import needs an empty state" "$(cat "$T/err")"
NEW="$T/new"
cp -R "$OLD" "$NEW"
rm -rf "$NEW/.lac" "$NEW/out"
sed 's|path: .lac/state.db|path: moved/state.db|' "$OLD/lac.yaml" >"$NEW/lac.yaml"
# bad_export NAME PYTHON: a copy of the export changed by PYTHON (lines: the
# parsed lines), which import must refuse, leaving the new state empty
bad_export() {
	"$py" - "$EXP" "$T/bad.jsonl" <<EOF
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
$2
open(sys.argv[2], "w").write("".join(json.dumps(l) + "\n" for l in lines))
EOF
	expect_status "import refuses $1" 1 lac -C "$NEW" state import "$T/bad.jsonl"
	grep -q "$3" "$T/err" && pass || { fail "import $1: the message"; cat "$T/err" >&2; }
}
bad_export "a newer schema" 'lines[0]["schema_version"] += 1' "is newer than this lac supports"
bad_export "an older schema" 'lines[0]["schema_version"] -= 1' "is older than this lac"
bad_export "another project" 'lines[0]["project"] = "other"' "the state of project 'other'"
bad_export "a file cut short" 'del lines[-1]' "ends before its last line"
bad_export "a row count that differs" 'del lines[3]' "the export says"
bad_export "an unknown table" 'lines[2]["table"] = "x; DROP TABLE runs"' "not a row of a state table"
bad_export "a bad column name" 'lines[2]["row"]["a\"b"] = 1' "not a row of a state table"
bad_export "an engine's own table" 'lines[2]["table"] = "sqlite_sequence"' "not a row of a state table"
bad_export "a header that is not an object" 'lines[0] = []' "1: not a line of a lac state export"
# the run after the early export queued an event that the export lacks
expect_status "import of an export the old state moved on from" 1 lac -C "$NEW" state import "$T/early.jsonl"
expect_eq "import: the state changed" \
	"lac: the state changed since it was exported (at 2026-01-15T12:30:00Z); export it again" "$(cat "$T/err")"
expect_status "the old state after a refused import" 0 lac -C "$OLD" --format json state show
pycheck "the old state is not marked moved" "$T/out" 'assert d["moved"] is None, d'
expect_status "nothing half-imported" 0 lac -C "$NEW" --format json state show
pycheck "the new state is still empty" "$T/out" 'assert d["audiences"] == [] and d["pending"] == [], d'
expect_status "import needs a file" 64 lac -C "$NEW" state import
expect_status "import of a file that is not there" 1 lac -C "$NEW" state import "$T/nothing.jsonl"

# ---- the move ------------------------------------------------------------------------
expect_status "import" 0 lac -C "$NEW" --format json --now 2026-01-15T15:00:00Z state import "$EXP"
pycheck "import: its JSON report" "$T/out" '
assert list(d) == ["file", "rows", "backend", "source", "source_marked_moved"], list(d)
assert d["source_marked_moved"] is True and d["source"]["path"].endswith("/old/.lac/state.db"), d'
expect_eq "the new state file is 0600" "-rw-------" "$(ls -l "$NEW/moved/state.db" | cut -c1-10)"
expect_status "show the new state" 0 lac -C "$NEW" --format json state show
pycheck "generations and pending events moved" "$T/out" '
cat = [a for a in d["audiences"] if a["name"] == "cat_owners"][0]
assert cat["generation"] == 2 and d["audience_count"] == 5, d
assert d["pending"] == [{"audience": "cat_owners", "activation": "welcome_cat", "pending": 1, "failed": 0}], d
assert d["moved"] is None, d'
expect_status "no changes to apply after the move" 0 lac -C "$NEW" plan --detailed-exitcode
expect_status "the old state says where it went" 0 lac -C "$OLD" --format json state show
pycheck "the old state is marked moved" "$T/out" '
m = d["moved"]
assert m["at"] == "2026-01-15T15:00:00Z" and m["to"].startswith("sqlite file /") and m["to"].endswith("/new/moved/state.db"), m'
for cmd in "run" "apply --auto-approve" "daemon --once"; do
	# shellcheck disable=SC2086
	expect_status "the old state refuses: $cmd" 1 lac -C "$OLD" $cmd
	grep -q "state was moved to sqlite file .*/new/moved/state.db at 2026-01-15T15:00:00Z (lac state import); it is read-only here" "$T/err" &&
		pass || { fail "$cmd: the moved message"; cat "$T/err" >&2; }
done
expect_status "the old state can still be read" 0 lac -C "$OLD" status
expect_status "the new state delivers" 0 lac -C "$NEW" --now 2026-01-15T16:00:00Z run cat_owners
expect_eq "the queued event, its messageId kept" "$queued" \
	"$("$py" -c 'import json, sys; print("\n".join(sorted(json.loads(l)["messageId"] for l in sys.stdin)))' <"$NEW/out/events.jsonl")"
expect_eq "nothing queued any more" "" "$(queued_ids "$NEW/moved/state.db")"
expect_status "a second import is refused" 1 lac -C "$NEW" state import "$EXP"
# the same export into a third state would leave two live states
AGAIN="$T/again"
cp -R "$OLD" "$AGAIN"
rm -rf "$AGAIN/.lac" "$AGAIN/out"
sed 's|path: .lac/state.db|path: again/state.db|' "$OLD/lac.yaml" >"$AGAIN/lac.yaml"
expect_status "the same export into another state" 1 lac -C "$AGAIN" state import "$EXP"
expect_eq "import: the old state was moved already" \
	"lac: sqlite file $OLD/.lac/state.db was already moved to sqlite file $NEW/moved/state.db at 2026-01-15T15:00:00Z; import from there" \
	"$(cat "$T/err")"
expect_status "the other state after the refused import" 0 lac -C "$AGAIN" --format json state show
pycheck "the other state is still empty" "$T/out" 'assert d["audiences"] == [] and d["pending"] == [], d'

# ---- one state, one project (SPEC §1.2) ------------------------------------------------
OTHER="$T/other"
lac init --example petshop "$OTHER" >/dev/null
sed -i "s|^name: petshop|name: catshop|; s|^  path: .lac/state.db|  path: $NEW/moved/state.db|" "$OTHER/lac.yaml"
grep -q "^name: catshop" "$OTHER/lac.yaml" && grep -q "path: $NEW/moved/state.db" "$OTHER/lac.yaml" && pass ||
	fail "the other project points at the state"
for cmd in "status" "plan" "apply --auto-approve" "run"; do
	# shellcheck disable=SC2086
	expect_status "another project's state is refused: $cmd" 1 lac -C "$OTHER" $cmd
	grep -q "the state belongs to project 'petshop', not 'catshop'" "$T/err" &&
		pass || { fail "$cmd: the owner message"; cat "$T/err" >&2; }
done
expect_status "the project's own state still works" 0 lac -C "$NEW" status

# ---- an empty state DSN (a CI secret missing) never reaches libpq's defaults --------
EMPTY="$T/empty"
lac init --example petshop "$EMPTY" >/dev/null
sed -i 's|^  path: .lac/state.db|  type: postgres\n  dsn: "${LAC_STATE_DSN}"|' "$EMPTY/lac.yaml"
for cmd in "status" "plan" "run"; do
	# shellcheck disable=SC2086
	expect_status "empty state dsn: $cmd" 1 env LAC_STATE_DSN= PGHOST=/nonexistent "$LAC" -C "$EMPTY" $cmd
	grep -q "the state dsn is empty (is its environment variable set in this job?)" "$T/err" &&
		pass || { fail "$cmd: the empty dsn message"; cat "$T/err" >&2; }
done
finish
