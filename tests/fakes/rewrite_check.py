#!/usr/bin/python3
"""tests/fakes/rewrite_check.py — the rewrite table's own test (run by
tests/e2e/rewrite.sh against a server from tests/pg/start.sh).

Usage: rewrite_check.py [--only EXAMPLE] [--break DIALECT:FUNCTION]
                        [--project DIR]... LAC SRCDIR WORKDIR
(PGHOST, PGPORT, PGUSER set).  --break spoils one row of the table (the
check must then fail); --only checks one example; --project checks a
project of the caller's too (its data in data/warehouse.db, no goldens).

Per example (loaded into its own database the way tests/e2e/preview_pg.sh
does) and per dialect of tests/fakes/rewrite.py:
1. runs: the `compile --emit run` script of every audience (--now), every
   statement rewritten, runs in order with ON_ERROR_STOP on a fresh schema
   and leaves the same snapshots, matched entities (the matched-entity
   statements' rows), generations and membership log as the postgres
   script, and its queries (diffs, events) print the same rows;
2. membership, after the runs (`part of audience ... using membership`
   reads the snapshots they leave): every golden statement
   (tests/golden/<example>/<dialect>/, written without --now: all of them
   run in one transaction, so now() is one instant) and the same audiences
   compiled with --now, rewritten, return the same rows as the
   postgres-dialect statement of the audience.
Prints the coverage per dialect and every statement not covered, by name.
Exit 0 when everything passes, 1 otherwise.
"""
import collections
import glob
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rewrite  # noqa: E402

NOW = "2026-01-15T12:00:00Z"
US = "\x1f"  # psql's field separator; rows end with a newline (escaped in values)

CHECK_FN = r"""
CREATE SCHEMA IF NOT EXISTS lac_rewrite_check;
-- the rows of query q as text, or one 'ERROR: ...' row
CREATE OR REPLACE FUNCTION lac_rewrite_check.rows(q text) RETURNS SETOF text
LANGUAGE plpgsql AS $f$
BEGIN
  RETURN QUERY EXECUTE 'SELECT CAST(t AS text) FROM (' || q || E'\n) AS t';
EXCEPTION WHEN others THEN
  RETURN QUERY SELECT 'ERROR: ' || SQLERRM;
END $f$;
"""


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, **kw).stdout


def psql(db, script, stop=True):
    """(ok, stdout, stderr) of a psql script, unaligned, tuples only; read
    from a file so that errors name their line (psql:FILE:LINE: ERROR)."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as f:
        f.write(script)
        f.flush()
        p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", US, "-v",
                            "ON_ERROR_STOP=%d" % stop, "-d", db, "-f", f.name],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
    return p.returncode == 0, p.stdout, p.stderr


def pg_statement(text):
    """A postgres golden: comments and the final ';' dropped."""
    body = "\n".join(l for l in text.splitlines() if not l.startswith("--")).strip()
    return body[:-1] if body.endswith(";") else body


def dollar(sql):
    tag = "$lacq$"
    if tag in sql:
        raise ValueError("statement holds %s" % tag)
    return tag + sql + tag


class Check:
    def __init__(self, lac, src, work):
        self.lac, self.src, self.work = lac, src, work
        self.failures = []
        self.uncovered = []                   # (dialect, where, construct)
        self.count = collections.Counter()    # (dialect, kind, "pass"|"total")

    def fail(self, msg):
        self.failures.append(msg)

    def lac_out(self, *args):
        return run([self.lac] + list(args))

    def rewrite(self, dialect, text, where):
        try:
            return rewrite.rewrite_script(text, dialect)
        except rewrite.Unsupported as e:
            self.uncovered.append((dialect, where, e.construct))
            return None

    # -- an example's database ----------------------------------------------------

    def load(self, ex, proj=None):
        """An example (or the project at proj) loaded into a new database."""
        if proj is None:
            proj = os.path.join(self.work, ex)
            self.lac_out("init", "--example", ex, proj)
        db = "lac_rw_" + re.sub("[^a-z0-9_]", "_", ex)
        ok, _, err = psql("postgres", "DROP DATABASE IF EXISTS %s; CREATE DATABASE %s;" % (db, db))
        if not ok:
            raise RuntimeError(err)
        graph = os.path.join(self.work, ex + ".graph.json")
        with open(graph, "w") as f:
            f.write(self.lac_out("-C", proj, "graph", "--format", "json"))
        load = run(["/usr/bin/python3", os.path.join(self.src, "tests/pg/load.py"), graph,
                    os.path.join(proj, "data/warehouse.db")])
        ok, _, err = psql(db, load + rewrite.PRELUDE + CHECK_FN)
        if not ok:
            raise RuntimeError("%s: loading failed: %s" % (ex, err))
        return proj, db

    # -- 1. membership statements --------------------------------------------------

    def membership(self, ex, proj, db):
        compiled = os.path.join(self.work, ex + ".now")
        self.lac_out("-C", proj, "--now", NOW, "compile", "-d", "all", "-o", compiled)
        sets = {"golden": os.path.join(self.src, "tests/golden", ex), "--now": compiled}
        if not os.path.isdir(sets["golden"]):
            del sets["golden"]  # a project of the test's own
        queries = []  # (key, sql)
        expect = []   # (set, audience, dialect)
        for name, root in sets.items():
            for f in sorted(glob.glob(os.path.join(root, "postgres", "*.sql"))):
                aud = os.path.basename(f)[:-4]
                queries.append(((name, aud, "postgres"), pg_statement(open(f).read())))
                for d in rewrite.DIALECTS:
                    where = "%s %s %s/%s" % (name, ex, d, aud)
                    self.count[(d, "membership", "total")] += 1
                    out = self.rewrite(d, open(os.path.join(root, d, aud + ".sql")).read(), where)
                    if out is None:
                        continue
                    if len(out) != 1:
                        self.fail("%s: %d statements" % (where, len(out)))
                        continue
                    queries.append(((name, aud, d), out[0]))
                    expect.append((name, aud, d))
        script = ["BEGIN;"]
        for n, (key, sql) in enumerate(queries):
            script.append("SELECT %d, replace(r, E'\\n', '\\n') FROM lac_rewrite_check.rows(%s) AS r;"
                          % (n, dollar(sql)))
        script.append("COMMIT;")
        ok, out, err = psql(db, "\n".join(script))
        if not ok:
            self.fail("%s: membership batch failed: %s" % (ex, err))
            return
        rows = collections.defaultdict(list)
        for rec in out.splitlines():
            if rec:
                n, r = rec.split(US, 1)
                rows[queries[int(n)][0]].append(r)
        for name, aud, d in expect:
            want = sorted(rows[(name, aud, "postgres")])
            got = sorted(rows[(name, aud, d)])
            where = "%s %s %s/%s" % (name, ex, d, aud)
            if d == rewrite.DIALECTS[0]:
                self.count[("postgres", name + " empty", "total")] += 1
                self.count[("postgres", name + " empty", "pass")] += not want
            if any(r.startswith("ERROR: ") for r in want):
                self.fail("%s: the postgres statement fails: %s" % (where, want))
            elif got != want:
                self.fail("%s: rows differ from postgres\n  postgres: %s\n  %s: %s"
                          % (where, want[:8], d, got[:8]))
            else:
                self.count[(d, "membership", "pass")] += 1

    # -- 2. run scripts --------------------------------------------------------------

    def run_script(self, ex, proj, db, d):
        """(ok, stdout, state) of dialect d's --emit run script on a fresh schema."""
        text = self.lac_out("-C", proj, "--now", NOW, "compile", "-d", d, "--emit", "run")
        where = "run %s %s" % (ex, d)
        if d == "postgres":
            stmts = [pg_statement(s) for s in re.split(r";\n", text) if pg_statement(s)]
        else:
            stmts = self.rewrite(d, text, where)
            if stmts is None:
                self.count[(d, "run statements", "total")] += len(
                    rewrite.split_statements(text, d))
                return False, "", ""
        lines = ["SET client_min_messages = warning;", "DROP SCHEMA IF EXISTS lac CASCADE;"]
        starts = []
        for s in stmts:
            starts.append(len(lines) + 1)
            lines.extend((s + ";").split("\n"))
        ok, out, err = psql(db, "\n".join(lines) + "\n")
        done = len(stmts)
        if not ok:
            m = re.search(r":(\d+): ERROR", err)
            line = int(m.group(1)) if m else 0
            done = sum(1 for s in starts if s <= line) - 1
            bad = stmts[done] if 0 <= done < len(stmts) else "?"
            self.fail("%s: statement %d fails on PostgreSQL: %s\n  %s"
                      % (where, done + 1, err.strip(), bad[:300]))
        if d != "postgres":
            self.count[(d, "run statements", "total")] += len(stmts)
            self.count[(d, "run statements", "pass")] += done
        return ok, out, self.state(db) if ok else ""

    def state(self, db):
        """What a run leaves in schema lac, comparably (the log's time aside)."""
        ok, out, err = psql(db, "SELECT table_name FROM information_schema.tables "
                                "WHERE table_schema = 'lac' ORDER BY 1;")
        if not ok:
            raise RuntimeError(err)
        script = []
        for t in out.split():
            cols = "audience, change, member_id" if t == "lac_membership_log" else "*"
            script.append("SELECT '%s', replace(CAST(t AS text), E'\\n', '\\n') "
                          "FROM (SELECT %s FROM lac.%s) AS t ORDER BY 2;"
                          % (t, cols, t))
        ok, rows, err = psql(db, "\n".join(script))
        if not ok:
            raise RuntimeError(err)
        return out + rows

    def runs(self, ex, proj, db):
        ok, want_out, want_state = self.run_script(ex, proj, db, "postgres")
        if not ok:
            self.fail("run %s: the postgres script fails" % ex)
            return
        nent = sum(1 for l in want_state.splitlines() if l.endswith("__ent"))
        for d in rewrite.DIALECTS:
            self.count[(d, "run scripts", "total")] += 1
            self.count[(d, "matched-entity statements", "total")] += nent
            ok, out, st = self.run_script(ex, proj, db, d)
            if not ok:
                continue
            if st != want_state:
                self.fail("run %s %s: the warehouse differs from the postgres script's\n%s"
                          % (ex, d, first_diff(want_state, st)))
            elif out != want_out:
                self.fail("run %s %s: the queries print other rows than postgres's\n%s"
                          % (ex, d, first_diff(want_out, out)))
            else:
                self.count[(d, "run scripts", "pass")] += 1
                self.count[(d, "matched-entity statements", "pass")] += nent
        # audiences `part of` another read its snapshot: leave postgres's
        self.run_script(ex, proj, db, "postgres")

    # -- report -------------------------------------------------------------------

    def report(self):
        kinds = ("membership", "run scripts", "run statements", "matched-entity statements")
        for d in rewrite.DIALECTS:
            print("%-10s %s" % (d, ", ".join("%s %d/%d" % (k, self.count[(d, k, "pass")],
                                                          self.count[(d, k, "total")])
                                            for k in kinds)))
        for name in ("golden", "--now"):
            print("membership statements (%s) whose postgres rows are empty: %d of %d"
                  % (name, self.count[("postgres", name + " empty", "pass")],
                     self.count[("postgres", name + " empty", "total")]))
        for d, where, construct in self.uncovered:
            print("NOT COVERED: %s: %s (%s)" % (d, construct, where))
        for f in self.failures:
            print("FAIL: " + f)
        return 1 if self.failures or self.uncovered else 0


def first_diff(a, b):
    la, lb = a.splitlines(), b.splitlines()
    for x, y in zip(la, lb):
        if x != y:
            return "  want: %s\n  got:  %s" % (x.replace(US, "|"), y.replace(US, "|"))
    return "  %d records, wanted %d" % (len(lb), len(la))


def break_row(spec):
    """--break DIALECT:FUNCTION: that row of the table answers wrongly (a
    string test that is always true), to prove this check can fail."""
    d, fn = spec.split(":")
    rewrite.FUNCTIONS[d][fn] = lambda rw, args: "TRUE"


def main(argv):
    args = argv[1:]
    only, projects = None, []
    while args and args[0].startswith("--"):
        if args[0] == "--break" and len(args) > 1:
            break_row(args[1])
        elif args[0] == "--only" and len(args) > 1:
            only = args[1]
        elif args[0] == "--project" and len(args) > 1:
            projects.append(os.path.abspath(args[1]))
        else:
            break
        args = args[2:]
    if len(args) != 3:
        sys.stderr.write(__doc__)
        return 64
    c = Check(os.path.abspath(args[0]), args[1], args[2])
    for path in sorted(glob.glob(os.path.join(c.src, "examples", "*", "lac.yaml"))):
        ex = os.path.basename(os.path.dirname(path))
        if only and ex != only:
            continue
        proj, db = c.load(ex)
        c.runs(ex, proj, db)
        c.membership(ex, proj, db)
    for path in projects:
        name = os.path.basename(path)
        proj, db = c.load(name, path)
        c.runs(name, proj, db)
        c.membership(name, proj, db)
    return c.report()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
