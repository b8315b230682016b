#!/bin/sh
# tests/e2e/prop_databricks.sh — the randomized property test (tests/prop/)
# through the Databricks connector: each seed's data in the test PostgreSQL,
# `lac preview` of every audience on SQLite, PostgreSQL and `type:
# databricks` against tests/fakes/fake_databricks.py (its SQL rewritten by
# tests/fakes/rewrite.py, results paged in chunks of 2 rows) must agree with
# the brute-force evaluator.  Within a time budget (LAC_PROP_DATABRICKS_BUDGET,
# 20 s).  Skipped (77) without PostgreSQL or python3-psycopg2.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
[ -x "$py" ] || { echo "no /usr/bin/python3: skipped"; exit 77; }
"$py" -c 'import psycopg2' 2>/dev/null || { echo "no python3-psycopg2: skipped"; exit 77; }
command -v psql >/dev/null 2>&1 || { echo "no psql: skipped"; exit 77; }
set +e
env_out=$(sh "$SRC/tests/pg/start.sh")
rc=$?
set -e
[ "$rc" = 77 ] && { echo "no PostgreSQL server: skipped"; exit 77; }
[ "$rc" = 0 ] || { echo "cannot start PostgreSQL" >&2; exit 1; }
eval "$env_out"
fake_pid=
trap '[ -n "$fake_pid" ] && { kill "$fake_pid"; wait "$fake_pid" || true; } 2>/dev/null; sh "$SRC/tests/pg/stop.sh"; rm -rf "$T"' EXIT

psql -q -d postgres -c "CREATE DATABASE lac_prop_databricks" >/dev/null
"$py" "$SRC/tests/fakes/fake_databricks.py" --dsn "host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_prop_databricks" \
	--port-file "$T/port" --log /dev/null --token dapi-prop-token --rows-per-chunk 2 --lifetime 600 \
	>"$T/fake.out" 2>&1 &
fake_pid=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$T/port" ] || { echo "the fake did not start" >&2; cat "$T/fake.out" >&2; exit 1; }
DATABRICKS_TOKEN=dapi-prop-token
export DATABRICKS_TOKEN
wh="  type: databricks\\n  endpoint: http://127.0.0.1:$(cat "$T/port")\\n  warehouse_id: wh-0123456789abcdef"
wh="$wh\\n  token: \"\${DATABRICKS_TOKEN}\"\\n  schema: lac\\n  timeout: 30s"

seeds=${LAC_PROP_SEEDS:-$(seq 1 80)}
set +e
LAC="$LAC" "$py" "$SRC/tests/prop/run.py" --pg --warehouse "Databricks=$wh" --warehouse-db lac_prop_databricks --text-time \
	--budget "${LAC_PROP_DATABRICKS_BUDGET:-20}" --keep "$(pwd)/prop-failures" $seeds
rc=$?
set -e
exit $rc
