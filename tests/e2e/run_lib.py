#!/usr/bin/python3
# tests/e2e/run_lib.py — summarise activation events written by a `file`
# destination (JSON lines) for the run tests.
#
#   run_lib.py summary FILE [SKIP]   one sorted line per event (after the first
#                                    SKIP lines): emitter|type|event|who|entity|entity_id|member
#   run_lib.py ids FILE              exit 1 (listing them) if any messageId repeats
#   run_lib.py unique FILE           as summary, one line per messageId; exit 1 if
#                                    two lines share a messageId and differ
#   run_lib.py get JSON PATH...      print values from a JSON document on stdin
import json
import sys


def events(path, skip=0):
    out = []
    with open(path, encoding="utf-8") as f:
        data = f.read()
    if data and not data.endswith("\n"):
        sys.exit("file does not end with a newline: a partial line was written")
    for n, line in enumerate(data.splitlines()):
        if n < skip:
            continue
        out.append(json.loads(line))
    return out


def who(e):
    if "userId" in e and "anonymousId" in e:
        return "BOTH"
    if "userId" in e:
        return "user:" + e["userId"]
    return "anon:" + e.get("anonymousId", "?")


def summary(e):
    body = e.get("properties") if e["type"] == "track" else e.get("traits")
    key = e["context"]["personas"]["computation_key"]
    member = body.get(key)
    if e["type"] == "track":
        assert body["audience_key"] == key, e
    return "|".join([
        e["context"]["personas"]["event_emitter_id"], e["type"], e.get("event", "-"), who(e),
        body.get("entity", "-"), body.get("entity_id", "-"),
        "true" if member is True else "false" if member is False else "MISSING",
    ])


def main():
    cmd = sys.argv[1]
    if cmd == "summary":
        skip = int(sys.argv[3]) if len(sys.argv) > 3 else 0
        for line in sorted(summary(e) for e in events(sys.argv[2], skip)):
            print(line)
    elif cmd == "unique":
        first = {}
        for e in events(sys.argv[2]):
            if e["messageId"] in first and first[e["messageId"]] != e:
                sys.exit("messageId %s sent with two bodies" % e["messageId"])
            first.setdefault(e["messageId"], e)
        for line in sorted(summary(e) for e in first.values()):
            print(line)
    elif cmd == "ids":
        seen = {}
        bad = 0
        for e in events(sys.argv[2]):
            mid = e["messageId"]
            if mid in seen:
                print("duplicate messageId", mid)
                bad = 1
            seen[mid] = 1
        sys.exit(bad)
    elif cmd == "get":
        doc = json.load(sys.stdin)
        for p in sys.argv[2:]:
            v = doc
            for part in p.split("."):
                v = v[int(part)] if isinstance(v, list) else v.get(part)
            print(json.dumps(v) if not isinstance(v, str) else v)
    elif cmd == "field":
        # field FILE EMITTER WHO DOTTED.PATH: a value of the one matching event
        for e in events(sys.argv[2]):
            if e["context"]["personas"]["event_emitter_id"] == sys.argv[3] and who(e) == sys.argv[4]:
                v = e
                for part in sys.argv[5].split("."):
                    v = v[int(part)] if isinstance(v, list) else v.get(part)
                print(json.dumps(v, sort_keys=True))


main()
