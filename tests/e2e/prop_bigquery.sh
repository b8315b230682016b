#!/bin/sh
# tests/e2e/prop_bigquery.sh — the randomized property test (tests/prop/)
# through the BigQuery connector: random projects previewed with `type:
# bigquery` against the fake BigQuery (tests/fakes/fake_bigquery.py), whose
# statements run, rewritten, on a throw-away PostgreSQL; every member set
# must agree with the brute-force evaluator.  Bounded to ~30 s a pass
# (LAC_PROP_BUDGET).  Skipped (77) without PostgreSQL or python3-psycopg2.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
[ -x "$py" ] || { echo "no /usr/bin/python3: skipped"; exit 77; }
"$py" -c 'import psycopg2' 2>/dev/null || { echo "no python3-psycopg2: skipped"; exit 77; }
command -v psql >/dev/null 2>&1 || { echo "no psql: skipped"; exit 77; }
command -v openssl >/dev/null 2>&1 || { echo "no openssl: skipped"; exit 77; }
set +e
env_out=$(sh "$SRC/tests/pg/start.sh")
rc=$?
set -e
[ "$rc" = 77 ] && { echo "no PostgreSQL server: skipped"; exit 77; }
[ "$rc" = 0 ] || { echo "cannot start PostgreSQL" >&2; exit 1; }
eval "$env_out"
fake_pid=
trap '[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null; sh "$SRC/tests/pg/stop.sh"; rm -rf "$T"' EXIT

psql -q -d postgres -c "CREATE DATABASE lac_prop_bq" >/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/key.pem" 2>/dev/null
openssl pkey -in "$T/key.pem" -pubout -out "$T/pub.pem"
BQ_TOKEN=ya29.prop-test-token-0123456789
"$py" "$SRC/tests/fakes/fake_bigquery.py" --dsn "host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_prop_bq" \
	--port-file "$T/port" --log /dev/null --pubkey "$T/pub.pem" --sa-email prop@lac-test \
	--token "$BQ_TOKEN" --lifetime 600 >"$T/fake.out" 2>&1 &
fake_pid=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || { echo "the fake did not start" >&2; cat "$T/fake.out" >&2; exit 1; }
BQ_ENDPOINT="http://127.0.0.1:$(cat "$T/port")"
export BQ_TOKEN BQ_ENDPOINT

seeds=${LAC_PROP_SEEDS:-$(seq 1 80)}
set +e
bq='  type: bigquery
  project: lac-test
  location: EU
  token: "${BQ_TOKEN}"
  schema: lac
  endpoint: "${BQ_ENDPOINT}"
  timeout: 30s'
LAC="$LAC" "$py" "$SRC/tests/prop/run.py" --pg --warehouse "BigQuery=$bq" --warehouse-db lac_prop_bq \
	--budget "${LAC_PROP_BUDGET:-30}" --keep "$(pwd)/prop-failures-bigquery" $seeds
rc=$?
set -e
exit $rc
