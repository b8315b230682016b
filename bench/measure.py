#!/usr/bin/env python3
"""Run a command several times and print wall time (min / median) and peak RSS.

usage: bench/measure.py [--runs 10] [--label TEXT] -- COMMAND [ARGS...]

Peak RSS comes from wait4()'s rusage of the child (ru_maxrss, KiB on Linux).
Output: one line  "<label>: runs=N wall_min=…ms wall_median=…ms peak_rss=…MiB exit=…".
"""
import argparse
import os
import statistics
import subprocess
import sys
import time


def run_once(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--label", default=None)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    if not cmd:
        ap.error("no command")
    walls, rss, code = [], 0, 0
    for _ in range(args.runs):
        w, r, code = run_once(cmd)
        walls.append(w)
        rss = max(rss, r)
    label = args.label or " ".join(cmd)
    print(f"{label}: runs={args.runs} wall_min={min(walls) * 1000:.1f}ms "
          f"wall_median={statistics.median(walls) * 1000:.1f}ms "
          f"peak_rss={rss / 1024:.1f}MiB exit={code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
