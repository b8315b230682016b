#!/bin/sh
# tests/e2e/state_move_pg.sh — moving a SQLite state to PostgreSQL (SPEC
# §1.2, docs/gitops.md "Moving state"): apply and run on SQLite state while
# the webhook answers 503 (the events stay pending), export, import into a
# PostgreSQL state (tests/pg/start.sh), then a run with the webhook healthy
# delivers exactly those events with the same messageIds, the generations
# moved, and the old SQLite state refuses `lac run`.  Also state show and an
# export on PostgreSQL.  Skipped (77) without PostgreSQL.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3
pg_start
SERVER_PID=
on_exit '[ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null'
psql -q -d postgres -c "CREATE DATABASE lac_state" >/dev/null
STATE_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_state"
export STATE_DSN
pg() { psql -q -t -A -v ON_ERROR_STOP=1 -d lac_state -c "$1"; }

"$py" "$SRC/tests/http/fault_server.py" --port-file "$T/port" --log "$T/received.jsonl" \
	--lifetime 60 --max-requests 200 &
SERVER_PID=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$T/port" ] || { echo "fault server did not start"; exit 1; }
BASE="http://127.0.0.1:$(cat "$T/port")"
HOOK_TOKEN=t
export HOOK_TOKEN

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
# ids STATUS PATH: the messageIds the server got on PATH answered STATUS, sorted
ids() {
	"$py" -c '
import json, sys
print("\n".join(sorted({r["messageId"] for r in map(json.loads, open(sys.argv[1]))
                        if r["status"] == int(sys.argv[2]) and r["path"] == sys.argv[3]})))' \
		"$T/received.jsonl" "$1" "$2"
}

# The petshop example, its file destination a webhook at ${HOOK_URL} that is
# not retried (the 503s leave the events pending at once).
OLD="$T/old"
lac init --example petshop "$OLD" >/dev/null
sed 's|events_file: { type: file, path: out/events.jsonl }|events_file: { type: webhook, url: "${HOOK_URL}", max_retries: 0 }|' \
	"$OLD/lac.yaml" >"$T/lac.yaml"
mv "$T/lac.yaml" "$OLD/lac.yaml"
# A copy of the project (data included) whose state is PostgreSQL schema moved_state.
NEW="$T/new"
new_project() {
	cp -R "$OLD" "$NEW"
	rm -rf "$NEW/.lac"
	awk '
	/^state:/ { print "state:\n  type: postgres\n  dsn: \"${STATE_DSN}\"\n  schema: moved_state"; skip = 1; next }
	skip && /^[ \t]/ { next }
	{ skip = 0; print }
	' "$OLD/lac.yaml" >"$NEW/lac.yaml"
}

# ---- on SQLite, the destination down ---------------------------------------------------
export HOOK_URL="$BASE/down/hook"
expect_status "apply (SQLite state)" 0 lac -C "$OLD" --now 2026-01-15T12:00:00Z apply --auto-approve
"$py" - "$OLD/data/warehouse.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO PETS VALUES ('x30','h02','Mia','cat',2,'2025-01-01'), ('x31','h02','Odie','dog',3,'2025-01-01'),"
           " ('x32','h10','Pluto','dog',4,'2025-01-01')")
db.commit()
EOF
set +e
lac -C "$OLD" --now 2026-01-15T13:00:00Z run cat_owners multi_dog_owners >"$T/out" 2>"$T/err"
set -e
queued=$(queued_ids "$OLD/.lac/state.db" | sort)
expect_eq "4 events queued" 4 "$(echo "$queued" | grep -c .)"
expect_eq "the destination answered 503" 1 "$(ids 503 /down/hook | grep -c .)"
expect_status "show the old state" 0 lac -C "$OLD" --format json state show
pycheck "the events are pending" "$T/out" '
p = {(e["audience"], e["activation"]): e["pending"] for e in d["pending"]}
assert p == {("cat_owners", "welcome_cat"): 1, ("multi_dog_owners", "dog_bundle"): 3}, d["pending"]'
gens=$("$py" -c 'import json, sys; print(" ".join("%s=%d" % (a["name"], a["generation"]) for a in json.load(sys.stdin)["audiences"]))' <"$T/out")

# ---- export, import into PostgreSQL ----------------------------------------------------
expect_status "export" 0 lac -C "$OLD" state export "$T/state.jsonl"
expect_eq "export: mode 0600" "-rw-------" "$(ls -l "$T/state.jsonl" | cut -c1-10)"
export HOOK_URL="$BASE/ok/hook"
new_project
expect_status "import into PostgreSQL" 0 lac -C "$NEW" --now 2026-01-15T14:00:00Z state import "$T/state.jsonl"
expect_status "show the PostgreSQL state" 0 lac -C "$NEW" --format json state show
pycheck "show: the backend, no password" "$T/out" '
b = d["backend"]
assert list(b) == ["type", "host", "port", "database", "user", "schema"], list(b)
assert b["type"] == "postgres" and b["database"] == "lac_state" and b["schema"] == "moved_state", b
p = {(e["audience"], e["activation"]): e["pending"] for e in d["pending"]}
assert p == {("cat_owners", "welcome_cat"): 1, ("multi_dog_owners", "dog_bundle"): 3}, d["pending"]'
expect_eq "generations moved" "$gens" \
	"$("$py" -c 'import json, sys; print(" ".join("%s=%d" % (a["name"], a["generation"]) for a in json.load(sys.stdin)["audiences"]))' <"$T/out")"
expect_status "no changes to apply" 0 lac -C "$NEW" plan --detailed-exitcode
expect_status "a second import is refused" 1 lac -C "$NEW" state import "$T/state.jsonl"
grep -q "cannot import into postgres schema moved_state in database lac_state on .*: it has 5 applied audiences" "$T/err" &&
	pass || { fail "non-empty PostgreSQL state: the message"; cat "$T/err" >&2; }

# ---- the healthy destination gets the same events --------------------------------------
expect_status "run on PostgreSQL state" 0 lac -C "$NEW" --now 2026-01-15T15:00:00Z run cat_owners multi_dog_owners
expect_eq "delivered: the queued events, same messageIds" "$queued" "$(ids 200 /ok/hook)"
expect_eq "nothing left queued" "0" "$(pg "SELECT (SELECT count(*) FROM moved_state.outbox_chunks) +
	(SELECT count(*) FROM moved_state.outbox WHERE status = 'pending')")"
# a run after the move adds runs under new ids (PostgreSQL's identities moved past the imported ones)
expect_eq "runs kept in order" "Live Live Live" "$(lac -C "$NEW" --format json runs cat_owners |
	"$py" -c 'import json, sys; print(" ".join(r["result"] for r in json.load(sys.stdin)))')"

# ---- the old state refuses writes --------------------------------------------------------
expect_status "the old state refuses lac run" 1 lac -C "$OLD" run
grep -q "state was moved to postgres schema moved_state in database lac_state on .* at 2026-01-15T14:00:00Z (lac state import); it is read-only here" "$T/err" &&
	pass || { fail "the moved message"; cat "$T/err" >&2; }

# ---- export from PostgreSQL: the same rows ----------------------------------------------
expect_status "export from PostgreSQL" 0 lac -C "$NEW" --format json state export "$T/pg.jsonl"
pycheck "export from PostgreSQL" "$T/out" '
assert d["backend"]["type"] == "postgres" and d["tables"]["audiences"] == 5 and "rowid" not in open(sys.argv[1]).read(), d'
head -n 1 "$T/pg.jsonl" | grep -q '"schema":"moved_state"' && pass || fail "the export names its PostgreSQL source"
finish
