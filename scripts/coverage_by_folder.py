#!/usr/bin/python3
"""coverage_by_folder.py — gcovr's JSON summary (--json-summary) folded into
line and branch coverage per src/ folder, as a markdown table on stdout.

Usage: coverage_by_folder.py SUMMARY.json
"""
import json
import sys


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        files = json.load(f)["files"]
    folders = {}
    for entry in files:
        parts = entry["filename"].split("/")
        if len(parts) < 3 or parts[0] != "src":
            continue
        t = folders.setdefault(parts[1], [0, 0, 0, 0])
        t[0] += entry["line_covered"]
        t[1] += entry["line_total"]
        t[2] += entry["branch_covered"]
        t[3] += entry["branch_total"]
    pct = lambda c, n: "%.1f %%" % (100.0 * c / n) if n else "-"
    print("| folder | lines | branches |")
    print("|---|---|---|")
    tot = [0, 0, 0, 0]
    for name in sorted(folders):
        c = folders[name]
        tot = [a + b for a, b in zip(tot, c)]
        print("| %s | %s (%d/%d) | %s (%d/%d) |" % (name, pct(c[0], c[1]), c[0], c[1], pct(c[2], c[3]), c[2], c[3]))
    print("| **all** | %s (%d/%d) | %s (%d/%d) |" % (pct(tot[0], tot[1]), tot[0], tot[1],
                                                   pct(tot[2], tot[3]), tot[2], tot[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
