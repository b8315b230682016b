#!/bin/sh
# tests/e2e/prop_snowflake.sh — the randomized property test (tests/prop/)
# through the Snowflake connector: each seed's data is loaded into the test
# PostgreSQL, and `lac preview` with `type: snowflake` against the fake SQL
# API (tests/fakes/fake_snowflake.py, statements rewritten onto that
# database) must agree with the brute-force oracle, as SQLite and
# PostgreSQL must.  Bounded to LAC_PROP_BUDGET seconds (default 20).
# Skipped (77) without PostgreSQL or python3-psycopg2.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
[ -x "$py" ] || { echo "no /usr/bin/python3: skipped"; exit 77; }
"$py" -c 'import psycopg2' 2>/dev/null || { echo "no python3-psycopg2: skipped"; exit 77; }
command -v psql >/dev/null 2>&1 || { echo "no psql: skipped"; exit 77; }
command -v openssl >/dev/null 2>&1 || { echo "no openssl: skipped"; exit 77; }
seeds=${LAC_PROP_SEEDS:-$(seq 1 80)}
budget=${LAC_PROP_BUDGET:-20}
set +e
env_out=$(sh "$SRC/tests/pg/start.sh")
rc=$?
set -e
[ "$rc" = 77 ] && { echo "no PostgreSQL server: skipped"; exit 77; }
[ "$rc" = 0 ] || { echo "cannot start PostgreSQL" >&2; exit 1; }
eval "$env_out"
fake_pid=
trap '[ -z "$fake_pid" ] || kill "$fake_pid" 2>/dev/null; sh "$SRC/tests/pg/stop.sh"; rm -rf "$T"' EXIT

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/key.pem" 2>/dev/null
openssl pkey -in "$T/key.pem" -pubout -out "$T/pub.pem"
psql -q -d postgres -c "CREATE DATABASE lac_prop_sf" >/dev/null
"$py" "$SRC/tests/fakes/fake_snowflake.py" --dsn "host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_prop_sf" \
	--port-file "$T/port" --public-key "$T/pub.pem" --account prop --user lac \
	--lifetime 900 &
fake_pid=$!
i=0
while [ ! -s "$T/port" ]; do
	i=$((i + 1)); [ $i -lt 200 ] || { echo "the fake did not start" >&2; exit 1; }
	sleep 0.05
done
SF_KEY_FILE="$T/key.pem"
export SF_KEY_FILE
sf="  type: snowflake
  account: prop
  user: lac
  private_key_path: \"\${SF_KEY_FILE}\"
  database: PROP
  schema: lac
  timeout: 30s
  endpoint: http://127.0.0.1:$(cat "$T/port")"

set +e
LAC="$LAC" "$py" "$SRC/tests/prop/run.py" --pg --warehouse "Snowflake=$sf" --warehouse-db lac_prop_sf \
	--budget "$budget" --keep "$(pwd)/prop-failures-snowflake" $seeds
rc=$?
set -e
exit $rc
