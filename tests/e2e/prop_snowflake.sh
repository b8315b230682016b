#!/bin/sh
# tests/e2e/prop_snowflake.sh — the randomized property test (tests/prop/)
# through the Snowflake connector: each seed's data is loaded into the test
# PostgreSQL, and `lac preview` with `type: snowflake` against the fake SQL
# API (tests/fakes/fake_snowflake.py, statements rewritten onto that
# database) must agree with the brute-force oracle, as SQLite and
# PostgreSQL must.  Bounded to LAC_PROP_BUDGET seconds (default 20).
# Skipped (77) without PostgreSQL or python3-psycopg2.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

. "$SRC/tests/fakes/start.sh"
fakes_need openssl
seeds=${LAC_PROP_SEEDS:-$(seq 1 80)}
budget=${LAC_PROP_BUDGET:-20}
fakes_pg_start

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/key.pem" 2>/dev/null
openssl pkey -in "$T/key.pem" -pubout -out "$T/pub.pem"
psql -q -d postgres -c "CREATE DATABASE lac_prop_sf" >/dev/null
fake_start fake fake_snowflake.py --dsn "host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_prop_sf" \
	--public-key "$T/pub.pem" --account prop --user lac --lifetime 900
SF_KEY_FILE="$T/key.pem"
export SF_KEY_FILE
sf="  type: snowflake
  account: prop
  user: lac
  private_key_path: \"\${SF_KEY_FILE}\"
  database: PROP
  schema: lac
  timeout: 30s
  endpoint: $FAKE_URL"

set +e
LAC="$LAC" "$py" "$SRC/tests/prop/run.py" --pg --warehouse "Snowflake=$sf" --warehouse-db lac_prop_sf \
	--budget "$budget" --keep "$(pwd)/prop-failures-snowflake" $seeds
rc=$?
set -e
exit $rc
