#!/usr/bin/python3
"""tests/prop/bigquery.py — the randomized property test through the
BigQuery connector: for each seed, the generated project (gen.py) with
`type: bigquery`, its data loaded into the test PostgreSQL that the fake
BigQuery (tests/fakes/fake_bigquery.py) answers from, and `lac preview`
of every audience compared with the brute-force evaluator (oracle.py).

  bigquery.py --db DB [--budget SECONDS] [--keep DIR] SEED...

Environment: LAC (the binary), PGHOST etc. (tests/pg/start.sh),
BQ_ENDPOINT (the fake's base URL) and BQ_TOKEN (a token it accepts).
Prints `N passed, M failed` (one check per audience).  tests/e2e/prop_bigquery.sh runs it.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import run  # noqa: E402
import gen  # noqa: E402

WAREHOUSE = ('  type: bigquery\n  project: lac-test\n  location: EU\n  token: "${BQ_TOKEN}"\n'
             '  schema: lac\n  endpoint: "${BQ_ENDPOINT}"\n  timeout: 30s')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--budget", type=float, default=0)
    ap.add_argument("--keep", default=os.path.abspath("prop-failures"))
    ap.add_argument("seeds", nargs="+", type=int)
    args = ap.parse_args()
    R = run.Runner(argparse.Namespace(pg=True, keep=args.keep))
    t0 = time.time()
    done = 0
    try:
        for seed in args.seeds:
            if args.budget and time.time() - t0 > args.budget:
                print("time budget of %gs reached: %d of %d seeds run" % (
                    args.budget, done, len(args.seeds)))
                break
            P = gen.generate(seed)
            d = os.path.join(R.work, "seed-%d" % seed)
            run.write_project(d, P, WAREHOUSE)
            os.makedirs(os.path.join(d, "data"), exist_ok=True)
            load = os.path.join(d, "data", "pg_load.sql")
            with open(load, "w") as f:
                f.write("SET client_min_messages = warning;\n"
                        "DROP SCHEMA IF EXISTS public, sc0, sc1, file, lac CASCADE;\n"
                        "CREATE SCHEMA public;\n" + run.pg_sql(run.tables(P)))
            r = subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", args.db, "-f", load],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if r.returncode != 0:
                R.fail("seed %d: loading PostgreSQL failed: %s" % (seed, r.stdout.decode()[-2000:]))
                continue
            O = oracle.Oracle(P)
            bad = False
            for name, target, where in P.audiences:
                want = O.members(name)
                R.naud += 1
                members, err = run.preview(d, P, name)
                if members is None:
                    bad = True
                    R.fail("seed %d audience %s: preview on BigQuery failed: %s" % (seed, name, err))
                elif members != want:
                    bad = True
                    R.fail("seed %d audience %s: BigQuery disagrees with the oracle\n"
                           "  only BigQuery: %s\n  only oracle: %s" % (
                               seed, name, run.show(members - want), run.show(want - members)))
                else:
                    R.npass += 1
            if bad:
                R.keep_dir(P, d)
            done += 1
    finally:
        shutil.rmtree(R.work, ignore_errors=True)
    print("%d seeds in %.1fs: %d audiences" % (done, time.time() - t0, R.naud))
    print("%d passed, %d failed" % (R.npass, R.nfail))
    return 1 if R.nfail else 0


if __name__ == "__main__":
    sys.exit(main())
