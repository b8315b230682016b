#!/usr/bin/env python3
"""Generate the run benchmark: a minimal project and an N-profile SQLite warehouse.

usage: bench/run/gen.py OUTDIR --members N

OUTDIR/lac.yaml      two destinations: `events_file` (file) and `segment`
                     (batch endpoint at ${LAC_BENCH_SINK_URL}, write key
                     ${LAC_BENCH_WRITE_KEY}; bench/run/run.sh sets both)
OUTDIR/graph.yaml    PROFILE_TRAITS (traits a, b, plan) and EXTERNAL_ID_MAPPING
OUTDIR/audiences/bench.lac
                     two audiences with the same condition (every profile:
                     `with trait a >= 0`), manual schedule, one activation each:
                     bench_file -> events_file, bench_segment -> segment, both
                     `trigger profile entered`, `send current`, `enrich traits a, b`
OUTDIR/data/warehouse.db
                     N profiles p0000001.. (a = i, b = 'b<i%1000>', plan) and one
                     user_id external id each (u<i>), plus an email for every
                     second profile (not used as identifier: realistic width).

The rows are produced by SQLite itself (recursive CTE INSERT ... SELECT), so
1,000,000 profiles take a few seconds; nothing loops per row in Python.
"""
import argparse
import os
import sqlite3

LAC_YAML = """\
# lac.yaml — bench/run: first run with `send current` of a ~all-profiles audience.
version: 1
name: bench_run
graph: graph.yaml
audiences: audiences
warehouse:
  type: sqlite
  path: data/warehouse.db
  schema: lac
state:
  path: .lac/state.db
destinations:
  events_file: { type: file, path: out/events.jsonl }
  segment:
    type: segment
    url: "${LAC_BENCH_SINK_URL}"
    write_key: "${LAC_BENCH_WRITE_KEY}"
    max_retries: 0
"""

GRAPH_YAML = """\
version: 1
entities: []
profile:
  table: BENCH.PROFILES.PROFILE_TRAITS
  id: segment_id
  traits:
    a: NUMBER
    b: STRING
    plan: STRING
  external_ids:
    table: BENCH.PROFILES.EXTERNAL_ID_MAPPING
    id: segment_id
    type: external_id_type
    value: external_id_value
"""

AUDIENCE = """\
audience bench_{dest} {{
  name     "Everyone ({dest})"
  schedule manual
  where {{
    with trait a >= 0
  }}

  activation to_{dest} {{
    destination {destname}
    trigger     profile entered
    send current
    enrich      traits a, b
  }}
}}
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--members", type=int, default=1_000_000)
    args = ap.parse_args()
    n = args.members
    os.makedirs(os.path.join(args.out, "audiences"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "data"), exist_ok=True)
    with open(os.path.join(args.out, "lac.yaml"), "w") as f:
        f.write(LAC_YAML)
    with open(os.path.join(args.out, "graph.yaml"), "w") as f:
        f.write(GRAPH_YAML)
    with open(os.path.join(args.out, "audiences", "bench.lac"), "w") as f:
        f.write(AUDIENCE.format(dest="file", destname="events_file") + "\n" +
                AUDIENCE.format(dest="segment", destname="segment"))
    path = os.path.join(args.out, "data", "warehouse.db")
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.executescript(f"""
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE PROFILE_TRAITS (segment_id TEXT PRIMARY KEY, a INTEGER, b TEXT, plan TEXT);
CREATE TABLE EXTERNAL_ID_MAPPING (segment_id TEXT NOT NULL, external_id_type TEXT NOT NULL,
                                  external_id_value TEXT NOT NULL);
BEGIN;
WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < {n})
INSERT INTO PROFILE_TRAITS
SELECT printf('p%07d', x), x, 'b' || (x % 1000),
       CASE x % 3 WHEN 0 THEN 'free' WHEN 1 THEN 'pro' ELSE 'team' END FROM i;
WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < {n})
INSERT INTO EXTERNAL_ID_MAPPING
SELECT printf('p%07d', x), 'user_id', 'u' || x FROM i;
WITH RECURSIVE i(x) AS (SELECT 2 UNION ALL SELECT x + 2 FROM i WHERE x + 2 <= {n})
INSERT INTO EXTERNAL_ID_MAPPING
SELECT printf('p%07d', x), 'email', 'user' || x || '@example.com' FROM i;
COMMIT;
CREATE INDEX xid_by_profile ON EXTERNAL_ID_MAPPING (segment_id, external_id_type);
CREATE INDEX xid_by_value ON EXTERNAL_ID_MAPPING (external_id_type, external_id_value);
ANALYZE;
""")
    db.close()


if __name__ == "__main__":
    main()
