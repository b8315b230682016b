#!/bin/sh
# tests/e2e/run_jobs_pg.sh — `lac run --jobs 4` on PostgreSQL (run_jobs.c):
# reports in the --jobs 1 order, a dependent audience starts only after the
# one it reads `using membership`, a run that dies fails alone, and runs
# killed at once (a crash point in every child, then SIGTERM to lac) lose
# nothing and send nothing twice: the events equal those of an
# uninterrupted --jobs 1 twin project over the same data.  Skipped (77)
# without PostgreSQL.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3
pg_start
lib="$SRC/tests/e2e/run_lib.py"

# one database, two projects (warehouse schemas jobs and twin) over its tables
P="$T/p"
lac init --example petshop "$P" >/dev/null
psql -q -d postgres -c "CREATE DATABASE lac_jobs" >/dev/null
lac -C "$P" graph --format json >"$T/graph.json"
"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$P/data/warehouse.db" >"$T/load.sql"
psql -q -v ON_ERROR_STOP=1 -d lac_jobs -f "$T/load.sql" >"$T/psql.log" 2>&1 || { cat "$T/psql.log" >&2; exit 1; }
PG_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_jobs"
export PG_DSN
pets=$(grep -o '"PETS[^"]*"\|[a-z_."]*pets[a-z_"]*' "$T/load.sql" | head -1)
[ -n "$pets" ] || pets=public.pets
# the webhook's audience would need the network: only file deliveries here
rm "$P/audiences/care.lac"
cat >"$P/audiences/fans.lac" <<'LAC'
audience cat_fans {
  where {
    part of audience cat_owners using membership
  }
  activation fan_mail {
    destination events_file
    trigger     profile entered
  }
}

audience dog_owners {
  where {
    with entity households.pets { type = "dog" }
  }
  activation dog_mail {
    destination events_file
    trigger     profile entered
  }
}
LAC
cp -R "$P" "$T/twin"
for x in "$P:jobs" "$T/twin:twin"; do
	awk -v schema="${x##*:}" '
		/^warehouse:/ { print "warehouse:\n  type: postgres\n  dsn: \"${PG_DSN}\"\n  schema: " schema; skip = 1; next }
		skip && /^[ \t]/ { next }
		{ skip = 0; print }
	' "${x%:*}/lac.yaml" >"$T/lac.yaml" && cp "$T/lac.yaml" "${x%:*}/lac.yaml"
done
ev="$P/out/events.jsonl"
state="$P/.lac/state.db"
runs_at() { # the runs of a pass: audience result, by audience
	sqlite3 "$state" "SELECT audience || ' ' || result FROM runs WHERE started_at = strftime('%s', '$1') ORDER BY 1"
}

expect_status "--jobs 0 is a usage error" 64 lac -C "$P" run --jobs 0
expect_eq "--jobs 0: message" "lac: --jobs takes a whole number from 1 to 64, not '0'" "$(head -1 "$T/err")"
for x in "$P" "$T/twin"; do
	lac -C "$x" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
done

# the dependent run waits for cat_owners (held after taking its lock);
# the independent ones run meanwhile
LAC_TEST_PAUSE_AFTER=lock:run:cat_owners LAC_TEST_PAUSE_FILE="$T/go" \
	"$LAC" -C "$P" --now 2026-01-15T12:00:00Z run --jobs 4 >"$T/base.out" 2>"$T/base.err" &
pid=$!
for _ in $(seq 1 300); do [ -f "$T/go.paused" ] && break; sleep 0.1; done
for _ in $(seq 1 300); do
	[ "$(runs_at 2026-01-15T12:00:00Z | grep -c Live)" -ge 3 ] && break; sleep 0.1
done
expect_eq "while cat_owners is held: the others ran, cat_fans did not start" "dog_owners Live
multi_dog_owners Live
petless_households Live" "$(runs_at 2026-01-15T12:00:00Z)"
touch "$T/go"
set +e
wait "$pid"
rc=$?
set -e
expect_eq "baseline pass" 0 "$rc"
lac -C "$T/twin" --now 2026-01-15T12:00:00Z run --jobs 1 >"$T/twin.out" 2>"$T/twin.err"
expect_file_eq "reports in the --jobs 1 order" "$T/twin.out" "$T/base.out"
expect_eq "every audience ran" "cat_fans Live
cat_owners Live
dog_owners Live
multi_dog_owners Live
petless_households Live" "$(runs_at 2026-01-15T12:00:00Z)"
lac -C "$P" --format json --now 2026-01-15T12:30:00Z run --jobs 4 >"$T/j4.json"
lac -C "$T/twin" --format json --now 2026-01-15T12:30:00Z run --jobs 1 >"$T/j1.json"
order() { "$py" -c 'import json, sys; print(" ".join(r["audience"] + ":" + r["result"] for r in json.load(sys.stdin)))'; }
expect_eq "JSON reports in the --jobs 1 order" "$(order <"$T/j1.json")" "$(order <"$T/j4.json")"

# a run whose process dies fails alone
set +e
LAC_TEST_CRASH_AFTER=lock:run:dog_owners "$LAC" -C "$P" --now 2026-01-15T12:40:00Z run --jobs 4 \
	>"$T/out" 2>"$T/err"
rc=$?
set -e
expect_eq "a dead run: exit 1" 1 "$rc"
expect_eq "a dead run: told" "lac: dog_owners: its run ended with exit status 137; the next run completes it" \
	"$(grep '^lac:' "$T/err")"
expect_eq "a dead run: the others ran" "cat_fans Live
cat_owners Live
multi_dog_owners Live
petless_households Live" "$(runs_at 2026-01-15T12:40:00Z)"

# the data change; the twin runs it uninterrupted
psql -q -v ON_ERROR_STOP=1 -d lac_jobs -c "INSERT INTO $pets VALUES ('x30','h02','Mia','cat',2,'2025-01-01'),
	('x31','h02','Odie','dog',3,'2025-01-01'), ('x32','h10','Pluto','dog',4,'2025-01-01');
	DELETE FROM $pets WHERE id IN ('x11','x13');" >/dev/null
lac -C "$T/twin" -q --now 2026-01-15T13:00:00Z run --jobs 1
# every child killed after queuing its events ...
base=$(cat "$ev" 2>/dev/null | wc -l)
set +e
LAC_TEST_CRASH_AFTER=outbox "$LAC" -C "$P" --now 2026-01-15T13:00:00Z run --jobs 4 >"$T/out" 2>"$T/err"
rc=$?
set -e
expect_eq "killed after the outbox: exit 1" 1 "$rc"
expect_eq "killed after the outbox: nothing sent" "$base" "$(cat "$ev" 2>/dev/null | wc -l)"
# ... then, the next time, lac itself stopped by SIGTERM while its runs are
# held after their swaps
LAC_TEST_PAUSE_AFTER=swap LAC_TEST_PAUSE_FILE="$T/go2" \
	"$LAC" -C "$P" --now 2026-01-15T14:00:00Z run --jobs 4 >"$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 1 300); do [ -f "$T/go2.paused" ] && break; sleep 0.1; done
sleep 1
children=$(ps -o pid= --ppid "$pid")
expect_eq "SIGTERM: runs at once" 4 "$(echo "$children" | wc -w)"
kill -TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
expect_eq "SIGTERM: lac ends by it" 143 "$rc"
left=
for c in $children; do kill -0 "$c" 2>/dev/null && left="$left $c"; done
expect_eq "SIGTERM: every run process ended with it" "" "$left"
expect_status "the next pass" 0 lac -C "$P" --now 2026-01-15T15:00:00Z run --jobs 4
expect_eq "no run left unfinished" 0 "$(sqlite3 "$state" "SELECT COUNT(*) FROM runs WHERE result = 'Running'")"
expect_eq "the change's events, exactly once" "$("$py" "$lib" summary "$T/twin/out/events.jsonl")" \
	"$("$py" "$lib" summary "$ev")"
expect_status "messageIds unique" 0 "$py" "$lib" ids "$ev"

# apply and the daemon run through the same --jobs
printf '\naudience young_pets {\n  where {\n    with entity households.pets { age < 3 }\n  }\n}\n' \
	>>"$P/audiences/fans.lac"
expect_status "apply --jobs 4" 0 lac -C "$P" --now 2026-01-15T16:00:00Z apply --auto-approve --jobs 4
expect_eq "apply ran the new audience" "Ran young_pets: Live" "$(grep -o '^Ran young_pets: Live' "$T/out")"
expect_status "daemon --once --jobs 4" 0 lac -C "$P" --format json --now 2026-01-16T16:00:00Z daemon --once --jobs 4
expect_eq "daemon: the due audiences, in order" "cat_owners:Live multi_dog_owners:Live" \
	"$("$py" -c 'import json, sys; print(" ".join(json.loads(l)["audience"] + ":" + json.loads(l)["result"] for l in sys.stdin))' <"$T/out")"
finish
