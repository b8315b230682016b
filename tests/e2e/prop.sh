#!/bin/sh
# tests/e2e/prop.sh — the randomized property test (tests/prop/): for a fixed
# list of seeds, random data graphs, data (NULLs, duplicates through two
# paths, rows with a null primary key, hostile strings, timestamps in both ISO
# spellings around the window edges, values inside JSON that drift in type
# and spelling) and random valid audiences; `lac preview` on SQLite and on a
# throw-away PostgreSQL (tests/pg/start.sh, stopped on exit) must both agree
# with the brute-force evaluator tests/prop/oracle.py.  PostgreSQL is skipped
# (with a message) only when no server can be started.  Bounded to ~60 s.
# Failing projects are kept in ./prop-failures/seed-N (under the build dir).
# More seeds by hand:  LAC=... python3 tests/prop/run.py --pg 1000 1001 ...
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py"
seeds=${LAC_PROP_SEEDS:-$(seq 1 80)}
budget=${LAC_PROP_BUDGET:-60}

pg=
if pg_start --optional; then pg=--pg; fi # else SQLite against the oracle only

# lac under valgrind is not used here: hundreds of runs would take too long.
set +e
LAC="$LAC" "$py" "$SRC/tests/prop/run.py" $pg --budget "$budget" --keep "$(pwd)/prop-failures" $seeds
rc=$?
set -e
# run.py prints its own `N passed, M failed` line
exit $rc
