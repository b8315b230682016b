#!/usr/bin/python3
"""tests/sqlglot_check.py — parse every golden statement with sqlglot in its
dialect (an independent check of quoting, escaping and syntax).

Usage: /usr/bin/python3 tests/sqlglot_check.py [GOLDEN_DIR]
Exit 0 when every statement parses, 1 otherwise, 77 (skip) without sqlglot.

Run with Debian's interpreter (/usr/bin/python3) where python3-sqlglot 10.x
is installed.  sqlglot is lenient (it accepts many invalid forms), so a pass
is necessary, not sufficient; PostgreSQL and SQLite execution are the exact
oracles.  Known false rejects are listed in KNOWN_REJECTS below.
"""
import os
import sys

try:
    import sqlglot
    from sqlglot.errors import ErrorLevel
except ImportError:  # pragma: no cover
    print("sqlglot not installed; skipping")
    sys.exit(77)

DIALECTS = {
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "redshift": "redshift",
    "databricks": "databricks",
    "postgres": "postgres",
    "sqlite": "sqlite",
}

# (dialect, substring) of valid SQL that sqlglot 10.x rejects; a statement
# containing one is reported as skipped, not failed.
KNOWN_REJECTS = [
    # Snowflake's zero-copy clone (CREATE OR REPLACE TABLE .. CLONE ..,
    # https://docs.snowflake.com/en/sql-reference/sql/create-clone): sqlglot
    # 10.x knows no CLONE
    ("snowflake", " CLONE "),
    # BigQuery's table copy (CREATE OR REPLACE TABLE .. COPY ..,
    # https://cloud.google.com/bigquery/docs/reference/standard-sql/data-definition-language#create_table_copy):
    # sqlglot 10.x knows no COPY there
    ("bigquery", " COPY "),
    # PostgreSQL's CREATE INDEX on a schema-qualified table
    # (https://www.postgresql.org/docs/current/sql-createindex.html):
    # sqlglot 10.x takes only a bare table name after ON (the statement runs
    # on the test PostgreSQL in every run test)
    ("postgres", "CREATE INDEX IF NOT EXISTS lac_membership_log_run ON "),
    # BigQuery's clustered table (CREATE TABLE .. CLUSTER BY ..,
    # https://cloud.google.com/bigquery/docs/reference/standard-sql/data-definition-language#create_table_statement):
    # sqlglot 10.x knows no CLUSTER BY there
    ("bigquery", ") CLUSTER BY run_id"),
]


def statements(text):
    """Split a golden file into statements: they end with ';' at end of line."""
    out, cur = [], []
    for line in text.splitlines():
        if line.startswith("--"):
            continue
        cur.append(line)
        if line.endswith(";"):
            out.append("\n".join(cur)[:-1])
            cur = []
    if "".join(cur).strip():
        out.append("\n".join(cur))
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "golden")
    nok = nfail = nskip = 0
    for dirpath, _, files in sorted(os.walk(root)):
        dialect = os.path.basename(dirpath)
        if dialect not in DIALECTS:
            continue
        for name in sorted(files):
            if not name.endswith(".sql"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for stmt in statements(text):
                if any(d == dialect and s in stmt for d, s in KNOWN_REJECTS):
                    nskip += 1
                    continue
                try:
                    trees = sqlglot.parse(stmt, read=DIALECTS[dialect],
                                          error_level=ErrorLevel.RAISE)
                    if len(trees) != 1 or trees[0] is None:
                        raise ValueError("expected one statement, got %d" % len(trees))
                    nok += 1
                except Exception as e:  # noqa: BLE001 - any parse error fails
                    nfail += 1
                    msg = str(e).splitlines()[0] if str(e) else type(e).__name__
                    print("FAIL %s: %s" % (os.path.relpath(path, root), msg))
    print("%d statements parsed, %d failed, %d skipped (known sqlglot rejects)"
          % (nok, nfail, nskip))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
