#!/usr/bin/python3
"""tests/correlation_check.py — no skip-level correlation in the golden SQL
of dialects that reject it (DIALECTS §2.1 #1 Redshift, D3 Databricks).

Usage: /usr/bin/python3 tests/correlation_check.py [GOLDEN_DIR]
Exit 0 when every statement passes, 1 otherwise, 77 (skip) without sqlglot.

Each SELECT is a query block.  Every qualified column reference in a block
must name a FROM item (table, derived table or CTE) of that block or of its
immediate parent block: a reference two or more blocks up jumps over an
intermediate block.  A derived table (subquery in FROM) may not refer outside
itself at all (that is a lateral reference, which these engines reject too).
"""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ErrorLevel
except ImportError:  # pragma: no cover
    print("sqlglot not installed; skipping")
    sys.exit(77)
from sqlglot_check import DIALECTS, statements  # noqa: E402

CHECKED = ("redshift", "databricks")


def enclosing_select(node):
    """The nearest SELECT strictly above node, and whether node's own SELECT
    sits in a FROM/JOIN (a derived table)."""
    p, derived = node.parent, False
    while p is not None:
        if isinstance(p, exp.Select):
            return p, derived
        if isinstance(p, exp.Subquery) and isinstance(p.parent, (exp.From, exp.Join)):
            derived = True
        p = p.parent
    return None, derived


def sources(sel):
    """Lower-case names of the FROM items of one SELECT (and the CTEs it sees)."""
    out = set()
    items = []
    frm = sel.args.get("from")
    if frm is not None:
        items += list(frm.expressions)
    for j in sel.args.get("joins") or []:
        items.append(j.this)
    for it in items:
        name = it.alias_or_name if hasattr(it, "alias_or_name") else None
        if name:
            out.add(name.lower())
    p = sel
    while p is not None:  # CTE names are visible in the whole statement
        w = p.args.get("with") if isinstance(p, exp.Expression) else None
        if w is not None:
            for cte in w.expressions:
                out.add(cte.alias_or_name.lower())
        p = p.parent
    return out


def own_select(col):
    p = col.parent
    while p is not None and not isinstance(p, exp.Select):
        p = p.parent
    return p


def check(tree):
    """Problems of one statement, as strings."""
    bad = []
    for col in tree.find_all(exp.Column):
        q = col.table
        if not q:
            continue
        q = q.lower()
        sel = own_select(col)
        level, cur = 0, sel
        while cur is not None:
            if q in sources(cur):
                break
            parent, derived = enclosing_select(cur)
            if derived and parent is not None:
                bad.append("%s: lateral reference out of a derived table" % col.sql())
                break
            cur = parent
            level += 1
        if cur is None:
            continue  # not a FROM item at all (sqlglot parse quirk): not our concern
        if level >= 2:
            bad.append("%s: refers %d query blocks up" % (col.sql(), level))
    return bad


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "golden")
    nok = nfail = 0
    for dirpath, _, files in sorted(os.walk(root)):
        dialect = os.path.basename(dirpath)
        if dialect not in CHECKED:
            continue
        for name in sorted(files):
            if not name.endswith(".sql"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for stmt in statements(text):
                tree = sqlglot.parse_one(stmt, read=DIALECTS[dialect],
                                         error_level=ErrorLevel.RAISE)
                bad = check(tree)
                if bad:
                    nfail += 1
                    for b in sorted(set(bad)):
                        print("FAIL %s: %s" % (os.path.relpath(path, root), b))
                else:
                    nok += 1
    print("%d statements correlate one level deep, %d do not" % (nok, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
