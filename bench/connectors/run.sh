#!/bin/sh
# bench/connectors/run.sh — a 100k-member first run end to end through each
# warehouse connector (issue 9): the run benchmark's project
# (bench/run/gen.py: an audience of every profile, `send current`, the file
# destination) on each warehouse type, applied (`lac apply --no-run`) on a
# fresh warehouse, then its first run timed by bench/run/runbench.py
# --applied: N Audience Entered events written to out/events.jsonl.
#
# usage: bench/connectors/run.sh [-s MEMBERS] [-w TYPES] CACHE_DIR [LAC]
#
#   CACHE_DIR  the generated project (CACHE_DIR/<members>/, shared with
#              bench/run/run.sh's cache layout; regenerated when gen.py changes)
#   LAC        the lac binary (default ./lac); use a normal -O2 build.
#   -s MEMBERS profiles (default 100000)
#   -w TYPES   comma-separated, default sqlite,postgres,redshift,snowflake,bigquery,databricks
#              (redshift: the redshift connector on the test PostgreSQL;
#              snowflake, bigquery, databricks: their fakes in tests/fakes/)
#
# The PostgreSQL-backed types read the same rows, copied from the SQLite
# warehouse into a database of a server this script starts
# (tests/pg/start.sh, fsync off) and stops; each type gets a fresh copy
# (CREATE DATABASE ... TEMPLATE) and, for the HTTP APIs, a fresh fake with
# vendor-sized pages (Snowflake partitions and Databricks chunks of 10,000
# rows, BigQuery pages of 10,000 rows).  The fakes are Python over
# psycopg2: their figures measure lac and the fake together on one machine,
# not the vendor.  Prints runbench.py's line per type.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$here/../.." && pwd)
MEMBERS=100000
TYPES=sqlite,postgres,redshift,snowflake,bigquery,databricks
usage() { sed -n '2,27p' "$0" >&2; exit 2; }
while getopts s:w: opt; do
	case $opt in
	s) MEMBERS=$OPTARG ;;
	w) TYPES=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
CACHE=$1
LAC=${2:-./lac}
case $LAC in /*) ;; *) LAC=$(pwd)/$LAC ;; esac
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
. "$SRC/tests/lib.sh" # $T, on_exit, pg_start
. "$SRC/tests/fakes/start.sh"
fakes_need sqlite3 openssl
fakes_pg_start

# the project and its SQLite warehouse (bench/run/gen.py), once per size
dir="$CACHE/$MEMBERS"
stamp=$(cksum <"$SRC/bench/run/gen.py" | cut -d' ' -f1)
if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$dir"
	"$py" "$SRC/bench/run/gen.py" "$dir" --members "$MEMBERS"
	echo "$stamp" >"$dir/.stamp"
fi

# the same rows in PostgreSQL: the tables as tests/pg/load.py creates them,
# filled with COPY from the SQLite file
need_pg=no
case ,$TYPES, in *,postgres,*|*,redshift,*|*,snowflake,*|*,bigquery,*|*,databricks,*) need_pg=yes ;; esac
if [ $need_pg = yes ]; then
	psql -q -d postgres -c "CREATE DATABASE bench_base" >/dev/null
	"$LAC" -C "$dir" graph --format json >"$T/graph.json"
	# DDL only: load.py over an empty copy of the warehouse
	sqlite3 "$dir/data/warehouse.db" ".schema" | grep -v sqlite_stat | sqlite3 "$T/empty.db"
	"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$T/empty.db" >"$T/ddl.sql"
	psql -q -v ON_ERROR_STOP=1 -d bench_base -f "$T/ddl.sql" >/dev/null
	for t in PROFILE_TRAITS EXTERNAL_ID_MAPPING; do
		cols=$(sed -n "s/^CREATE TABLE PROFILES\.$t (\(.*\));$/\1/p" "$T/ddl.sql" | sed 's/ [A-Z]*\(, \|$\)/,/g; s/,$//')
		sqlite3 -csv "$dir/data/warehouse.db" "SELECT $cols FROM $t" |
			psql -q -v ON_ERROR_STOP=1 -d bench_base -c "\\copy PROFILES.$t ($cols) FROM STDIN CSV"
	done
	psql -q -d bench_base -c "CREATE INDEX ON PROFILES.EXTERNAL_ID_MAPPING (segment_id, external_id_type);
		ANALYZE" >/dev/null
fi
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/key.pem" 2>/dev/null
openssl pkey -in "$T/key.pem" -pubout -out "$T/pub.pem"
echo '{"partition_rows": 10000}' >"$T/sf.ctl"
BENCH_KEY_FILE="$T/key.pem"
BENCH_TOKEN=bench-token-0123456789
export BENCH_KEY_FILE BENCH_TOKEN
# the project's second destination (segment) is not used here
LAC_BENCH_SINK_URL=http://127.0.0.1:9/unused
LAC_BENCH_WRITE_KEY=bench-write-key
export LAC_BENCH_SINK_URL LAC_BENCH_WRITE_KEY

echo "lac: $LAC; $MEMBERS members; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
for w in $(echo "$TYPES" | tr , ' '); do
	P="$T/$w"
	cp -R "$dir" "$P"
	rm -rf "$P/.lac" "$P/out"
	# what an earlier bench/run/run.sh left in the cached SQLite warehouse
	sqlite3 "$P/data/warehouse.db" "SELECT 'DROP TABLE \"' || name || '\";' FROM sqlite_master
		WHERE type = 'table' AND (name LIKE 'snapshot%' OR name LIKE 'lac%')" | sqlite3 "$P/data/warehouse.db"
	if [ "$w" != sqlite ]; then
		psql -q -d postgres -c "CREATE DATABASE bench_$w TEMPLATE bench_base" >/dev/null
		BENCH_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=bench_$w"
		export BENCH_DSN
	fi
	case $w in
	sqlite) wh= ;;
	postgres) wh='  type: postgres\n  dsn: "${BENCH_DSN}"\n  schema: lac' ;;
	redshift) wh='  type: redshift\n  dsn: "${BENCH_DSN}"\n  schema: lac\n  timeout: 10m'
		sed 's/table: [A-Z_]*\.\([A-Z_]*\.[A-Z_]*\)/table: \1/' "$dir/graph.yaml" >"$P/graph.yaml" ;;
	snowflake) fake_start "$w" fake_snowflake.py --dsn "$BENCH_DSN" --public-key "$T/pub.pem" \
			--account bench --user lac --control "$T/sf.ctl" --log /dev/null --lifetime 3600
		wh="  type: snowflake\n  account: bench\n  user: lac\n  private_key_path: \"\${BENCH_KEY_FILE}\"\n  warehouse: WH\n  database: BENCH\n  schema: lac\n  timeout: 10m\n  endpoint: $FAKE_URL" ;;
	bigquery) fake_start "$w" fake_bigquery.py --dsn "$BENCH_DSN" --pubkey "$T/pub.pem" \
			--sa-email bench@lac-test.iam.gserviceaccount.com --token "$BENCH_TOKEN" --page-rows 10000 \
			--log /dev/null --lifetime 3600
		wh="  type: bigquery\n  project: lac-test\n  location: EU\n  token: \"\${BENCH_TOKEN}\"\n  schema: lac\n  timeout: 10m\n  endpoint: $FAKE_URL" ;;
	databricks) fake_start "$w" fake_databricks.py --dsn "$BENCH_DSN" --token "$BENCH_TOKEN" \
			--rows-per-chunk 10000 --log /dev/null --lifetime 3600
		wh="  type: databricks\n  endpoint: $FAKE_URL\n  warehouse_id: wh-0123456789abcdef\n  token: \"\${BENCH_TOKEN}\"\n  catalog: main\n  schema: lac\n  timeout: 10m" ;;
	*) usage ;;
	esac
	if [ -n "$wh" ]; then
		awk -v wh="$wh" '
			/^warehouse:/ { gsub(/\\n/, "\n", wh); print "warehouse:\n" wh; skip = 1; next }
			skip && /^[ \t]/ { next }
			{ skip = 0; print }
		' "$dir/lac.yaml" >"$P/lac.yaml"
	fi
	"$LAC" -C "$P" -q apply --auto-approve --no-run >/dev/null
	"$py" "$SRC/bench/run/runbench.py" --applied --label "$w $MEMBERS" "$LAC" "$P" bench_file
	fake_stop_all
	rm -rf "$P"
done
