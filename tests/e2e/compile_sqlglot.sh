#!/bin/sh
# tests/e2e/compile_sqlglot.sh — every golden statement parses with sqlglot in
# its dialect (tests/sqlglot_check.py), and the checker itself rejects a
# statement with a broken literal (so this test can fail).  Skipped (77)
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

finish
