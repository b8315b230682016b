#!/bin/sh
# tests/e2e/compile_sqlglot.sh — every golden statement parses with sqlglot in
# its dialect (tests/sqlglot_check.py), and the checker itself rejects a
# statement with a broken literal (so this test can fail); no Redshift or
# Databricks statement correlates across query blocks
# (tests/correlation_check.py), which can fail too.  Skipped (77)
# when Debian's python3-sqlglot is not installed.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
if ! [ -x "$py" ] || ! "$py" -c 'import sqlglot' 2>/dev/null; then
	echo "python3-sqlglot not installed: skipped"
	exit 77
fi
if "$py" "$SRC/tests/sqlglot_check.py" "$SRC/tests/golden" >"$T/out" 2>&1; then pass; else
	fail "sqlglot rejects golden SQL"; cat "$T/out" >&2; fi
tail -1 "$T/out"

# the check can fail: a literal ending in a backslash, unescaped (the §2.2 trap)
mkdir -p "$T/bad/snowflake"
printf "SELECT 1 FROM t WHERE a = 'C:\\\\temp\\\\';\n" >"$T/bad/snowflake/x.sql"
sed -i 's/\\\\/\\/g' "$T/bad/snowflake/x.sql"
if "$py" "$SRC/tests/sqlglot_check.py" "$T/bad" >"$T/out2" 2>&1; then
	fail "sqlglot_check accepted an unterminated Snowflake literal"; cat "$T/bad/snowflake/x.sql" >&2
else pass; fi

# no skip-level correlation on Redshift/Databricks (DIALECTS §2.1 #1, D3):
# every column names a FROM item of its own query block or of the parent
if "$py" "$SRC/tests/correlation_check.py" "$SRC/tests/golden" >"$T/out3" 2>&1; then pass; else
	fail "golden SQL correlates across query blocks"; cat "$T/out3" >&2; fi
tail -1 "$T/out3"

# ... and that check can fail: the Redshift docs' skip-level example, and a
# derived table correlated with its enclosing query
mkdir -p "$T/skip/redshift" "$T/skip/databricks"
printf "SELECT 1 FROM event WHERE NOT EXISTS (SELECT * FROM listing WHERE NOT EXISTS (SELECT * FROM sales WHERE event.eventid = sales.eventid));\n" >"$T/skip/redshift/x.sql"
if "$py" "$SRC/tests/correlation_check.py" "$T/skip" >"$T/out4" 2>&1; then
	fail "correlation_check accepted skip-level correlation"; else pass; fi
rm "$T/skip/redshift/x.sql"
printf "SELECT 1 FROM p WHERE EXISTS (SELECT COUNT(*) FROM (SELECT DISTINCT e.id FROM e WHERE e.k = p.id) AS d HAVING COUNT(*) > 1);\n" >"$T/skip/databricks/y.sql"
if "$py" "$SRC/tests/correlation_check.py" "$T/skip" >"$T/out4" 2>&1; then
	fail "correlation_check accepted a correlated derived table"; else pass; fi

finish
