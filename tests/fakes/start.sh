# tests/fakes/start.sh — sourced after tests/lib.sh by every script that runs
# lac against a warehouse fake (tests/e2e/wh_*.sh, prop_*.sh,
# tests/full/kill_matrix.sh, bench/connectors/run.sh): the prerequisites
# (skipped, 77, without them), the test PostgreSQL the fakes answer from,
# and starting and stopping the fakes themselves.
# Gives: $py, fakes_need, fakes_pg_start, fake_start, fake_stop_all.

py=/usr/bin/python3
FAKE_PIDS=

# fakes_need [COMMAND...]: skip (77) unless python3 with psycopg2, psql and
# each COMMAND (openssl, sqlite3, ...) are there.
fakes_need() {
	[ -x "$py" ] || { echo "no /usr/bin/python3: skipped"; exit 77; }
	"$py" -c 'import psycopg2' 2>/dev/null || { echo "no python3-psycopg2: skipped"; exit 77; }
	for c in psql "$@"; do
		command -v "$c" >/dev/null 2>&1 || { echo "no $c: skipped"; exit 77; }
	done
}

# fakes_pg_start: the test PostgreSQL (pg_start of tests/lib.sh), and the
# fakes stopped on exit before it.
fakes_pg_start() {
	pg_start
	on_exit fake_stop_all
}

# fake_start NAME SCRIPT ARG...: tests/fakes/SCRIPT in the background with
# --port-file $T/NAME.port and ARG...; its output in $T/NAME.out.  Waits
# (up to 10 s) until it listens, then sets FAKE_PORT and FAKE_URL.
fake_start() {
	name=$1 script=$2
	shift 2
	rm -f "$T/$name.port"
	"$py" "$SRC/tests/fakes/$script" --port-file "$T/$name.port" "$@" >"$T/$name.out" 2>&1 &
	FAKE_PIDS="$FAKE_PIDS $!"
	i=0
	while [ ! -s "$T/$name.port" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "the fake $name did not start" >&2; cat "$T/$name.out" >&2; exit 1; }
		sleep 0.05
	done
	FAKE_PORT=$(cat "$T/$name.port")
	FAKE_URL="http://127.0.0.1:$FAKE_PORT"
}

# fake_stop_all: every fake this script started, waited for.
fake_stop_all() {
	for p in $FAKE_PIDS; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	FAKE_PIDS=
}
