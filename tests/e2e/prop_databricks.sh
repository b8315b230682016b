#!/bin/sh
# tests/e2e/prop_databricks.sh — the randomized property test (tests/prop/)
# through the Databricks connector: each seed's data in the test PostgreSQL,
# `lac preview` of every audience on SQLite, PostgreSQL and `type:
# databricks` against tests/fakes/fake_databricks.py (its SQL rewritten by
# tests/fakes/rewrite.py, results paged in chunks of 2 rows) must agree with
# the brute-force evaluator.  Within a time budget (LAC_PROP_DATABRICKS_BUDGET,
# 20 s).  Skipped (77) without PostgreSQL or python3-psycopg2.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

. "$SRC/tests/fakes/start.sh"
fakes_need
fakes_pg_start

psql -q -d postgres -c "CREATE DATABASE lac_prop_databricks" >/dev/null
fake_start fake fake_databricks.py --dsn "host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_prop_databricks" \
	--log /dev/null --token dapi-prop-token --rows-per-chunk 2 --lifetime 600
DATABRICKS_TOKEN=dapi-prop-token
export DATABRICKS_TOKEN
wh="  type: databricks\\n  endpoint: $FAKE_URL\\n  warehouse_id: wh-0123456789abcdef"
wh="$wh\\n  token: \"\${DATABRICKS_TOKEN}\"\\n  schema: lac\\n  timeout: 30s"

seeds=${LAC_PROP_SEEDS:-$(seq 1 80)}
set +e
LAC="$LAC" "$py" "$SRC/tests/prop/run.py" --pg --warehouse "Databricks=$wh" --warehouse-db lac_prop_databricks --text-time \
	--budget "${LAC_PROP_DATABRICKS_BUDGET:-20}" --keep "$(pwd)/prop-failures" $seeds
rc=$?
set -e
exit $rc
