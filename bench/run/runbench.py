#!/usr/bin/env python3
"""One measured first run of a bench/run project (called by bench/run/run.sh).

usage: runbench.py LAC PROJECT AUDIENCE [--label TEXT] [--runs N]
                   [--state sqlite|postgres] [--server-pid PID] [--applied]

--state picks where the project's state lives (its lac.yaml `state:` block
is rewritten): the SQLite file .lac/state.db, or schema bench_state of the
PostgreSQL database named by $LAC_BENCH_STATE_DSN (bench/run/run.sh starts
that server).  Before each run the project is reset to "never ran": the
state (file or schema), the destination file and lac's tables in the
warehouse (snapshot_*, lac_*) are removed, so every run is the first run
with `send current` (all members become events).  Then `lac run AUDIENCE
--format json` is timed (wall time, and the child's peak RSS from wait4's
ru_maxrss) and the step timings are read back with `lac runs AUDIENCE
--format json`.  With --server-pid (the postmaster), the CPU time the
PostgreSQL server spent during the run is printed too (server_cpu: its
processes, those that ended included).  Prints one line per run and, with
several runs, the median line.

--applied (bench/connectors/run.sh): the project was just applied (`lac
apply --no-run`) on a fresh warehouse, so it is neither reset nor has its
state block rewritten, and one run is measured: the run after the apply.
"""
import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

PG_SCHEMA = "bench_state"
STATE_BLOCKS = {
    "sqlite": "state:\n  path: .lac/state.db\n",
    "postgres": "state:\n  type: postgres\n  dsn: \"${LAC_BENCH_STATE_DSN}\"\n"
                f"  schema: {PG_SCHEMA}\n",
}


def set_state(proj, state):
    """Point lac.yaml's state: block (up to the next top-level key) at state."""
    path = os.path.join(proj, "lac.yaml")
    with open(path) as f:
        lines = f.read().splitlines(keepends=True)
    out, skip = [], False
    for line in lines:
        if line.startswith("state:"):
            out.append(STATE_BLOCKS[state])
            skip = True
        elif skip and line[:1] in (" ", "\t"):
            continue
        else:
            skip = False
            out.append(line)
    with open(path, "w") as f:
        f.writelines(out)


def psql(sql):
    subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d",
                    os.environ["LAC_BENCH_STATE_DSN"], "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def server_cpu(pid):
    """CPU seconds of the postmaster, its live children and its ended ones."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile: counted in the postmaster's cutime
        # after the ")": state ppid ... utime(12) stime(13) cutime(14) cstime(15)
        if int(p) == pid:
            total += sum(int(x) for x in fields[11:15])
        elif int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def reset(proj, state):
    if state == "postgres":
        # the checkpoint keeps the last run's WAL out of this one's time
        psql(f"SET client_min_messages = warning; DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE;"
             " CHECKPOINT")
    shutil.rmtree(os.path.join(proj, ".lac"), ignore_errors=True)
    shutil.rmtree(os.path.join(proj, "out"), ignore_errors=True)
    db = sqlite3.connect(os.path.join(proj, "data", "warehouse.db"))
    names = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND "
        "(name LIKE 'snapshot%' OR name LIKE 'lac%')")]
    for n in names:
        db.execute(f'DROP TABLE IF EXISTS "{n}"')
    db.commit()
    db.execute("VACUUM")
    db.close()


def once_rss(lac, proj, aud, state, server_pid, fresh=True):
    """One reset (unless not fresh) and timed run, with wait4 for ru_maxrss
    (stdout to a file, not a pipe); the server's CPU time when server_pid is
    given."""
    if fresh:
        reset(proj, state)
    os.sync()
    cpu0 = server_cpu(server_pid) if server_pid else 0.0
    outp = os.path.join(proj, "run.json")
    cmd = [lac, "-C", proj, "--format", "json", "run", aud]
    with open(outp, "w") as fo, open(outp + ".err", "w") as fe:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
    with open(outp) as f:
        txt = f.read()
    rep = json.loads(txt)["runs"][0] if txt.strip() else {}
    runs = json.loads(subprocess.run([lac, "-C", proj, "--format", "json", "runs", aud],
                                     capture_output=True, check=True).stdout)
    t = runs[0].get("timings_ms", {}) if runs else {}
    with open(outp + ".err") as f:
        err = f.read().strip()
    srv = None
    if server_pid:
        time.sleep(0.2)  # the postmaster reaps the ended sessions' backends
        srv = server_cpu(server_pid) - cpu0
    return wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime, rep, t, err, srv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lac")
    ap.add_argument("project")
    ap.add_argument("audience")
    ap.add_argument("--label", default=None)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--state", choices=sorted(STATE_BLOCKS), default="sqlite")
    ap.add_argument("--server-pid", type=int, default=0)
    ap.add_argument("--applied", action="store_true")
    a = ap.parse_args()
    if a.applied and a.runs != 1:
        ap.error("--applied measures one run")
    if not a.applied:
        set_state(a.project, a.state)
    label = a.label or a.audience
    lines = []
    for _ in range(a.runs):
        wall, rss, cpu, rep, t, err, srv = once_rss(os.path.abspath(a.lac), a.project, a.audience,
                                                    a.state, a.server_pid, not a.applied)
        ev = rep.get("events", 0)
        done = rep.get("delivered", 0)
        if rep.get("result") != "Live" or done != ev:
            print(f"{label}: run not Live or not all delivered: {rep} {err}", file=sys.stderr)
        lines.append((wall, rss, cpu, rep, t))
        print(f"{label}: members={rep.get('members')} events={ev} delivered={done} "
              f"wall={wall:.2f}s events/s={done / wall:,.0f} cpu={cpu:.2f}s "
              f"{'' if srv is None else f'server_cpu={srv:.2f}s '}"
              f"peak_rss={rss / 1024:.1f}MiB steps_ms(extract/prepare/deliver)="
              f"{t.get('extracting')}/{t.get('preparing')}/{t.get('delivering')}", flush=True)
    if a.runs > 1:
        w = statistics.median(x[0] for x in lines)
        r = max(x[1] for x in lines)
        print(f"{label}: median of {a.runs}: wall={w:.2f}s events/s="
              f"{lines[0][3].get('delivered', 0) / w:,.0f} peak_rss(max)={r / 1024:.1f}MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
