#!/bin/sh
# bench/scale/latency.sh — a thousand scheduled audiences against a warehouse
# that answers every statement after a fixed latency (issue 14).
#
# usage: bench/scale/latency.sh [-n AUDIENCES] [-j JOBS] [-l LATENCY_MS] [LAC]
#        (defaults 1000, 16, 200, ./lac)
#
# Starts the test PostgreSQL (tests/pg/start.sh) with a SMALL copy of the
# bench/sql data (bench/sql/gen_data.py --profiles 300: a few thousand rows
# in all, so that no statement has work of its own) and the Snowflake fake
# (tests/fakes/fake_snowflake.py --latency-ms LATENCY_MS: every statement
# answered that late), generates AUDIENCES hourly audiences on it
# (bench/scale/gen_audiences.py --snowflake-endpoint), `lac apply
# --auto-approve --no-run`, then times two passes of `lac run --jobs JOBS`
# over all of them: the first (baselines), and a second with no data change,
# where the fake's LAST_ALTERED lets every audience be skipped.  For each
# pass it prints the statements the fake ran (its --count-file; a
# multi-statement request counts each of its statements, each of which
# waits the latency), the bound statements × latency / JOBS, wall / bound,
# lac's CPU (/usr/bin/time -v: user + sys of lac and its run processes), the
# fake's CPU (/proc) and the runs Live / Failed / Skipped; the load average
# before and after.  Figures: docs/benchmarks.md, "A
# thousand scheduled audiences", "Against a warehouse with a fixed latency".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$here/../.." && pwd)
N=1000
JOBS=16
LATENCY=200
while getopts n:j:l: opt; do
	case $opt in
	n) N=$OPTARG ;;
	j) JOBS=$OPTARG ;;
	l) LATENCY=$OPTARG ;;
	*) sed -n '2,23p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
LAC=${1:-./lac}
case $LAC in /*) ;; *) LAC=$(pwd)/$LAC ;; esac
[ -x "$LAC" ] || { echo "latency.sh: no lac binary at $LAC" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "latency.sh: needs /usr/bin/time (GNU time)" >&2; exit 2; }

. "$SRC/tests/lib.sh" # $T, on_exit, pg_start
. "$SRC/tests/fakes/start.sh"
fakes_need openssl
fakes_pg_start

psql -X -q -d postgres -c "CREATE DATABASE bench_latency" >/dev/null
"$py" "$SRC/bench/sql/gen_data.py" postgres --profiles 300 |
	psql -X -q -v ON_ERROR_STOP=1 -d bench_latency >/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/key.pem" 2>/dev/null
openssl pkey -in "$T/key.pem" -pubout -out "$T/pub.pem"
BENCH_KEY_FILE="$T/key.pem"
export BENCH_KEY_FILE
# a result in one partition, as Snowflake's (a few MB) would hold these
echo '{"partition_rows": 100000}' >"$T/sf.ctl"
fake_start sf fake_snowflake.py --dsn "host=$PGHOST port=$PGPORT user=$PGUSER dbname=bench_latency" \
	--public-key "$T/pub.pem" --account bench --user lac --control "$T/sf.ctl" \
	--lifetime 86400 --latency-ms "$LATENCY" --count-file "$T/count"

P="$T/project"
"$py" "$here/gen_audiences.py" "$P" --audiences "$N" --snowflake-endpoint "$FAKE_URL"
"$LAC" -C "$P" -q apply --auto-approve --no-run >/dev/null
# LAST_ALTERED is to the second: a run in the second of the last change would not skip
sleep 1

# statements: what the fake has run so far
statements() { sed -n 's/^statements //p' "$T/count" 2>/dev/null || echo 0; }
# fake_cpu: the fake's user + sys seconds so far
fake_pid=${FAKE_PIDS# }
hz=$(getconf CLK_TCK)
fake_cpu() { awk -v hz="$hz" '{ sub(/.*\) /, ""); printf "%.1f", ($12 + $13) / hz }' "/proc/$fake_pid/stat"; }

echo "lac: $LAC; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "pass audiences jobs latency_ms statements wall_s bound_s wall/bound cpu_s fake_cpu_s live failed skipped"
for pass in first second; do
	before=$(statements)
	fake_before=$(fake_cpu)
	/usr/bin/time -v -o "$T/time" "$LAC" -C "$P" --format json run --jobs "$JOBS" \
		>"$T/out.json" 2>"$T/err" || { echo "latency.sh: lac run failed:" >&2; tail -5 "$T/err" >&2; }
	stmts=$(( $(statements) - before ))
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$T/time" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }')
	cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$T/time")
	counts=$("$py" -c 'import json, sys
r = [x["result"] for x in json.load(sys.stdin)["runs"]]
print(r.count("Live"), r.count("Failed"), r.count("Skipped"))' <"$T/out.json")
	fake=$(echo "$(fake_cpu) $fake_before" | awk '{ printf "%.1f", $1 - $2 }')
	echo "$pass $N $JOBS $LATENCY $stmts $wall $counts $cpu $fake" | awk '{
		bound = $5 * $4 / 1000 / $3
		ratio = "-"
		if (bound > 0)
			ratio = sprintf("%.2f", $6 / bound)
		printf "%s %s %s %s %s %s %.1f %s %s %s %s %s %s\n", $1, $2, $3, $4, $5, $6, bound, ratio,
			$10, $11, $7, $8, $9 }'
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg) at the end"
