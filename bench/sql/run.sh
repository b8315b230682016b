#!/bin/sh
# bench/sql/run.sh — generated vs hand-written SQL on SQLite and PostgreSQL.
#
# usage: bench/sql/run.sh [-r RUNS] [-e sqlite|postgres|all] [-a AUDIENCE] [-c] [-n] CACHE_DIR [LAC]
#
#   CACHE_DIR  where the data lives between runs: CACHE_DIR/sqlite/warehouse.db
#              and a PostgreSQL cluster in CACHE_DIR/pg (started for the run on
#              a unix socket in that directory, no TCP, and stopped at exit).
#              Data is generated once (bench/sql/gen_data.py) and regenerated
#              only when gen_data.py changes.
#   LAC        the lac binary (default ./lac).
#   -r RUNS    timed runs per query (default 5), after one warm-up run.
#   -e ENGINE  sqlite, postgres or all (default all; postgres is skipped when
#              no server is installed).
#   -a NAME    only this audience (repeatable).
#   -c         check only: compare member sets, no timing.
#   -n         no timing: member sets and the deterministic costs only.
#
# For every audience of bench/sql/project, the generated SQL is `lac compile
# -d ENGINE --now 2026-01-15T12:00:00Z` and the reference is
# bench/sql/reference/ENGINE/NAME.sql.  Both are first run to completion and
# their sorted member lists compared (a mismatch is reported and the audience
# is marked MISMATCH).  Then each is timed as `SELECT count(*) FROM (<query>)`
# (same work and one output row for both, so client transfer is not measured)
# in one sqlite3 / psql session: the median of RUNS runs after a warm-up run.
# The cost columns do not depend on the machine's load: on SQLite the
# virtual machine steps of that count(*) statement (bench/sql/vmsteps.c,
# SQLITE_STMTSTATUS_VM_STEP), on PostgreSQL the shared blocks hit + read of
# EXPLAIN (ANALYZE, BUFFERS) of it, with parallel workers off so the figure
# does not depend on how many start.
# The table goes to stdout and to CACHE_DIR/results.tsv.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
NOW=2026-01-15T12:00:00Z
RUNS=5
ENGINES=all
ONLY=
CHECK_ONLY=0
TIMING=1
while getopts r:e:a:cn opt; do
	case $opt in
	r) RUNS=$OPTARG ;;
	e) ENGINES=$OPTARG ;;
	a) ONLY="$ONLY $OPTARG" ;;
	c) CHECK_ONLY=1 ;;
	n) TIMING=0 ;;
	*) sed -n '2,29p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '2,29p' "$0" >&2; exit 2; }
mkdir -p "$1"
CACHE=$(cd "$1" && pwd)
LAC=${2:-./lac}
case $LAC in /*) ;; *) LAC=$(pwd)/$LAC ;; esac
[ -x "$LAC" ] || { echo "run.sh: no lac binary at $LAC" >&2; exit 2; }
case $ENGINES in
all) ENGINES="sqlite postgres" ;;
sqlite | postgres) ;;
*) echo "run.sh: unknown engine $ENGINES" >&2; exit 2 ;;
esac
stamp=$(cksum <"$here/gen_data.py" | cut -d' ' -f1)

# The project is copied next to the data so nothing is written in the tree.
proj=$CACHE/project
rm -rf "$proj"
mkdir -p "$proj/data"
cp "$here/project/lac.yaml" "$here/project/graph.yaml" "$proj/"
cp -R "$here/project/audiences" "$proj/"
ln -sf "$CACHE/sqlite/warehouse.db" "$proj/data/warehouse.db"
AUDIENCES=${ONLY:-$(sed -n 's/^audience \([A-Za-z0-9_]*\).*/\1/p' "$proj"/audiences/*.lac)}

elapsed() { echo $(( $(date +%s) - $1 )); }

# ---------------------------------------------------------------- SQLite
prepare_sqlite() {
	mkdir -p "$CACHE/sqlite"
	if [ "$(cat "$CACHE/sqlite/stamp" 2>/dev/null)" != "$stamp" ] || [ ! -f "$CACHE/sqlite/warehouse.db" ]; then
		t0=$(date +%s)
		rm -f "$CACHE/sqlite/stamp"
		python3 "$here/gen_data.py" sqlite "$CACHE/sqlite/warehouse.db"
		echo "$stamp" >"$CACHE/sqlite/stamp"
		echo "sqlite: generated and loaded in $(elapsed "$t0") s" >&2
	fi
}
# run_sqlite FILE: run an SQL script, output on stdout.
run_sqlite() { sqlite3 -batch -bail "$CACHE/sqlite/warehouse.db" <"$1"; }

# ---------------------------------------------------------------- PostgreSQL
PGBIN=
as_pg() { "$@"; }
prepare_postgres() {
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[ -x "$d/initdb" ] && { PGBIN=$d; break; }
	done
	[ -n "$PGBIN" ] || { echo "postgres: no server installed, skipped" >&2; return 1; }
	pgdir=$CACHE/pg
	mkdir -p "$pgdir"
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$pgdir"
		chmod 755 "$pgdir" "$CACHE"
		as_pg() { runuser -u postgres -- "$@"; }
	fi
	if [ ! -f "$pgdir/data/PG_VERSION" ]; then
		as_pg "$PGBIN/initdb" -D "$pgdir/data" -A trust -U postgres --no-sync -E UTF8 \
			--locale=C.UTF-8 >"$pgdir/initdb.log" 2>&1 || {
			cat "$pgdir/initdb.log" >&2; return 1; }
	fi
	as_pg "$PGBIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
		-o "-c listen_addresses='' -k $pgdir -p 5432 -c fsync=off -c TimeZone=UTC" start >/dev/null || {
		cat "$pgdir/server.log" >&2; return 1; }
	PG_STARTED=1
	PGHOST=$pgdir PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
	export PGHOST PGPORT PGUSER PGDATABASE
	if [ "$(cat "$pgdir/stamp" 2>/dev/null)" != "$stamp" ]; then
		t0=$(date +%s)
		rm -f "$pgdir/stamp"
		python3 "$here/gen_data.py" postgres | psql -X -q -v ON_ERROR_STOP=1 >/dev/null
		echo "$stamp" >"$pgdir/stamp"
		echo "postgres: generated and loaded in $(elapsed "$t0") s" >&2
	fi
}
PG_STARTED=0
stop_postgres() {
	if [ "$PG_STARTED" = 1 ]; then
		as_pg "$PGBIN/pg_ctl" -D "$CACHE/pg/data" -m fast -w stop >/dev/null 2>&1 || true
		PG_STARTED=0
	fi
}
run_postgres() { psql -X -q -A -t -v ON_ERROR_STOP=1 -f "$1"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/lac-bench-sql.XXXXXX")
trap 'stop_postgres; rm -rf "$work"' EXIT
cc -O2 -o "$work/vmsteps" "$here/vmsteps.c" -lsqlite3 || {
	echo "run.sh: cannot build vmsteps.c (libsqlite3-dev)" >&2; exit 2; }

# cost ENGINE QUERYFILE: the deterministic cost of SELECT count(*) FROM (query).
cost() {
	{
		[ "$1" = postgres ] && echo "SET max_parallel_workers_per_gather = 0;" &&
			echo "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)"
		echo "SELECT count(*) FROM ("
		body "$2"
		echo ") AS q;"
	} >"$work/cost.sql"
	if [ "$1" = sqlite ]; then
		"$work/vmsteps" "$CACHE/sqlite/warehouse.db" <"$work/cost.sql" | cut -d' ' -f1
	else
		run_postgres "$work/cost.sql" | python3 -c 'import json, sys
p = json.loads(sys.stdin.read())[0]["Plan"]
print(p["Shared Hit Blocks"] + p["Shared Read Blocks"])'
	fi
}
trap 'exit 130' INT TERM

# body FILE: the query of FILE without comment lines and the final ';'.
body() { sed -e '/^[[:space:]]*--/d' -e '/^[[:space:]]*$/d' "$1" | sed -e '$s/;[[:space:]]*$//'; }

# timing_script ENGINE GENFILE REFFILE OUT: one warm-up run of each, then
# RUNS rounds alternating generated and reference, so that load from other
# processes on the machine hits both alike.
timing_script() {
	{
		if [ "$1" = sqlite ]; then echo ".timer on"; else printf '%s\n' '\timing on'; fi
		i=0
		while [ $i -le "$RUNS" ]; do
			for q in "$2" "$3"; do
				echo "SELECT count(*) FROM ("
				body "$q"
				echo ") AS q;"
			done
			i=$((i + 1))
		done
	} >"$4"
}
# times_ms ENGINE OUTPUT PARITY: the times in ms of the odd (1, generated) or
# even (0, reference) statements, warm-up dropped.
times_ms() {
	if [ "$1" = sqlite ]; then
		sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' "$2" | awk '{ printf "%.3f\n", $1 * 1000 }'
	else
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$2"
	fi | awk -v p="$3" 'NR % 2 == p && NR > 2'
}
median() { sort -n | awk '{ v[NR] = $1 } END {
	if (NR == 0) { print "nan"; exit }
	if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minimum() { sort -n | head -1; }

results=$CACHE/results.tsv
printf 'audience\tengine\tmembers\tgenerated_cost\treference_cost\tcost_ratio\tgenerated_ms\treference_ms\tratio\tgenerated_min_ms\treference_min_ms\tmin_ratio\n' >"$results"
printf '%-28s %-9s %8s %12s %12s %7s %13s %13s %7s %10s\n' audience engine members "gen cost" "ref cost" "cost x" "generated ms" "reference ms" ratio "min ratio"
mismatches=0
for engine in $ENGINES; do
	case $engine in
	sqlite) prepare_sqlite ;;
	postgres) prepare_postgres || continue ;;
	esac
	for a in $AUDIENCES; do
		ref=$here/reference/$engine/$a.sql
		gen=$work/$engine.$a.gen.sql
		[ -f "$ref" ] || { echo "$a: no reference $ref" >&2; continue; }
		"$LAC" -C "$proj" -q compile -d "$engine" --now "$NOW" "$a" >"$gen"
		# correctness: identical sorted member lists
		for kind in gen ref; do
			q=$gen; [ $kind = ref ] && q=$ref
			{ echo "SELECT member_id FROM ("; body "$q"; echo ") AS q ORDER BY 1;"; } >"$work/members.sql"
			"run_$engine" "$work/members.sql" >"$work/$engine.$a.$kind.members"
		done
		n=$(wc -l <"$work/$engine.$a.gen.members")
		status=
		if ! cmp -s "$work/$engine.$a.gen.members" "$work/$engine.$a.ref.members"; then
			mismatches=$((mismatches + 1))
			status=" MISMATCH"
			mkdir -p "$CACHE/mismatch"
			cp "$work/$engine.$a.gen.members" "$work/$engine.$a.ref.members" "$gen" "$CACHE/mismatch/"
			echo "$a on $engine: generated $(wc -l <"$work/$engine.$a.gen.members") members," \
				"reference $(wc -l <"$work/$engine.$a.ref.members") (lists in $CACHE/mismatch/)" >&2
		fi
		if [ "$CHECK_ONLY" = 1 ]; then
			printf '%-28s %-9s %8s %12s %12s %7s %13s %13s %7s %10s%s\n' "$a" "$engine" "$n" - - - - - - - "$status"
			continue
		fi
		gc=$(cost "$engine" "$gen")
		rc=$(cost "$engine" "$ref")
		cratio=$(awk -v g="$gc" -v r="$rc" 'BEGIN { if (r > 0) printf "%.2f", g / r; else print "nan" }')
		g=nan r=nan gmin=nan rmin=nan ratio=- rmin_ratio=-
		if [ "$TIMING" = 1 ]; then
			timing_script "$engine" "$gen" "$ref" "$work/t.sql"
			"run_$engine" "$work/t.sql" >"$work/t.out"
			g=$(times_ms "$engine" "$work/t.out" 1 | median)
			r=$(times_ms "$engine" "$work/t.out" 0 | median)
			gmin=$(times_ms "$engine" "$work/t.out" 1 | minimum)
			rmin=$(times_ms "$engine" "$work/t.out" 0 | minimum)
			ratio=$(awk -v g="$g" -v r="$r" 'BEGIN { if (r > 0) printf "%.2f", g / r; else print "nan" }')
			rmin_ratio=$(awk -v g="$gmin" -v r="$rmin" 'BEGIN { if (r > 0) printf "%.2f", g / r; else print "nan" }')
		fi
		printf '%-28s %-9s %8s %12s %12s %6sx %13.1f %13.1f %6sx %9sx%s\n' "$a" "$engine" "$n" "$gc" "$rc" "$cratio" "$g" "$r" "$ratio" "$rmin_ratio" "$status"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$a" "$engine" "$n" "$gc" "$rc" "$cratio" "$g" "$r" "$ratio" "$gmin" "$rmin" "$rmin_ratio" >>"$results"
	done
	if [ "$engine" = postgres ]; then stop_postgres; fi
done
[ "$mismatches" = 0 ] || { echo "$mismatches member-set mismatch(es)" >&2; exit 1; }
