#!/bin/sh
# tests/e2e/prop_bigquery.sh — the randomized property test (tests/prop/)
# through the BigQuery connector: random projects previewed with `type:
# bigquery` against the fake BigQuery (tests/fakes/fake_bigquery.py), whose
# statements run, rewritten, on a throw-away PostgreSQL; every member set
# must agree with the brute-force evaluator.  Bounded to ~30 s a pass
# (LAC_PROP_BUDGET).  Skipped (77) without PostgreSQL or python3-psycopg2.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

. "$SRC/tests/fakes/start.sh"
fakes_need openssl
fakes_pg_start

psql -q -d postgres -c "CREATE DATABASE lac_prop_bq" >/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/key.pem" 2>/dev/null
openssl pkey -in "$T/key.pem" -pubout -out "$T/pub.pem"
BQ_TOKEN=ya29.prop-test-token-0123456789
fake_start fake fake_bigquery.py --dsn "host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_prop_bq" \
	--log /dev/null --pubkey "$T/pub.pem" --sa-email prop@lac-test --token "$BQ_TOKEN" --lifetime 600
BQ_ENDPOINT=$FAKE_URL
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
