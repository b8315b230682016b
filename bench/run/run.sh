#!/bin/sh
# bench/run/run.sh — event production and delivery throughput (SPEC §7, issue 4).
#
# usage: bench/run/run.sh [-s SIZES] [-d file|segment|all] [-b STATES] [-f FSYNC]
#                         [-p] [-r RUNS] CACHE_DIR [LAC]
#
#   CACHE_DIR  generated projects live in CACHE_DIR/<members>/ (bench/run/gen.py;
#              regenerated only when gen.py changes); the sink is compiled there.
#   LAC        the lac binary (default ./lac); use a normal -O2 build.
#   -s SIZES   audience sizes, comma-separated (default 100000,1000000).
#   -d DEST    which destination(s) to measure (default all).
#   -p         use the Python sink (bench/run/pysink.py) instead of the C one.
#   -r RUNS    runs per measurement (default 1; the median is printed too).
#   -b STATES  where the state lives, comma-separated: sqlite (the default:
#              .lac/state.db) and/or postgres (a schema on a PostgreSQL
#              server this script starts for the purpose with
#              tests/pg/start.sh, on a unix socket, and stops at the end).
#   -f FSYNC   that server's fsync, comma-separated: on (the default, as a
#              real deployment has it) and/or off (as the tests run it).
#              synchronous_commit stays on either way.
#
# Every measurement is the *first* run of an audience of N members (all
# profiles) whose activation has `send current`: N events are built, queued
# in the outbox (the state: SQLite with synchronous=FULL, or PostgreSQL)
# and delivered, either to the `file` destination (JSON lines + fsync per
# page) or to the `segment` destination, which POSTs batches to
# bench/run/sink.c on 127.0.0.1 (a fresh sink per run, bounded to 600 s; it
# prints what it received).
# bench/run/runbench.py resets the project before each run and prints:
# members, events, delivered, wall, events/s (delivered / wall), CPU, peak
# RSS (wait4 ru_maxrss; lac only, not the server) and the run's step timings
# from `lac runs --format json` (extracting / preparing / delivering, ms);
# with PostgreSQL also the CPU time the server spent on the run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
SIZES=100000,1000000
DESTS=all
PY=0
RUNS=1
BACKENDS=sqlite
FSYNCS=on
usage() { sed -n '2,33p' "$0" >&2; exit 2; }
while getopts s:d:pr:b:f: opt; do
	case $opt in
	s) SIZES=$OPTARG ;;
	d) DESTS=$OPTARG ;;
	p) PY=1 ;;
	r) RUNS=$OPTARG ;;
	b) BACKENDS=$OPTARG ;;
	f) FSYNCS=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
for b in $(echo "$BACKENDS" | tr , ' '); do
	case $b in sqlite|postgres) ;; *) usage ;; esac
done
for f in $(echo "$FSYNCS" | tr , ' '); do
	case $f in on|off) ;; *) usage ;; esac
done
CACHE=$1
LAC=${2:-./lac}
case $LAC in /*) ;; *) LAC=$(pwd)/$LAC ;; esac
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
[ "$DESTS" = all ] && DESTS="file segment"

# the sink
SINK="$CACHE/sink"
if [ ! -x "$SINK" ] || [ "$here/sink.c" -nt "$SINK" ]; then
	${CC:-cc} -O2 -Wall -o "$SINK" "$here/sink.c"
fi

# the data, once per size (and again when gen.py changes)
stamp=$(cksum <"$here/gen.py" | cut -d' ' -f1)
for n in $(echo "$SIZES" | tr , ' '); do
	dir="$CACHE/$n"
	if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
		echo "generating $n profiles in $dir" >&2
		start=$(date +%s)
		rm -rf "$dir"
		python3 "$here/gen.py" "$dir" --members "$n"
		echo "$stamp" >"$dir/.stamp"
		echo "  $(($(date +%s) - start)) s, $(du -sh "$dir/data/warehouse.db" | cut -f1)" >&2
	fi
done

export LAC_BENCH_WRITE_KEY=bench-write-key
sink_pid=
pg_started=
cleanup() {
	[ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null
	[ -n "$pg_started" ] && sh "$here/../../tests/pg/stop.sh"
	true
}
trap cleanup EXIT INT TERM

start_sink() {
	rm -f "$CACHE/sink.port"
	if [ "$PY" = 1 ]; then
		python3 "$here/pysink.py" "$CACHE/sink.port" 600 >"$CACHE/sink.out" &
	else
		"$SINK" "$CACHE/sink.port" 600 >"$CACHE/sink.out" &
	fi
	sink_pid=$!
	i=0
	while [ ! -s "$CACHE/sink.port" ]; do
		i=$((i + 1)); [ $i -lt 100 ] || { echo "sink did not start" >&2; exit 1; }
		sleep 0.05
	done
	export LAC_BENCH_SINK_URL="http://127.0.0.1:$(cat "$CACHE/sink.port")/v1/batch"
}

stop_sink() {
	kill "$sink_pid" 2>/dev/null || true
	wait "$sink_pid" 2>/dev/null || true
	sink_pid=
	echo "  $(cat "$CACHE/sink.out")"
}

# A PostgreSQL server for the state (fsync $1), with an empty database
# lac_bench; sets LAC_BENCH_STATE_DSN and server_pid (the postmaster).
start_pg() {
	env_out=$(LAC_PG_FSYNC=$1 sh "$here/../../tests/pg/start.sh") ||
		{ echo "cannot start PostgreSQL" >&2; exit 1; }
	eval "$env_out"
	pg_started=1
	psql -q -X -d postgres -c "CREATE DATABASE lac_bench" >/dev/null
	export LAC_BENCH_STATE_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_bench"
	server_pid=$(head -1 "$LAC_PG_DIR/data/postmaster.pid")
	echo "PostgreSQL $(psql -X -t -A -d lac_bench -c 'SHOW server_version'):" \
		"$(psql -X -t -A -d lac_bench -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name)
		FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method',
		'shared_buffers', 'full_page_writes')")"
}

stop_pg() {
	sh "$here/../../tests/pg/stop.sh"
	pg_started=
}

# measure BACKEND LABEL [runbench.py options]: every size and destination
measure() {
	backend=$1 tag=$2
	shift 2
	for n in $(echo "$SIZES" | tr , ' '); do
		for dest in $DESTS; do
			if [ "$dest" = segment ]; then
				start_sink
			else
				export LAC_BENCH_SINK_URL=http://127.0.0.1:9/unused
			fi
			python3 "$here/runbench.py" --runs "$RUNS" --label "$dest $n $tag" \
				--state "$backend" "$@" "$LAC" "$CACHE/$n" "bench_$dest"
			if [ "$dest" = segment ]; then stop_sink; fi
		done
	done
}

echo "lac: $LAC ($("$LAC" --version 2>/dev/null | head -1)); $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
for backend in $(echo "$BACKENDS" | tr , ' '); do
	if [ "$backend" = sqlite ]; then
		measure sqlite sqlite
		continue
	fi
	for f in $(echo "$FSYNCS" | tr , ' '); do
		start_pg "$f"
		measure postgres "postgres(fsync=$f)" --server-pid "$server_pid"
		stop_pg
	done
done
