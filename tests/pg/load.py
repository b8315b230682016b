#!/usr/bin/python3
"""tests/pg/load.py — translate an example's SQLite warehouse to PostgreSQL.

Usage: load.py GRAPH_JSON SQLITE_DB > load.sql
GRAPH_JSON is `lac graph --format json`; every table the graph names is
created in PostgreSQL (database part dropped, unquoted names so they fold the
way the generated SQL expects) with the graph's column types (STRING text,
NUMBER numeric, BOOLEAN boolean, DATE, TIME, TIMESTAMP, OBJECT and event
properties jsonb) and filled with the SQLite rows (0/1 become booleans,
ISO-8601 text is read by PostgreSQL's own input functions).
"""
import json
import sqlite3
import sys

PG_TYPES = {"STRING": "TEXT", "NUMBER": "NUMERIC", "BOOLEAN": "BOOLEAN", "DATE": "DATE",
            "TIME": "TIME", "TIMESTAMP": "TIMESTAMP", "OBJECT": "JSONB"}


def lit(v, ty):
    if v is None:
        return "NULL"
    if ty == "BOOLEAN":
        return "TRUE" if v in (1, "1", "true", True) else "FALSE"
    if ty == "NUMERIC" and isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def main():
    graph = json.load(open(sys.argv[1]))
    db = sqlite3.connect(sys.argv[2])
    tables = {}  # parts tuple -> {column: graph type}

    def add(parts, cols):
        t = tables.setdefault(tuple(parts), {})
        for k, v in cols.items():
            t.setdefault(k, v)

    for e in graph["entities"]:
        add(e["table_parts"], {c["name"]: c["type"] for c in e["columns"]})
    p = graph["profile"]

    def parts(t):
        return t.split(".")
    traits = {}
    for t in p.get("traits", []):
        traits[t.get("column") or t["name"]] = t["type"]
    add(p.get("table_parts") or parts(p["table"]), dict({p["id"]: "STRING"}, **traits))
    x = p.get("external_ids")
    if x:
        add(parts(x["table"]), {x["id"]: "STRING", x["type"]: "STRING", x["value"]: "STRING"})
    ev = p.get("events")
    if ev:
        add(parts(ev["table"]), {ev["id"]: "STRING", ev["name"]: "STRING",
                                 ev["timestamp"]: "TIMESTAMP", ev["properties"]: "OBJECT"})
    out = sys.stdout
    out.write("SET client_min_messages = warning;\n")
    for tp, cols in sorted(tables.items()):
        pg = list(tp[1:] if len(tp) == 3 else tp)
        name = ".".join(pg)
        if len(pg) == 2:
            out.write("CREATE SCHEMA IF NOT EXISTS %s;\n" % pg[0])
        src = tp[-1]
        cur = db.execute('SELECT * FROM "%s"' % src.replace('"', '""'))
        names = [d[0] for d in cur.description]
        types = {}
        for n in names:
            g = next((v for k, v in cols.items() if k.lower() == n.lower()), "STRING")
            types[n] = PG_TYPES[g]
        out.write("DROP TABLE IF EXISTS %s;\n" % name)
        out.write("CREATE TABLE %s (%s);\n" % (name, ", ".join("%s %s" % (n, types[n]) for n in names)))
        for row in cur:
            out.write("INSERT INTO %s VALUES (%s);\n" % (
                name, ", ".join(lit(v, types[n]) for n, v in zip(names, row))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
