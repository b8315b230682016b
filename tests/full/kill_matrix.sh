#!/bin/sh
# tests/full/kill_matrix.sh — the full kill matrix of `make check-full`: a
# run killed (LAC_TEST_CRASH_AFTER, exit 137) at every crash point of a run
# × every warehouse type × both state backends, each time from a fresh
# project, warehouse database and fake: apply, a baseline run, the data
# change of tests/e2e/run_crash.sh, the killed run, then the next run must
# complete it and send every event of the change exactly once, with unique
# messageIds and the killed run's reference time, and a quiet run after it
# nothing more.  make check runs the same kills at every point on SQLite
# (run_crash.sh), Snowflake (wh_snowflake.sh) and two points on the others.
#
# Parameters (space-separated lists; default: all):
#   KM_WAREHOUSES  sqlite postgres redshift snowflake bigquery databricks
#                  (redshift = the redshift connector on the test PostgreSQL,
#                  as tests/e2e/redshift_pg.sh)
#   KM_POINTS      snapshot outbox generation swap_members swap_entities swap
#   KM_STATES      sqlite postgres
# Skipped (77) without PostgreSQL, python3-psycopg2, sqlite3 or openssl.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
. "$SRC/tests/fakes/start.sh"
fakes_need sqlite3 openssl
fakes_pg_start

warehouses=${KM_WAREHOUSES:-sqlite postgres redshift snowflake bigquery databricks}
points=${KM_POINTS:-snapshot outbox generation swap_members swap_entities swap}
states=${KM_STATES:-sqlite postgres}
lib="$SRC/tests/e2e/run_lib.py"
ex="$SRC/examples/petshop"
expected_events="dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x03|true
dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x31|true
dog_bundle|track|Dog Bundle Eligible|anon:p09|households.pets|x32|true
welcome_cat|track|Audience Entered|anon:p02|-|-|true"
dsn() { echo "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$1"; }

# ---- what every case starts from -------------------------------------------------
lac init --example petshop "$T/base" >/dev/null
lac -C "$T/base" graph --format json >"$T/graph.json"
"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$T/base/data/warehouse.db" >"$T/load.sql"
# the example's data, copied per case with CREATE DATABASE ... TEMPLATE
psql -q -d postgres -c "CREATE DATABASE km_base" >/dev/null
psql -q -v ON_ERROR_STOP=1 -d km_base -f "$T/load.sql" >"$T/psql.log" 2>&1 || { cat "$T/psql.log" >&2; exit 1; }
psql -q -d postgres -c "CREATE DATABASE km_state" >/dev/null
KM_STATE_DSN=$(dsn km_state)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/key.pem" 2>/dev/null
openssl pkey -in "$T/key.pem" -pubout -out "$T/pub.pem"
KM_KEY_FILE="$T/key.pem"
KM_TOKEN=km-test-token-0123456789
export KM_STATE_DSN KM_KEY_FILE KM_TOKEN

# base_project WAREHOUSE: $T/base-WAREHOUSE, the example with that warehouse;
# the case's database and fake come from $KM_DSN and $KM_ENDPOINT.
base_project() {
	B="$T/base-$1"
	cp -R "$T/base" "$B"
	case $1 in
	sqlite) return ;;
	postgres) wh='  type: postgres\n  dsn: "${KM_DSN}"\n  schema: lac' ;;
	redshift) wh='  type: redshift\n  dsn: "${KM_DSN}"\n  schema: lac\n  timeout: 5m'
		# PostgreSQL refuses Redshift's three-part names (tests/e2e/redshift_pg.sh)
		sed 's/table: [A-Z_]*\.\([A-Z_]*\.[A-Z_]*\)/table: \1/' "$T/base/graph.yaml" >"$B/graph.yaml" ;;
	snowflake) wh='  type: snowflake\n  account: xy12345.eu-central-1\n  user: lac_service\n  private_key_path: "${KM_KEY_FILE}"\n  role: LAC_ROLE\n  warehouse: COMPUTE_WH\n  database: PETS\n  schema: lac\n  timeout: 30s\n  endpoint: "${KM_ENDPOINT}"' ;;
	bigquery) wh='  type: bigquery\n  project: lac-test\n  location: EU\n  token: "${KM_TOKEN}"\n  schema: lac\n  timeout: 30s\n  endpoint: "${KM_ENDPOINT}"' ;;
	databricks) wh='  type: databricks\n  endpoint: "${KM_ENDPOINT}"\n  warehouse_id: wh-0123456789abcdef\n  token: "${KM_TOKEN}"\n  catalog: main\n  schema: lac\n  timeout: 30s' ;;
	*) echo "unknown warehouse type: $1" >&2; exit 1 ;;
	esac
	awk -v wh="$wh" '
		/^warehouse:/ { gsub(/\\n/, "\n", wh); print "warehouse:\n" wh; skip = 1; next }
		skip && /^[ \t]/ { next }
		{ skip = 0; print }
	' "$T/base/lac.yaml" >"$B/lac.yaml"
}

# start_warehouse WAREHOUSE ID: the case's database km_ID and its fake
start_warehouse() {
	[ "$1" = sqlite ] && return
	psql -q -d postgres -c "CREATE DATABASE km_$2 TEMPLATE km_base" >/dev/null
	KM_DSN=$(dsn "km_$2")
	case $1 in
	snowflake) fake_start "$2" fake_snowflake.py --dsn "$KM_DSN" --public-key "$T/pub.pem" \
		--account xy12345.eu-central-1 --user lac_service --log /dev/null --lifetime 600 ;;
	bigquery) fake_start "$2" fake_bigquery.py --dsn "$KM_DSN" --pubkey "$T/pub.pem" \
		--sa-email lac@lac-test.iam.gserviceaccount.com --token "$KM_TOKEN" --log /dev/null --lifetime 600 ;;
	databricks) fake_start "$2" fake_databricks.py --dsn "$KM_DSN" --token "$KM_TOKEN" \
		--log /dev/null --lifetime 600 ;;
	esac
	KM_ENDPOINT=${FAKE_URL:-}
	export KM_DSN KM_ENDPOINT
}

# change_data WAREHOUSE ID DIR: the data change of tests/e2e/run_crash.sh
change_data() {
	ins="INSERT INTO %s VALUES ('x30','h02','Mia','cat',2,'2025-01-01'),
		('x31','h02','Odie','dog',3,'2025-01-01'), ('x32','h10','Pluto','dog',4,'2025-01-01');
		DELETE FROM %s WHERE id IN ('x11','x13');"
	if [ "$1" = sqlite ]; then
		sqlite3 "$3/data/warehouse.db" "$(printf "$ins" PETS PETS)"
	else
		psql -q -v ON_ERROR_STOP=1 -d "km_$2" -c "$(printf "$ins" public.pets public.pets)" >/dev/null
	fi
}

# use_state STATE ID DIR: the case's state in SQLite (.lac/, the example's
# own) or in schema s_ID of the state database
use_state() {
	[ "$1" = sqlite ] && return
	awk -v schema="s_$2" '
		/^state:/ { print "state:\n  type: postgres\n  dsn: \"${KM_STATE_DSN}\"\n  schema: " schema; skip = 1; next }
		skip && /^[ \t]/ { next }
		{ skip = 0; print }
	' "$3/lac.yaml" >"$T/lac.yaml" && cp "$T/lac.yaml" "$3/lac.yaml"
}

ncases=0
for w in $warehouses; do
	base_project "$w"
	for s in $states; do
		for point in $points; do
			id="${w}_${s}_${point}"
			K="$T/$id"
			ev="$K/out/events.jsonl"
			cp -R "$T/base-$w" "$K"
			use_state "$s" "$id" "$K"
			start_warehouse "$w" "$id"
			ncases=$((ncases + 1))
			lac -C "$K" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
			expect_status "$id: baseline" 0 lac -C "$K" --now 2026-01-15T12:00:00Z run cat_owners multi_dog_owners
			change_data "$w" "$id" "$K"
			set +e
			# --jobs 1: the crash kills lac itself, not one run's process (run_jobs_pg.sh)
			LAC_TEST_CRASH_AFTER=$point "$LAC" -C "$K" --now 2026-01-15T13:00:00Z run --jobs 1 cat_owners multi_dog_owners \
				>"$T/out" 2>"$T/err"
			rc=$?
			set -e
			expect_eq "$id: killed" 137 "$rc"
			[ "$rc" = 137 ] || cat "$T/err" >&2
			expect_eq "$id: nothing delivered by the killed run" 0 "$(cat "$ev" 2>/dev/null | wc -l | tr -d ' ')"
			expect_status "$id: next run" 0 lac -C "$K" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
			expect_eq "$id: every event exactly once" "$expected_events" "$("$py" "$lib" summary "$ev")"
			expect_status "$id: messageIds unique" 0 "$py" "$lib" ids "$ev"
			expect_eq "$id: the killed run's now" '"2026-01-15T13:00:00Z"' \
				"$("$py" "$lib" field "$ev" welcome_cat anon:p02 timestamp)"
			expect_status "$id: quiet run" 0 lac -C "$K" --now 2026-01-15T15:00:00Z run cat_owners multi_dog_owners
			expect_eq "$id: still exactly once" 4 "$(wc -l <"$ev" | tr -d ' ')"
			fake_stop_all
			rm -rf "$K"
		done
	done
done
echo "$ncases cases: $(echo $warehouses | wc -w) warehouse types x $(echo $states | wc -w) state backends x $(echo $points | wc -w) crash points"
finish
