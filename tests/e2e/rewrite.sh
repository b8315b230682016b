#!/bin/sh
# tests/e2e/rewrite.sh — the fakes' rewrite table (tests/fakes/rewrite.py):
# every golden membership statement and every `--emit run` script of every
# example and of a project whose JSON values drift in type (tests/fakes/typed),
# rewritten from snowflake, bigquery, databricks and redshift, runs
# on a throw-away PostgreSQL (tests/pg/start.sh) and gives the rows of the
# postgres dialect (tests/fakes/rewrite_check.py, which prints the coverage
# per dialect).  A construct the table does not cover is an error naming it,
# and a spoiled row of the table makes the check fail.  Skipped (77)
# without PostgreSQL.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3
fakes="$SRC/tests/fakes"

# not covered: an error naming the construct, never a silent pass-through
uncovered() { # NAME DIALECT SQL CONSTRUCT
	if printf '%s\n' "$3" | "$py" "$fakes/rewrite.py" -d "$2" >"$T/out" 2>"$T/err"; then
		fail "$1: rewritten"; cat "$T/out" >&2
	elif grep -q "$4" "$T/err"; then pass; else
		fail "$1: error does not name '$4'"; cat "$T/err" >&2
	fi
}
uncovered "unknown function" snowflake "SELECT FLATTEN(x) FROM t;" "function FLATTEN"
uncovered "vendor keyword" snowflake "SELECT a FROM t QUALIFY a = 1;" "keyword QUALIFY"
uncovered "unknown statement" bigquery "TRUNCATE TABLE t;" "statement TRUNCATE"
uncovered "unknown type" databricks "SELECT CAST(a AS MAP) FROM t;" "type MAP"
uncovered "unknown escape" redshift "SELECT 'a\\x' FROM t;" 'escape \\x'
uncovered "no transactions on Databricks" databricks "BEGIN TRANSACTION;" "statement BEGIN"
uncovered "4-part name" bigquery "SELECT 1 FROM a.b.c.d;" "a name of 4 parts"

pg_start

# and a project whose JSON values drift in type: every JSON read template
mkdir "$T/all" "$T/broken" "$T/typed"
cp -R "$fakes/typed/lac.yaml" "$fakes/typed/graph.yaml" "$fakes/typed/audiences" "$T/typed/"
mkdir "$T/typed/data"
sqlite3 -bail "$T/typed/data/warehouse.db" <"$fakes/typed/data.sql"
if "$py" "$fakes/rewrite_check.py" --project "$T/typed" "$LAC" "$SRC" "$T/all" >"$T/report" 2>&1; then pass; else
	fail "rewritten statements differ from the postgres dialect"; fi
cat "$T/report"

# the check can fail: one row of the table answers TRUE
if "$py" "$fakes/rewrite_check.py" --only petshop --break snowflake:DATEADD "$LAC" "$SRC" \
	"$T/broken" >"$T/report2" 2>&1; then
	fail "the check passed with the snowflake DATEADD row spoiled"; cat "$T/report2" >&2
elif grep -q '^FAIL: .*snowflake' "$T/report2"; then pass; else
	fail "the spoiled check failed for another reason"; cat "$T/report2" >&2
fi
finish
