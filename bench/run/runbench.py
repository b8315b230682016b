#!/usr/bin/env python3
"""One measured first run of a bench/run project (called by bench/run/run.sh).

usage: runbench.py LAC PROJECT AUDIENCE [--label TEXT] [--runs N]

Before each run the project is reset to "never ran": the state DB, the
destination file and lac's tables in the warehouse (snapshot_*, lac_*) are
removed, so every run is the first run with `send current` (all members
become events).  Then `lac run AUDIENCE --format json` is timed (wall time,
and the child's peak RSS from wait4's ru_maxrss) and the step timings are read
back with `lac runs AUDIENCE --format json`.  Prints one line per run and,
with several runs, the median line.
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


def reset(proj):
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


def once_rss(lac, proj, aud):
    """Like once(), with wait4 for ru_maxrss (stdout to a file, not a pipe)."""
    reset(proj)
    os.sync()
    outp = os.path.join(proj, "run.json")
    cmd = [lac, "-C", proj, "--format", "json", "run", aud]
    with open(outp, "w") as fo, open(outp + ".err", "w") as fe:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
    with open(outp) as f:
        txt = f.read()
    rep = json.loads(txt)[0] if txt.strip() else {}
    runs = json.loads(subprocess.run([lac, "-C", proj, "--format", "json", "runs", aud],
                                     capture_output=True, check=True).stdout)
    t = runs[0].get("timings_ms", {}) if runs else {}
    with open(outp + ".err") as f:
        err = f.read().strip()
    return wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime, rep, t, err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lac")
    ap.add_argument("project")
    ap.add_argument("audience")
    ap.add_argument("--label", default=None)
    ap.add_argument("--runs", type=int, default=1)
    a = ap.parse_args()
    label = a.label or a.audience
    lines = []
    for _ in range(a.runs):
        wall, rss, cpu, rep, t, err = once_rss(os.path.abspath(a.lac), a.project, a.audience)
        ev = rep.get("events", 0)
        done = rep.get("delivered", 0)
        if rep.get("result") != "Live" or done != ev:
            print(f"{label}: run not Live or not all delivered: {rep} {err}", file=sys.stderr)
        lines.append((wall, rss, cpu, rep, t))
        print(f"{label}: members={rep.get('members')} events={ev} delivered={done} "
              f"wall={wall:.2f}s events/s={done / wall:,.0f} cpu={cpu:.2f}s "
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
