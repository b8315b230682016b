#!/usr/bin/env python3
"""Generate a large lac project for benchmarks: N audiences over an E-entity graph.

usage: bench/gen_project.py OUTDIR [--audiences 1000] [--entities 50] [--files 20] [--seed 1]

The graph is a tree of relationships up to depth 6 (profile = 1); audiences mix
entity paths (nested blocks, counts, having), traits, events, any/not and
part of audience references to earlier audiences (no cycles).  Deterministic
for a given seed.
"""
import argparse
import os
import random

COLUMNS = {"id": "STRING", "parent_id": "STRING", "name": "STRING", "status": "STRING",
           "amount": "NUMBER", "created_at": "TIMESTAMP", "active": "BOOLEAN"}


def build_tree(n_entities, rng):
    """Return list of (slug, parent_index or None, depth) forming a tree, depth <= 6."""
    nodes = []
    for i in range(n_entities):
        if i < 5:
            nodes.append((f"e{i}", None, 2))
            continue
        while True:
            p = rng.randrange(i)
            if nodes[p][2] < 6:
                break
        nodes.append((f"e{i}", p, nodes[p][2] + 1))
    return nodes


def write_graph(out, nodes):
    lines = ["version: 1", "limits: { max_depth: 6 }", "entities:"]
    for slug, _, _ in nodes:
        cols = ", ".join(f"{k}: {v}" for k, v in COLUMNS.items())
        lines += [f"  - slug: {slug}", f"    table: BENCH.PUBLIC.{slug.upper()}",
                  "    primary_key: id", f"    columns: {{ {cols} }}"]
    lines += ["profile:", "  table: BENCH.PROFILES.PROFILE_TRAITS", "  id: segment_id",
              "  traits:", "    email: STRING", "    plan: STRING", "    ltv: NUMBER",
              "    vip: BOOLEAN", "    birthday: DATE",
              "  external_ids:", "    table: BENCH.PROFILES.EXTERNAL_ID_MAPPING",
              "    id: segment_id", "    type: external_id_type", "    value: external_id_value",
              "  events:", "    table: BENCH.PROFILES.TRACKS", "    id: segment_id",
              "    name: event", "    timestamp: timestamp", "    properties: properties",
              "    catalog:",
              '      "Order Completed": { total: NUMBER, currency: STRING }',
              '      "Page Viewed": { url: STRING }',
              "  relationships:"]

    children = {i: [] for i in range(len(nodes))}
    for i, (_, parent, _) in enumerate(nodes):
        if parent is not None:
            children[parent].append(i)

    def emit(i, indent):
        slug, parent, _ = nodes[i]
        pad = " " * indent
        lines.append(f"{pad}- slug: {slug}")
        lines.append(f"{pad}  entity: {slug}")
        if parent is None:
            lines.append(f"{pad}  external_id: {{ type: email, join_key: name }}")
        else:
            lines.append(f"{pad}  join_on: {nodes[parent][0]}.id = {slug}.parent_id")
        if children[i]:
            lines.append(f"{pad}  relationships:")
            for c in children[i]:
                emit(c, indent + 4)

    for i, (_, parent, _) in enumerate(nodes):
        if parent is None:
            emit(i, 4)
    with open(os.path.join(out, "graph.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return children


def path_to(nodes, i):
    parts = []
    while i is not None:
        parts.append(nodes[i][0])
        i = nodes[i][1]
    return list(reversed(parts))


def entity_condition(nodes, children, rng):
    i = rng.randrange(len(nodes))
    path = path_to(nodes, i)
    # sometimes write it as nested blocks, sometimes as a dotted path
    split = rng.randrange(1, len(path) + 1)
    outer, inner = path[:split], path[split:]
    pred = rng.choice(['status = "active"', "amount > 100", 'name starts with "A"',
                       "created_at within last 30 days", "active = true",
                       'status in ("a", "b", "c")', "amount between 10 and 20"])
    body = f"{{ {pred} }}"
    if inner:
        body = f"{{ with entity {'.'.join(inner)} {body} }}"
    count = rng.choice(["", "", "at least 2 ", "exactly 1 ", "at most 3 "])
    having = rng.choice(["", "", " having sum(amount) > 500", " having count() >= 2"])
    if not inner and count == "" and having == "" and rng.random() < 0.3:
        return f"without entity {'.'.join(outer)} {body}"
    return f"with entity {'.'.join(outer)} {count}{body}{having}"


def audience(idx, nodes, children, rng):
    items = [entity_condition(nodes, children, rng) for _ in range(rng.randint(1, 3))]
    extra = rng.choice([
        'with trait plan = "premium"', "with trait ltv >= 1000", "without trait vip = true",
        'with event "Order Completed" at least 2 within last 30 days { total > 50 }',
        'with event "Page Viewed" within last 7 days { url contains "/pricing" }',
        "", ""])
    if extra:
        items.append(extra)
    if idx > 10 and rng.random() < 0.2:
        ref = rng.randrange(idx)
        items.append(f"part of audience a{ref:04d}")
    if rng.random() < 0.3 and len(items) >= 2:
        a, b = items.pop(), items.pop()
        items.append(f"any {{\n      {a}\n      {b}\n    }}")
    body = "\n    ".join(items)
    return (f"audience a{idx:04d} {{\n  name \"Audience {idx}\"\n  schedule every 1 day\n"
            f"  where {{\n    {body}\n  }}\n"
            f"  activation a{idx:04d}_events {{\n    destination events_file\n"
            f"    trigger profile entered\n  }}\n}}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--audiences", type=int, default=1000)
    ap.add_argument("--entities", type=int, default=50)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(os.path.join(args.out, "audiences"), exist_ok=True)
    nodes = build_tree(args.entities, rng)
    children = write_graph(args.out, nodes)
    with open(os.path.join(args.out, "lac.yaml"), "w") as f:
        f.write("version: 1\nname: bench\ngraph: graph.yaml\naudiences: audiences\n"
                "warehouse: { type: sqlite, path: data/warehouse.db }\n"
                "destinations:\n  events_file: { type: file, path: out/events.jsonl }\n")
    per_file = max(1, args.audiences // args.files)
    for fi in range(0, args.audiences, per_file):
        with open(os.path.join(args.out, "audiences", f"part{fi // per_file:03d}.lac"), "w") as f:
            for i in range(fi, min(fi + per_file, args.audiences)):
                f.write(audience(i, nodes, children, rng) + "\n")


if __name__ == "__main__":
    main()
