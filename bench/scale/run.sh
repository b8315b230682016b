#!/bin/sh
# bench/scale/run.sh — a thousand scheduled audiences on PostgreSQL (issue 14).
#
# usage: bench/scale/run.sh [-n AUDIENCES] [-j "1 4 8"] [LAC]
#
# Starts a throw-away PostgreSQL (tests/pg/start.sh, fsync off), loads the
# bench/sql data into database bench_scale (bench/sql/gen_data.py: 100,000
# profiles, 1M entity rows, 1M events; a few minutes), generates AUDIENCES
# (default 1000) hourly audiences over it (bench/scale/gen_audiences.py), then
# for each --jobs value: a fresh warehouse schema and state, `lac apply
# --no-run`, and a pass of `lac run --jobs J` (all audiences); after the
# last value, a second pass with no data change.  Prints one line per pass: jobs, pass, wall
# seconds, peak RSS (/usr/bin/time -v: the largest of lac and its run
# processes, each a fork of lac), runs Live / Failed / Skipped.
# The figures go to docs/benchmarks.md "A thousand scheduled audiences".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
N=1000
JOBS="1 4 8"
while getopts n:j: opt; do
	case $opt in
	n) N=$OPTARG ;;
	j) JOBS=$OPTARG ;;
	*) sed -n '2,17p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
LAC=${1:-./lac}
case $LAC in /*) ;; *) LAC=$(pwd)/$LAC ;; esac
[ -x "$LAC" ] || { echo "run.sh: no lac binary at $LAC" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "run.sh: needs /usr/bin/time (GNU time)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/lac-bench-scale.XXXXXX")
eval "$(sh "$src/tests/pg/start.sh")"
trap 'sh "$src/tests/pg/stop.sh"; rm -rf "$work"' EXIT
psql -X -q -d postgres -c "CREATE DATABASE bench_scale" >/dev/null
t0=$(date +%s)
python3 "$src/bench/sql/gen_data.py" postgres | psql -X -q -v ON_ERROR_STOP=1 -d bench_scale >/dev/null
echo "data loaded in $(( $(date +%s) - t0 )) s" >&2
BENCH_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=bench_scale"
export BENCH_DSN

echo "jobs pass wall_s peak_rss_mib live failed skipped"
for j in $JOBS; do
	P="$work/p$j"
	rm -rf "$P"
	python3 "$here/gen_audiences.py" "$P" --audiences "$N"
	psql -X -q -d bench_scale -c "DROP SCHEMA IF EXISTS lac_scale CASCADE" >/dev/null 2>&1
	"$LAC" -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
	passes=1
	[ "$j" = "${JOBS##* }" ] && passes="1 2"
	for pass in $passes; do
		/usr/bin/time -v -o "$work/time" "$LAC" -C "$P" --format json run --jobs "$j" \
			>"$work/out.json" 2>"$work/err" || true
		wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time" |
			awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }')
		rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time" |
			awk '{ printf "%.1f", $1 / 1024 }')
		counts=$(python3 -c 'import json, sys
r = [x["result"] for x in json.load(sys.stdin)["runs"]]
print(r.count("Live"), r.count("Failed"), r.count("Skipped"))' <"$work/out.json")
		echo "$j $pass $wall $rss $counts"
	done
done
