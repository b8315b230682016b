#!/usr/bin/python3
"""tests/live/bigquery_sql.py — the live BigQuery test's helper (standard
library only; tests/live/bigquery.sh).

    bigquery_sql.py PROJECT LOCATION < statements
        runs each line of stdin as one jobs.query with LAC_LIVE_BIGQUERY_TOKEN,
        waiting for it; exits 1 on the first error (BigQuery's message)
    bigquery_sql.py --load GRAPH_JSON SQLITE_DB LOCATION
        prints, one per line, the statements that create the graph's tables
        (project.<dataset>.TABLE, as graph.yaml names them) in BigQuery from an
        example's SQLite warehouse
"""
import json
import os
import sqlite3
import sys
import time
import urllib.error
import urllib.request

BQ_TYPES = {"STRING": "STRING", "NUMBER": "NUMERIC", "BOOLEAN": "BOOL", "DATE": "DATE",
            "TIME": "TIME", "TIMESTAMP": "TIMESTAMP", "OBJECT": "JSON"}


def lit(v, ty):
    if v is None:
        return "NULL"
    if ty == "BOOL":
        return "TRUE" if v in (1, "1", "true", True) else "FALSE"
    if ty == "NUMERIC":
        return "NUMERIC '%s'" % v
    s = "'" + str(v).replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"
    if ty in ("DATE", "TIME", "TIMESTAMP", "JSON"):
        return "%s %s" % (ty, s)
    return s


def load(graph_json, db_path, location):
    graph = json.load(open(graph_json))
    db = sqlite3.connect(db_path)
    tables = {}
    for e in graph["entities"]:
        tables.setdefault(tuple(e["table_parts"]), {}).update(
            {c["name"]: c["type"] for c in e["columns"]})
    p = graph["profile"]
    prof = tables.setdefault(tuple(p.get("table_parts") or p["table"].split(".")), {})
    prof[p["id"]] = "STRING"
    for t in p.get("traits", []):
        prof[t.get("column") or t["name"]] = t["type"]
    x = p.get("external_ids")
    if x:
        tables.setdefault(tuple(x["table"].split(".")), {}).update(
            {x["id"]: "STRING", x["type"]: "STRING", x["value"]: "STRING"})
    ev = p.get("events")
    if ev:
        tables.setdefault(tuple(ev["table"].split(".")), {}).update(
            {ev["id"]: "STRING", ev["name"]: "STRING", ev["timestamp"]: "TIMESTAMP",
             ev["properties"]: "OBJECT"})
    datasets = sorted({tp[:2] for tp in tables})
    for d in datasets:
        print("CREATE SCHEMA IF NOT EXISTS `%s` OPTIONS (location = '%s')" % (".".join(d), location))
    for tp, cols in sorted(tables.items()):
        cur = db.execute('SELECT * FROM "%s"' % tp[-1].replace('"', '""'))
        names = [c[0] for c in cur.description]
        types = {n: BQ_TYPES[next((v for k, v in cols.items() if k.lower() == n.lower()), "STRING")]
                 for n in names}
        name = "`%s`" % ".".join(tp)
        print("CREATE OR REPLACE TABLE %s (%s)" % (name, ", ".join("%s %s" % (n, types[n]) for n in names)))
        rows = ["(%s)" % ", ".join(lit(v, types[n]) for n, v in zip(names, r)) for r in cur]
        if rows:
            print("INSERT INTO %s VALUES %s" % (name, ", ".join(rows)))


def run(project, location):
    token = os.environ["LAC_LIVE_BIGQUERY_TOKEN"]
    base = "https://bigquery.googleapis.com/bigquery/v2/projects/%s" % project
    for sql in sys.stdin:
        if not sql.strip():
            continue
        body = {"query": sql, "useLegacySql": False, "location": location, "timeoutMs": 60000}
        req = urllib.request.Request(base + "/queries", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + token,
                                              "Content-Type": "application/json"})
        try:
            doc = json.load(urllib.request.urlopen(req))
            while not doc.get("jobComplete"):
                time.sleep(1)
                ref = doc["jobReference"]
                url = "%s/queries/%s?location=%s&timeoutMs=60000" % (base, ref["jobId"], ref["location"])
                doc = json.load(urllib.request.urlopen(urllib.request.Request(
                    url, headers={"Authorization": "Bearer " + token})))
        except urllib.error.HTTPError as e:
            sys.stderr.write("BigQuery: %s\n  in: %s" % (e.read().decode(), sql[:200]))
            return 1
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--load":
        load(sys.argv[2], sys.argv[3], sys.argv[4])
        sys.exit(0)
    sys.exit(run(sys.argv[1], sys.argv[2]))
