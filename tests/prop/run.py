#!/usr/bin/python3
"""tests/prop/run.py — the randomized property test.

  run.py [--pg [--pg-db DB] [--engine NAME=YAML]...] [--budget SECONDS] [--keep DIR] SEED...

For each seed: generate a project (gen.py), write its SQLite warehouse and lac
project, `lac check` it (it must pass), then `lac preview A --all --format json
--now NOW` every audience on SQLite and (with --pg, PGHOST etc. set by
tests/pg/start.sh) on PostgreSQL, and compare both member sets with the
brute-force evaluator (oracle.py).  On a mismatch it prints the seed, the
audience, the differences and the generated SQL, and keeps the project in
KEEP/seed-N.  Prints `N passed, M failed` (one check per audience and engine,
plus one per seed for `lac check`).  Environment: LAC (the binary).
--engine previews once more through another warehouse type reading the same
PostgreSQL data (a connector's fake in front of --pg-db, which the caller
made so that the fake could start first; tests/e2e/prop_snowflake.sh).
"""
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # never write __pycache__ into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402
import oracle  # noqa: E402

LAC = os.environ.get("LAC", "lac")


# ------------------------------------------------------------ stored forms
def ts_text(t, r):
    if t is None:
        return None
    base = t.strftime("%Y-%m-%d %H:%M:%S") if r % 2 else t.strftime("%Y-%m-%dT%H:%M:%S")
    if t.microsecond:
        base += ".%03d" % (t.microsecond // 1000)
    return base if r % 2 else base + "Z"


class Writer:
    """Turns generator values into stored values (both ISO spellings)."""

    def __init__(self):
        self.i = 0

    def val(self, v, ty):
        if v is None:
            return None
        if ty == "TIMESTAMP":
            self.i += 1
            return ts_text(v, self.i * 7 // 3)
        if ty == "DATE":
            return v.isoformat()
        if ty == "NUMBER":
            f = float(v)
            return int(f) if f == int(f) and "." not in v else f
        if ty == "BOOLEAN":
            return 1 if v else 0
        return v

    def jval(self, v, ty):
        """a value inside a JSON document"""
        if v is None:
            return None
        if isinstance(v, gen.Raw):
            return v.v
        if isinstance(ty, dict):
            return {k: self.jval(x, ty[k]) for k, x in v.items()}
        if ty == "BOOLEAN":
            return bool(v)
        return self.val(v, ty)


def tables(P):
    """[(table parts, [(column, type)], [rows as tuples of stored values])]"""
    w = Writer()
    out = []
    for e in P.entities:
        cols = list(e.cols.items())
        rows = [tuple(w.val(r.get(c), t) for c, t in cols) for r in e.rows]
        out.append((e.table.split("."), cols, rows))
    cols = [("pid", "STRING")] + list(gen.TRAITS.items()) + [("addr_json", "JSON")]
    rows = []
    for p in P.profiles:
        vals = [p["id"]] + [w.val(p[t], ty) for t, ty in gen.TRAITS.items()]
        a = p["addr"]
        vals.append(None if a is None else json.dumps(w.jval(a, gen.ADDR), ensure_ascii=False))
        rows.append(tuple(vals))
    out.append((["PRO", "FILE", "PROFILES"], cols, rows))
    out.append((["PRO", "FILE", "EXT_IDS"], [("pid", "STRING"), ("id_type", "STRING"),
                                            ("id_value", "STRING")], list(P.extids)))
    rows = []
    for pid, name, ts, props in P.events:
        ty = gen.EVENTS.get(name, gen.EVENTS["Order Completed"])
        rows.append((pid, name, w.val(ts, "TIMESTAMP"),
                     None if props is None else json.dumps(w.jval(props, ty), ensure_ascii=False)))
    out.append((["TRACKS"], [("pid", "STRING"), ("ev", "STRING"), ("ts", "TIMESTAMP"),
                             ("props", "JSON")], rows))
    return out


SQLITE_T = {"STRING": "TEXT", "NUMBER": "REAL", "BOOLEAN": "INTEGER", "DATE": "TEXT",
            "TIME": "TEXT", "TIMESTAMP": "TEXT", "JSON": "TEXT"}
PG_T = {"STRING": "TEXT", "NUMBER": "NUMERIC", "BOOLEAN": "BOOLEAN", "DATE": "DATE",
        "TIME": "TIME", "TIMESTAMP": "TIMESTAMP", "JSON": "JSONB"}


def write_sqlite(path, tabs):
    db = sqlite3.connect(path)
    for parts, cols, rows in tabs:
        name = parts[-1]
        db.execute('CREATE TABLE "%s" (%s)' % (name, ", ".join('"%s" %s' % (c, SQLITE_T[t])
                                                              for c, t in cols)))
        db.executemany('INSERT INTO "%s" VALUES (%s)' % (name, ", ".join("?" * len(cols))), rows)
    db.commit()
    db.close()


def pg_lit(v, ty):
    if v is None:
        return "NULL"
    if ty == "BOOLEAN":
        return "TRUE" if v else "FALSE"
    if ty == "NUMBER":
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def pg_sql(tabs):
    out = ["SET client_min_messages = warning;"]
    for parts, cols, rows in tabs:
        pg = parts[1:] if len(parts) == 3 else parts   # the database part is dropped
        if len(pg) == 2:
            out.append("CREATE SCHEMA IF NOT EXISTS %s;" % pg[0])
        name = ".".join(pg)
        out.append("CREATE TABLE %s (%s);" % (name, ", ".join("%s %s" % (c, PG_T[t]) for c, t in cols)))
        for r in rows:
            out.append("INSERT INTO %s VALUES (%s);" % (
                name, ", ".join(pg_lit(v, t) for v, (c, t) in zip(r, cols))))
    return "\n".join(out) + "\n"


# ------------------------------------------------------------ project files
def write_project(d, P, warehouse):
    os.makedirs(os.path.join(d, "audiences"), exist_ok=True)
    with open(os.path.join(d, "lac.yaml"), "w") as f:
        f.write("version: 1\nname: prop\ngraph: graph.yaml\naudiences: audiences\n"
                "warehouse:\n%s\nstate:\n  path: .lac/state.db\n" % warehouse)
    with open(os.path.join(d, "graph.yaml"), "w") as f:
        f.write(gen.render_graph(P))
    with open(os.path.join(d, "audiences", "all.lac"), "w") as f:
        f.write("# seed %d, now %s\n" % (P.seed, P.now_text))
        for name, target, where in P.audiences:
            f.write(gen.render_audience(name, target, where) + "\n")


def lac(*args):
    return subprocess.run([LAC] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=60)


def preview(d, P, name):
    p = lac("-C", d, "--now", P.now_text, "--format", "json", "preview", name, "--all")
    if p.returncode != 0:
        return None, p.stderr.decode(errors="replace")
    try:
        return set(json.loads(p.stdout.decode())["members"]), None
    except (ValueError, KeyError) as e:
        return None, "bad JSON (%s): %s" % (e, p.stdout[:500])


def show(s):
    return ", ".join(json.dumps(x, ensure_ascii=False) for x in sorted(s)) or "-"


class Runner:
    def __init__(self, args):
        self.npass = self.nfail = 0
        self.pg = args.pg
        self.pg_db_given = args.pg_db is not None
        self.pg_db_name = args.pg_db or "lac_prop"
        # more engines on the same PostgreSQL data: NAME -> warehouse YAML
        # (a connector's fake in front of the database, e.g. Snowflake's)
        self.engines = [tuple(e.split("=", 1)) for e in args.engine]
        self.keep = args.keep
        self.pg_db = False
        self.naud = self.nsplit = 0
        self.work = tempfile.mkdtemp(prefix="lac-prop.")

    def fail(self, msg):
        self.nfail += 1
        sys.stderr.write("FAIL: " + msg + "\n")

    def keep_dir(self, P, d):
        dst = os.path.join(self.keep, "seed-%d" % P.seed)
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(d, dst)
        sys.stderr.write("  project kept in %s\n" % dst)

    def seed(self, seed):
        P = gen.generate(seed)
        root = os.path.join(self.work, "seed-%d" % seed)
        d = os.path.join(root, "sqlite")
        write_project(d, P, "  type: sqlite\n  path: data/warehouse.db\n  schema: lac")
        os.makedirs(os.path.join(d, "data"))
        tabs = tables(P)
        write_sqlite(os.path.join(d, "data", "warehouse.db"), tabs)
        c = lac("-C", d, "check")
        if c.returncode != 0:
            self.fail("seed %d: lac check rejected the generated project:\n%s" % (
                seed, c.stdout.decode(errors="replace") + c.stderr.decode(errors="replace")))
            self.keep_dir(P, d)
            return
        self.npass += 1
        dpg = None
        if self.pg:
            dpg = os.path.join(root, "pg")
            write_project(dpg, P, '  type: postgres\n  dsn: "${PG_DSN}"\n  schema: lac')
            db = self.pg_db_name   # one database; each seed starts from empty schemas
            if not self.pg_db and not self.pg_db_given:
                subprocess.run(["psql", "-q", "-d", "postgres", "-c",
                                "DROP DATABASE IF EXISTS %s" % db],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                subprocess.run(["psql", "-q", "-d", "postgres", "-c", "CREATE DATABASE %s" % db],
                               check=True, stdout=subprocess.DEVNULL)
                self.pg_db = True
            with open(os.path.join(d, "data", "pg_load.sql"), "w") as f:
                f.write("SET client_min_messages = warning;\n"
                        "DROP SCHEMA IF EXISTS public, sc0, sc1, file, lac CASCADE;\n"
                        "CREATE SCHEMA public;\n" + pg_sql(tabs))
            r = subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f",
                                os.path.join(d, "data", "pg_load.sql")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if r.returncode != 0:
                self.fail("seed %d: loading PostgreSQL failed: %s" % (seed, r.stdout.decode()[-2000:]))
                self.keep_dir(P, d)
                return
            os.environ["PG_DSN"] = "host=%s port=%s user=%s dbname=%s" % (
                os.environ["PGHOST"], os.environ.get("PGPORT", "5432"),
                os.environ.get("PGUSER", "postgres"), db)
            for eng, yaml in self.engines:
                write_project(os.path.join(root, eng), P, yaml)
        O = oracle.Oracle(P)
        bad = False
        for name, target, where in P.audiences:
            want = O.members(name)
            cand = len(P.profiles) if target is None else len(O.associated(target))
            self.naud += 1
            self.nsplit += 0 < len(want) < cand   # neither empty nor every candidate
            got = {"SQLite": preview(d, P, name)}
            if dpg:
                got["PostgreSQL"] = preview(dpg, P, name)
                for eng, _ in self.engines:
                    got[eng] = preview(os.path.join(root, eng), P, name)
            for eng, (members, err) in got.items():
                if members is None:
                    bad = True
                    self.fail("seed %d audience %s: preview on %s failed: %s" % (seed, name, eng, err))
                elif members != want:
                    bad = True
                    self.fail("seed %d audience %s: %s disagrees with the oracle\n"
                              "  only %s: %s\n  only oracle: %s" % (
                                  seed, name, eng, eng, show(members - want), show(want - members)))
                else:
                    self.npass += 1
            if any(m is None or m != want for m, _ in got.values()):
                sys.stderr.write("  now %s; oracle members: %s\n" % (P.now_text, show(want)))
                sys.stderr.write("  audience:\n" + gen.render_audience(name, target, where))
                for dia in ["sqlite"] + (["postgres"] if dpg else []):
                    s = lac("-C", d, "--now", P.now_text, "compile", "-d", dia, name)
                    sys.stderr.write("  SQL (%s):\n%s\n" % (dia, s.stdout.decode(errors="replace")))
        if bad:
            self.keep_dir(P, d)
            if dpg:
                sys.stderr.write("  PostgreSQL data: %s/data/pg_load.sql\n" % os.path.join(
                    self.keep, "seed-%d" % seed))


def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--pg-db", help="an existing database to load (default: lac_prop, made anew)")
    ap.add_argument("--engine", action="append", default=[], metavar="NAME=YAML",
                    help="also preview through this warehouse (needs --pg)")
    ap.add_argument("--budget", type=float, default=0)
    ap.add_argument("--keep", default=os.path.abspath("prop-failures"))
    ap.add_argument("seeds", nargs="+", type=int)
    args = ap.parse_args()
    R = Runner(args)
    t0 = time.time()
    done = 0
    try:
        for s in args.seeds:
            if args.budget and time.time() - t0 > args.budget:
                print("time budget of %gs reached: %d of %d seeds run" % (args.budget, done,
                                                                         len(args.seeds)))
                break
            R.seed(s)
            done += 1
    finally:
        shutil.rmtree(R.work, ignore_errors=True)
    print("%d seeds in %.1fs: %d audiences, %d of them select some but not all candidates" % (
        done, time.time() - t0, R.naud, R.nsplit))
    print("%d passed, %d failed" % (R.npass, R.nfail))
    return 1 if R.nfail else 0


if __name__ == "__main__":
    sys.exit(main())
