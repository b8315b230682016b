#!/usr/bin/env python3
"""plan_comment.py — turn `lac plan --format json` into a review comment.

    lac plan --preview --detailed-exitcode --format json > plan.json
    python3 ci/plan_comment.py plan.json > plan.md

Markdown: the summary line, then one table row per change (with the member
count and the events each activation would send when the plan was made
with --preview), then the changed lines of each update.  Standard library
only, so it runs on any CI image that has python3.
"""
import json
import sys

SIGN = {"create": "+", "update": "~", "delete": "-", "enable": "~", "disable": "~"}


def preview_text(change):
    p = change.get("preview")
    if not p:
        return ""
    if p.get("error"):
        return "preview failed: " + p["error"]
    if change["kind"] == "audience":
        text = "%s members" % p.get("members")
        if p.get("snapshot") is not None:
            text += " (+%s / -%s)" % (p.get("entered"), p.get("exited"))
        return text
    text = "%s events" % p.get("events")
    extra = [("%s %s" % (p[k], word)) for k, word in
             (("filtered", "filtered"), ("invalid", "invalid")) if p.get(k)]
    return text + (" (" + ", ".join(extra) + ")" if extra else "")


def main(path):
    with open(path, encoding="utf-8") as f:
        plan = json.load(f)
    changes = plan.get("changes", [])
    s = plan.get("summary", {})
    out = ["### lac plan", ""]
    if not changes:
        out.append("No changes. The applied state matches the files.")
        print("\n".join(out))
        return 0
    out.append("**Plan: %s to create, %s to change, %s to delete.**" %
               (s.get("create", 0), s.get("update", 0), s.get("delete", 0)))
    out += ["", "| | kind | name | action | preview |", "|---|---|---|---|---|"]
    for c in changes:
        name = c["name"] if c["kind"] == "audience" else "%s.%s" % (c["audience"], c["name"])
        out.append("| `%s` | %s | `%s` | %s | %s |" % (
            SIGN.get(c["action"], "?"), c["kind"], name, c["action"], preview_text(c)))
    details = [c for c in changes if c.get("details")]
    for c in details:
        out += ["", "<details><summary>%s %s</summary>" % (c["action"], c["name"]), "", "```diff"]
        out += c["details"]
        out += ["```", "</details>"]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: plan_comment.py PLAN.json")
    sys.exit(main(sys.argv[1]))
