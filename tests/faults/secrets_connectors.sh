#!/bin/sh
# tests/faults/secrets_connectors.sh — no secret of an HTTP warehouse
# connector leaves lac (tests/faults/secrets.sh does the same for DSNs and
# destination keys).  Every command runs through the fakes of
# tests/fakes/ with the connectors' secrets set: BigQuery's service-account
# JSON (given inline in a ${VAR}), Databricks' client secret (OAuth M2M) and
# PAT, Snowflake's private key PEM text (encrypted) with its passphrase and
# an OAuth token; the fakes log what lac derives from them (BigQuery's
# signed JWT and access token, Databricks' M2M token, Snowflake's JWT), and
# each of those values is searched for in everything lac wrote: stdout,
# stderr, the state (BigQuery's project on PostgreSQL, the others on
# SQLite), plan and export files, the events.  The three connectors run side
# by side, each on its own database.  Needs PostgreSQL (the fakes'
# data; skipped, 77, without one).
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need_python psycopg2
need pg_dump openssl sqlite3
pg_start
pids=
on_exit 'for p in $pids; do kill "$p" 2>/dev/null; done'
fakes="$SRC/tests/fakes"
mkdir -p "$T/outs"

lac init --example petshop "$T/base" >/dev/null
lac -C "$T/base" graph --format json >"$T/graph.json"
"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$T/base/data/warehouse.db" >"$T/load.sql"
# a database per connector: the three run side by side, each changing its data
for c in bq dbx sf; do
	psql -q -d postgres -c "CREATE DATABASE lac_secw_$c" >/dev/null
	psql -q -v ON_ERROR_STOP=1 -d "lac_secw_$c" -f "$T/load.sql" >/dev/null 2>&1
done

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/key.pem" 2>/dev/null
openssl pkey -in "$T/key.pem" -pubout -out "$T/pub.pem"
SF_PASS=sf-pass-6d0c2a91e7
openssl pkcs8 -topk8 -in "$T/key.pem" -v2 aes-256-cbc -passout "pass:$SF_PASS" -out "$T/enc.pem"
SF_KEY=$(cat "$T/enc.pem")
SF_OAUTH=sf-oauth-9a41c7d2e0
DBX_PAT=dapi-pat-3e8b51f0c4
DBX_SECRET=dbx-m2m-secret-72f9ad01
email=lac@lac-test.iam.gserviceaccount.com
export SF_KEY SF_PASS SF_OAUTH DBX_PAT DBX_SECRET

# start NAME FAKE ARGS...: a fake on database lac_secw_NAME; sets port
start() {
	name=$1 fake=$2
	shift 2
	"$py" "$fakes/$fake" --dsn "host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_secw_$name" --port-file "$T/$name.port" --log "$T/$name.log" \
		--lifetime 600 "$@" >"$T/$name.out" 2>&1 &
	pids="$pids $!"
	for _ in $(seq 100); do [ -s "$T/$name.port" ] && break; sleep 0.1; done
	[ -s "$T/$name.port" ] || { echo "the $name fake did not start" >&2; cat "$T/$name.out" >&2; exit 1; }
	port=$(cat "$T/$name.port")
}
# project DIR WAREHOUSE-LINES STATE-LINE: the petshop example on a connector
project() {
	cp -R "$T/base" "$1"
	awk -v wh="$2" -v state="$3" '
		/^warehouse:/ { print wh; if (state != "") print state; skip = 1; next }
		/^state:/ && state != "" { skip = 1; next }
		skip && /^[ \t]/ { next }
		{ skip = 0; print }
	' "$T/base/lac.yaml" >"$1/lac.yaml"
}
n=0
# run ARGS...: lac, its stdout and stderr kept as outs/$c-N.out, .err
run() {
	n=$((n + 1))
	set +e
	"$LAC" "$@" >"$T/outs/$c-$n.out" 2>"$T/outs/$c-$n.err"
	set -e
}
# every command on project $1 (named $2 in the outputs), each in text or
# JSON (tests/faults/secrets.sh runs both; the connector's messages are the
# same in either); $c names the connector's database
every_command() {
	P=$1
	run -C "$P" check
	run -C "$P" --format json plan --out "$T/outs/plan-$2.json"
	psql -q -d "lac_secw_$c" -c "DELETE FROM public.pets WHERE id = 'y01'" >/dev/null
	run -C "$P" --now 2026-01-15T11:00:00Z apply --auto-approve --no-run
	run -C "$P" --format json --now 2026-01-15T12:00:00Z run cat_owners
	psql -q -d "lac_secw_$c" -c "INSERT INTO public.pets VALUES ('y01','h02','Mia','cat',2,'2025-01-01')" >/dev/null
	run -C "$P" -v --now 2026-01-15T13:00:00Z run cat_owners
	run -C "$P" status
	run -C "$P" --format json runs cat_owners
	run -C "$P" delivery cat_owners --events
	run -C "$P" --format json preview cat_owners --all
	run -C "$P" -v plan --preview --validate
	run -C "$P" state export "$T/outs/export-$2.json"
	run -C "$P" --format json --now 2026-01-15T14:00:00Z daemon --once
	cp "$P/out/events.jsonl" "$T/outs/events-$2.jsonl" 2>/dev/null || true
}

# ---- the fakes, and a project on each -----------------------------------------
# BigQuery: the service-account key inline, state on PostgreSQL
start bq fake_bigquery.py --pubkey "$T/pub.pem" --sa-email "$email"
BQ_KEY=$("$py" -c 'import json, sys
print(json.dumps({"type": "service_account", "project_id": "lac-test", "client_email": sys.argv[2],
                  "private_key": open(sys.argv[1]).read(), "token_uri": sys.argv[3] + "/token"}))' \
	"$T/key.pem" "$email" "http://127.0.0.1:$port")
export BQ_KEY
psql -q -d postgres -c "CREATE DATABASE lac_secw_state" >/dev/null
project "$T/bq" "warehouse:
  type: bigquery
  project: lac-test
  location: EU
  credentials: \"\${BQ_KEY}\"
  schema: lac
  endpoint: http://127.0.0.1:$port" \
	"state: { type: postgres, dsn: \"host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_secw_state\" }"
# Databricks: OAuth M2M's client secret (then the PAT), state on SQLite
start dbx fake_databricks.py --token "$DBX_PAT" --client-id lac-sp --client-secret "$DBX_SECRET"
project "$T/dbx" "warehouse:
  type: databricks
  endpoint: http://127.0.0.1:$port
  warehouse_id: wh-0123456789abcdef
  client_id: lac-sp
  client_secret: \"\${DBX_SECRET}\"
  catalog: main
  schema: lac_dbx" ""
# Snowflake: the encrypted key's PEM text and passphrase (then OAuth), state on SQLite
start sf fake_snowflake.py --public-key "$T/pub.pem" --account xy12345 --user lac_service \
	--oauth-token "$SF_OAUTH"
project "$T/sf" "warehouse:
  type: snowflake
  account: xy12345
  user: lac_service
  private_key: \"\${SF_KEY}\"
  private_key_passphrase: \"\${SF_PASS}\"
  role: LAC_ROLE
  warehouse: COMPUTE_WH
  database: PETS
  schema: lac_sf
  endpoint: http://127.0.0.1:$port" ""

# ---- every command through each, side by side --------------------------------
(c=bq; every_command "$T/bq" bigquery; pg_dump -d lac_secw_state >"$T/outs/state-bigquery.sql") &
bq_job=$!
(
	c=dbx
	every_command "$T/dbx" databricks
	sed -i 's/^  client_id: lac-sp$/  token: "${DBX_PAT}"/; /^  client_secret:/d' "$T/dbx/lac.yaml"
	run -C "$T/dbx" --format json preview cat_owners --all
	run -C "$T/dbx" -v --now 2026-01-15T15:00:00Z run cat_owners
	sqlite3 "$T/dbx/.lac/state.db" .dump >"$T/outs/state-databricks.sql"
) &
dbx_job=$!
(
	c=sf
	every_command "$T/sf" snowflake
	sed -i 's/^  private_key: .*$/  token: "${SF_OAUTH}"/; /^  private_key_passphrase:/d' "$T/sf/lac.yaml"
	run -C "$T/sf" --format json preview cat_owners --all
	run -C "$T/sf" -v --now 2026-01-15T15:00:00Z run cat_owners
	sqlite3 "$T/sf/.lac/state.db" .dump >"$T/outs/state-snowflake.sql"
) &
sf_job=$!
wait "$bq_job" "$dbx_job" "$sf_job"

# ---- the commands worked, so there was something to leak ------------------
for c in bigquery databricks snowflake; do
	expect_eq "$c: the runs sent events" yes "$(test -s "$T/outs/events-$c.jsonl" && echo yes || echo no)"
	expect_eq "$c: a plan and an export written" 2 "$(ls "$T/outs" | grep -c "^plan-$c\.\|^export-$c\.")"
done
# the derived values, as the fakes saw them
derived=$("$py" - "$T/bq.log" "$T/dbx.log" "$T/sf.log" <<'EOF'
import json, sys
seen = set()
for path in sys.argv[1:]:
    for line in open(path):
        e = json.loads(line)
        for k in ("assertion", "access_token", "jwt", "token"):
            if isinstance(e.get(k), str) and len(e[k]) >= 16:
                seen.add(e[k])
print("\n".join(sorted(seen)))
EOF
)
expect_eq "the fakes logged lac's JWTs and access tokens" yes \
	"$(test "$(printf '%s\n' "$derived" | grep -c .)" -ge 4 && echo yes || echo no)"
# the key JSON and PEM text, and pieces of them that a message could quote
pem_line() { sed -n 2p "$1"; }
key_parts="$(pem_line "$T/key.pem") $(pem_line "$T/enc.pem")"
for s in $SF_PASS $SF_OAUTH $DBX_PAT $DBX_SECRET $key_parts $derived; do
	hits=$(grep -rlF -- "$s" "$T/outs" || true)
	expect_eq "no '$(printf '%.24s' "$s")...' in anything lac wrote" "" "$hits"
done
finish
