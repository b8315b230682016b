#!/usr/bin/python3
"""tests/prop/gen.py — random lac projects for the property test.

generate(seed) returns a Project: a random data graph (entities with typed,
NULL-able columns; relationships through external_id, trait, join_on and
junction, 3 to 5 hops deep), random rows (NULLs, rows reachable through two
paths, rows with a null primary key, hostile strings, timestamps in both ISO
spellings around the window edges of a fixed `now`, values inside JSON that
drift in type and spelling: Raw) and random valid audiences, each kept both as an
AST (read by oracle.py) and as .lac text (read by lac).

Standard library only.  The AST:
  block      ('block', [expr...])            items ANDed
  expr       ('all', [expr]) ('any', [expr]) ('not', e) ('and', a, b)
             ('or', a, b) ('paren', e) | condition
  condition  ('entity', neg, [rel...], count, block|None, having|None)
             ('trait', neg, [name, key...], pred|None)
             ('event', neg, name, count, window|None, block|None, having|None)
             ('partof', neg, audience, using|None)
             ('col', column, pred)           a column of the scope row
                                             (an event property in event blocks)
  count      None | ('least'|'most'|'exactly', N)
  having     (agg, column|None, cmp, literal)
  window     ('last', N, unit) | ('between', A, B, unit)
  pred       ('cmp', op, operand) ('contains'|'ncontains'|'starts'|'ends', operand)
             ('in'|'nin', [literal]) ('between', lo, hi) ('isnull',) ('notnull',)
             ('within_last'|'within_next'|'before_last'|'after_next', N, unit)
  operand    ('lit', type, value) | ('trait', [name, key...]) | ('ref', slug, column)
Values: NUMBER as decimal strings, DATE date, TIME 'HH:MM:SS', TIMESTAMP
datetime (naive UTC), BOOLEAN bool, STRING str.
"""
import datetime as dt
import json
import random

NOWS = ["2026-01-15T12:00:00Z", "2026-03-01T00:00:00Z", "2025-12-31T23:59:59Z"]

# Hostile strings: quotes, backslashes (also at the end), wildcards, Unicode,
# case variants, leading/trailing spaces, the empty string.
S_POOL = ["cat", "Cat", "CAT", " cat", "cat ", "ca", "at", "c%t", "c_t", "cxt", "100%", "1000",
          "50_off", "50xoff", "a\\", "\\", "O'Brien", "o'brien", 'say "hi"', "", "Café", "café",
          "CAFÉ", "ü", "日本語", "x'y\"z\\", "tab\tx", "%", "_", "a%b_c\\d", "line\nbreak"]
S_LIT = S_POOL + ["c", "t", "a", "'", '"', "é", "É", "\\d", "%t", "_t", "Ca", "at ", "100", "x\\"]
# Join keys (primary keys, foreign keys, external id values, trait join values)
KEYS = ["k1", "k2", "k3", "k4", "K1", "k1 ", " k2", "o'k", "z\\", "%", "_", "ü", "k5", "k6"]
TIMES = ["00:00:00", "08:29:59", "08:30:00", "08:30:01", "12:00:00", "23:59:59"]
NUMS = ["0", "1", "-1", "2.5", "3", "10", "10.25", "-7.75", "100", "1000.5", "0.5", "42"]
UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400,
         "week": 604800, "weeks": 604800}
WINDOWS = [(1, "hour"), (90, "minutes"), (1, "day"), (2, "days"), (7, "days"), (1, "week"),
           (2, "weeks"), (30, "days"), (90, "days")]
DATE_WINDOWS = [(0, "days"), (1, "day"), (2, "days"), (7, "days"), (1, "week"), (2, "weeks"),
                (30, "days")]

COL_TYPES = {"s": "STRING", "s2": "STRING", "n": "NUMBER", "n2": "NUMBER", "b": "BOOLEAN",
             "d": "DATE", "tm": "TIME", "ts": "TIMESTAMP"}
TRAITS = {"email": "STRING", "code": "STRING", "nick": "STRING", "ltv": "NUMBER",
          "score": "NUMBER", "vip": "BOOLEAN", "bday": "DATE", "wake": "TIME",
          "seen": "TIMESTAMP"}
# OBJECT trait `addr` (JSON column addr_json) with a nested OBJECT `geo`
ADDR = {"city": "STRING", "zip": "NUMBER", "geo": {"lat": "NUMBER", "tag": "STRING"}}
EVENTS = {"Order Completed": {"total": "NUMBER", "cur": "STRING", "when": "TIMESTAMP",
                              "gift": "BOOLEAN"},
          "Page Viewed": {"url": "STRING", "ms": "NUMBER", "day": "DATE", "tod": "TIME"},
          "It's 100%_\\ \"odd\"": {"v": "NUMBER", "note": "STRING"}}
EVENT_NAME_NOISE = ["order completed", "Order Completed ", "ORDER COMPLETED", "Page viewed",
                    "It's 100%_\\ \"odd\" ", "Other"]
CMP = ["=", "!=", "<", ">", "<=", ">="]


class Raw:
    """A value inside JSON written as it is (a drifting type or spelling,
    SPEC §3.4 "Values inside JSON"); oracle.py reads it by the SPEC rule."""

    def __init__(self, v):
        self.v = v

    def __repr__(self):
        return "Raw(%r)" % (self.v,)


# Drifting JSON values per declared type: wrong JSON types, numeric strings,
# invalid calendar values, booleans as 1/"yes"/"TRUE", objects and arrays.
# Numbers read as STRING are integers only (other numbers print in each
# engine's own form).
DRIFT = {
    "NUMBER": ["abc", "", " 3", "3 ", "NaN", "1e2", "12.5", "-3", "007", "+1", "1.", "2E-1",
               "0x10", "Infinity", True, False, {"n": 1}, [1], 25.0, -0.5, 3],
    "BOOLEAN": [1, 0, "yes", "TRUE", "True", "true", "false", " true", {"b": True}, [True]],
    "STRING": [7, -3, 0, 1000, True, False, {"s": "cat"}, ["cat"], []],
    "DATE": ["2025-02-30", "2024-02-29", "2023-02-29", "2025-1-5", 20250101, "2025-13-01",
             "2026-01-15T00:00:00", "2026-01-14", "1900-02-29", "2000-02-29", {"d": 1}],
    "TIME": ["24:00:00", "8:00:00", "08:00", "08:61:00", 800, "08:30:00.5", "12:00:00 ",
             "23:59:59", ["x"]],
    "TIMESTAMP": ["2025-02-30 10:00:00", "2026-01-15 24:00:00", "2026-01-15T08:30:00+01:00",
                  "2026-01-15", "2026-01-15T08:30:00.Z", "2026-01-15 08:30", 1700000000,
                  "2026-01-14 12:00:00", "2026-01-15T11:00:00Z", "2026-01-15t11:00:00Z",
                  {"t": 1}],
}


def drift(r, ty, p=0.15):
    """None, or a drifting value of declared type ty (with probability p)."""
    if r.random() < p:
        return Raw(r.choice(DRIFT[ty]))
    return None


def parse_now(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")


class Rel:
    """A relationship: slug, entity, join, children, parent (None: profile)."""

    def __init__(self, slug, entity, join, parent):
        self.slug, self.entity, self.join, self.parent = slug, entity, join, parent
        self.children = []

    def depth(self):  # profile = 1
        return 2 if self.parent is None else self.parent.depth() + 1

    def path(self):
        return ([] if self.parent is None else self.parent.path()) + [self]


class Entity:
    def __init__(self, slug, table, cols):
        self.slug, self.table, self.cols = slug, table, cols  # cols: name -> type
        self.pk = "id"
        self.rows = []


class Project:
    pass


# ---------------------------------------------------------------- data graph
def gen_graph(r, P):
    ents = []
    nent = r.randint(4, 6)
    for i in range(nent):
        cols = {"id": "STRING", "k1": "STRING", "k2": "STRING"}
        for c in r.sample(sorted(COL_TYPES), r.randint(3, 6)):
            cols[c] = COL_TYPES[c]
        nparts = r.choice([1, 2, 3])
        last = "ENT_%d" % i if r.random() < 0.5 else "ent_t%d" % i
        table = ".".join((["WH", "SC%d" % (i % 2)] if nparts == 3 else ["SC%d" % (i % 2)] if nparts == 2
                          else []) + [last])
        ents.append(Entity("e%d" % i, table, cols))
    P.entities = ents
    P.max_depth = r.choice([4, 5, 6])
    rels = []
    counter = [0]

    def newslug():
        counter[0] += 1
        return "r%d" % counter[0]

    def make(parent, pent):
        cands = [e for e in ents if e is not pent]
        ent = r.choice(cands)
        if parent is None:
            if r.random() < 0.6:
                join = ("ext", r.choice(["email", "uid"]), r.choice(["k1", "k2", "id"]))
            else:
                join = ("trait", r.choice(["email", "code"]), r.choice(["k1", "k2", "id"]))
        else:
            junc = [e for e in ents if e is not pent and e is not ent]
            if r.random() < 0.3 and junc:
                j = r.choice(junc)
                left, right = r.sample(["k1", "k2"], 2)
                join = ("junction", j, left, right)
            else:
                pc = r.choice(["id", "id", "k1", "k2"])
                cc = r.choice(["k1", "k2"]) if pc == "id" else r.choice(["id", "k1", "k2"])
                join = ("on", pc, cc, r.random() < 0.5)
        rel = Rel(newslug(), ent, join, parent)
        return rel

    def grow(rel, budget):
        if rel.depth() >= P.max_depth:
            return
        for _ in range(r.choice([0, 1, 1, 2]) if budget > 0 else 0):
            c = make(rel, rel.entity)
            rel.children.append(c)
            grow(c, budget - 1)

    for _ in range(r.randint(2, 3)):
        rel = make(None, None)
        rels.append(rel)
        grow(rel, r.randint(1, 4))
    # make sure at least one path reaches depth >= 4 when allowed
    deep = max(all_rels(rels), key=lambda x: x.depth())
    while deep.depth() < min(P.max_depth, 5):
        c = make(deep, deep.entity)
        deep.children.append(c)
        deep = c
    P.rels = rels


def all_rels(rels):
    out = []
    for x in rels:
        out.append(x)
        out.extend(all_rels(x.children))
    return out


# ---------------------------------------------------------------------- data
def gen_ts(r, now):
    if r.random() < 0.12:
        return None
    if r.random() < 0.75:
        n, unit = r.choice(WINDOWS)
        sec = n * UNITS[unit] * r.choice([-1, 1, 1]) + r.choice([-1, 0, 0, 1])
        t = now - dt.timedelta(seconds=sec)
        if r.random() < 0.15:
            t += dt.timedelta(milliseconds=r.choice([-500, 250, 500]))
    else:
        t = now + dt.timedelta(seconds=r.randint(-400 * 86400, 60 * 86400))
    return t


def gen_date(r, now):
    if r.random() < 0.12:
        return None
    today = now.date()
    if r.random() < 0.8:
        n, unit = r.choice(DATE_WINDOWS)
        days = n * (7 if unit.startswith("week") else 1)
        return today + dt.timedelta(days=r.choice([-1, 1, 1]) * days + r.choice([-1, 0, 0, 1]))
    return today + dt.timedelta(days=r.randint(-800, 100))


def gen_value(r, ty, now, null=0.15):
    if r.random() < null:
        return None
    if ty == "STRING":
        return r.choice(S_POOL)
    if ty == "NUMBER":
        return r.choice(NUMS)
    if ty == "BOOLEAN":
        return r.random() < 0.5
    if ty == "DATE":
        return gen_date(r, now)
    if ty == "TIME":
        return r.choice(TIMES)
    if ty == "TIMESTAMP":
        return gen_ts(r, now)
    raise ValueError(ty)


def gen_obj(r, props, now, depth=0):
    if r.random() < 0.12:
        return None
    o = {}
    for k, ty in props.items():
        x = r.random()
        if x < 0.15:
            continue            # missing key
        if x < 0.25:
            o[k] = None         # JSON null
        elif isinstance(ty, dict):
            v = gen_obj(r, ty, now, depth + 1)
            o[k] = v
        else:
            v = drift(r, ty) or gen_value(r, ty, now, 0)
            o[k] = v
    return o


def gen_data(r, P):
    now = P.now
    npro = r.randint(12, 20)
    ids = r.sample(["p%02d" % i for i in range(1, 40)], npro - 2) + ["p'q\\", "pÜ %_"]
    P.profiles = []
    for pid in ids:
        t = {"id": pid}
        for name, ty in TRAITS.items():
            if name in ("email", "code"):
                t[name] = r.choice(KEYS) if r.random() < 0.85 else None
            else:
                t[name] = gen_value(r, ty, now)
        t["addr"] = gen_obj(r, ADDR, now)
        P.profiles.append(t)
    # external ids: several per profile (the same value twice leads to one row twice)
    P.extids = []
    for p in P.profiles:
        for _ in range(r.randint(0, 4)):
            P.extids.append((p["id"], r.choice(["email", "email", "uid", "uid", "Email", "phone"]),
                             r.choice(KEYS) if r.random() < 0.9 else None))
    for _ in range(2):  # unknown profiles select nothing
        P.extids.append(("ghost", r.choice(["email", "uid"]), r.choice(KEYS)))
    for e in P.entities:
        n = r.randint(5, 11)
        pks = r.sample(KEYS, min(n, len(KEYS)))
        e.rows = []
        for pk in pks:
            row = {"id": pk}
            for c, ty in e.cols.items():
                if c == "id":
                    continue
                if c in ("k1", "k2"):
                    row[c] = r.choice(KEYS) if r.random() < 0.85 else None
                else:
                    row[c] = gen_value(r, ty, now)
            e.rows.append(row)
        # rows whose primary key is null do not exist for lac (SPEC §3.4)
        for _ in range(r.choice([0, 0, 1, 2])):
            row = {"id": None}
            for c, ty in e.cols.items():
                if c in ("k1", "k2"):
                    row[c] = r.choice(KEYS)
                elif c != "id":
                    row[c] = gen_value(r, ty, now)
            e.rows.append(row)
    P.events = []
    names = list(EVENTS) * 4 + EVENT_NAME_NOISE
    for _ in range(r.randint(40, 90)):
        pid = r.choice([p["id"] for p in P.profiles] + ["ghost"])
        name = r.choice(names)
        props_ty = EVENTS.get(name, EVENTS["Order Completed"])
        x = r.random()
        if x < 0.08:
            props = None
        else:
            props = {}
            for k, ty in props_ty.items():
                y = r.random()
                if y < 0.12:
                    continue
                props[k] = None if y < 0.22 else drift(r, ty) or gen_value(r, ty, now, 0)
        P.events.append((pid, name, gen_ts(r, now), props))
    # one duplicated event row
    if P.events:
        P.events.append(P.events[0])


# ------------------------------------------------------------------ literals
def lit(r, ty, now):
    if ty == "STRING":
        return ("lit", ty, r.choice(S_LIT))
    if ty == "NUMBER":
        return ("lit", ty, r.choice(NUMS))
    if ty == "BOOLEAN":
        return ("lit", ty, r.random() < 0.5)
    if ty == "DATE":
        d = gen_date(r, now)
        return ("lit", ty, d if d else now.date())
    if ty == "TIME":
        return ("lit", ty, r.choice(TIMES))
    if ty == "TIMESTAMP":
        t = gen_ts(r, now)
        t = (t or now).replace(microsecond=0)
        return ("lit", ty, t)
    raise ValueError(ty)


def ordered_pair(a, b, ty):
    def key(x):
        return float(x[2]) if ty == "NUMBER" else x[2]
    return (a, b) if key(a) <= key(b) else (b, a)


def gen_pred(r, ty, now, refs, pool=()):
    """refs: list of (operand, type) usable on the right side; pool: values
    of the column in the data (literals are often taken from it)."""
    rr = [o for o, t in refs if t == ty]
    use_ref = rr and r.random() < 0.35
    pool = [v for v in pool if v is not None and not isinstance(v, Raw)]

    def plit(r, ty, now):
        if pool and r.random() < 0.5:
            v = r.choice(pool)
            return ("lit", ty, v.replace(microsecond=0) if ty == "TIMESTAMP" else v)
        return lit(r, ty, now)

    def operand():
        return r.choice(rr) if use_ref else plit(r, ty, now)
    x = r.random()
    if x < 0.1:
        return ("isnull",) if r.random() < 0.5 else ("notnull",)
    if ty == "BOOLEAN":
        return ("cmp", r.choice(["=", "!="]), plit(r, ty, now))
    if ty == "STRING":
        if use_ref or r.random() < 0.6:
            op = r.choice(["=", "!=", "contains", "ncontains", "starts", "ends"])
            if op in ("=", "!="):
                return ("cmp", op, operand())
            return (op, operand())
        return (r.choice(["in", "nin"]), [plit(r, ty, now) for _ in range(r.randint(1, 3))])
    # NUMBER DATE TIME TIMESTAMP
    if use_ref or x < 0.5:
        return ("cmp", r.choice(CMP), operand())
    if x < 0.62:
        return ("between",) + ordered_pair(plit(r, ty, now), plit(r, ty, now), ty)
    if x < 0.72 or ty in ("NUMBER", "TIME"):
        return (r.choice(["in", "nin"]), [plit(r, ty, now) for _ in range(r.randint(1, 3))])
    form = r.choice(["within_last", "within_next", "before_last", "after_next"])
    n, unit = r.choice(DATE_WINDOWS if ty == "DATE" else WINDOWS)
    if n == 0:
        n = 1
    return (form, n, unit)


# ----------------------------------------------------------------- audiences
class Ctx:
    def __init__(self, target, now, names):
        self.target = target        # None (profile) or Rel
        self.now = now
        self.names = names          # earlier audiences: name -> target


def trait_refs(ctx, event=False):
    """trait.t operands: in profile audiences; in entity-targeted ones only in
    event blocks and trait conditions (the associated profile in question)."""
    if ctx.target is not None and not event:
        return []
    out = [(("trait", [t]), ty) for t, ty in TRAITS.items()]
    out += [(("trait", ["addr", "city"]), "STRING"), (("trait", ["addr", "geo", "lat"]), "NUMBER")]
    return out


def entity_refs(stack):
    out = []
    for rel in stack:
        for c, ty in rel.entity.cols.items():
            out.append((("ref", rel.slug, c), ty))
    return out


def gen_count(r, allow_zero=True):
    x = r.random()
    if x < 0.45:
        return None
    if x < 0.65:
        return ("least", r.choice([1, 1, 2, 3]))
    if x < 0.82:
        return ("most", r.randint(0 if allow_zero else 1, 2))
    return ("exactly", r.randint(0 if allow_zero else 1, 2))


def zero_count(c):
    return c is not None and c[0] in ("most", "exactly") and c[1] == 0


def gen_having(r, cols, now):
    nums = [c for c, t in cols.items() if t == "NUMBER"]
    ords = [c for c, t in cols.items() if t in ("NUMBER", "DATE", "TIME", "TIMESTAMP")]
    x = r.random()
    if x < 0.3 or not ords:
        return ("count", None, r.choice(CMP), ("lit", "NUMBER", str(r.randint(0, 3))))
    if x < 0.6 and nums:
        c = r.choice(nums)
        return (r.choice(["sum", "avg"]), c, r.choice(CMP), lit(r, "NUMBER", now))
    c = r.choice(ords)
    return (r.choice(["min", "max"]), c, r.choice(CMP), lit(r, cols[c], now))


def gen_entity_cond(r, ctx, node_children, stack, depth, refs_extra):
    """with/without entity over 1..2 hops from node_children."""
    rel = r.choice(node_children)
    path = [rel]
    while rel.children and r.random() < 0.35:
        rel = r.choice(rel.children)
        path.append(rel)
    cnt = gen_count(r)
    block = having = None
    if not zero_count(cnt):
        if r.random() < 0.7:
            block = gen_block(r, ctx, "entity", stack + [rel], depth + 1, refs_extra)
        if r.random() < 0.3:
            having = gen_having(r, rel.entity.cols, ctx.now)
    return ("entity", r.random() < 0.2, path, cnt, block, having)


def gen_event_cond(r, ctx, depth):
    name = r.choice(list(EVENTS))
    props = EVENTS[name]
    cnt = gen_count(r)
    win = None
    x = r.random()
    if x < 0.4:
        n, unit = r.choice(WINDOWS)
        win = ("last", n, unit)
    elif x < 0.6:
        unit = r.choice(["minutes", "hours", "days", "days", "weeks"])
        a = r.choice([0, 1, 2, 7])
        b = a + r.choice([0, 1, 7, 30, 90])
        win = ("between", a, b, unit)
    block = having = None
    if not zero_count(cnt):
        if r.random() < 0.6:
            refs = trait_refs(ctx, True)
            items = []
            for _ in range(r.randint(1, 2)):
                p = r.choice(sorted(props))
                pool = [ev[3].get(p) for ev in ctx.P.events if ev[1] == name and ev[3]]
                items.append(("col", p, gen_pred(r, props[p], ctx.now, refs, pool)))
            if len(items) == 2 and r.random() < 0.4:
                items = [("or", items[0], items[1])]
            block = ("block", items)
        if r.random() < 0.3:
            having = gen_having(r, props, ctx.now)
    return ("event", r.random() < 0.2, name, cnt, win, block, having)


def gen_trait_cond(r, ctx):
    x = r.random()
    if x < 0.25:
        tpath = r.choice([["addr"], ["addr", "city"], ["addr", "zip"], ["addr", "geo"],
                          ["addr", "geo", "lat"], ["addr", "geo", "tag"]])
        ty = ADDR
        for k in tpath[1:]:
            ty = ty[k]
        ty = "OBJECT" if tpath == ["addr"] or isinstance(ty, dict) else ty
    else:
        t = r.choice(sorted(TRAITS))
        tpath, ty = [t], TRAITS[t]
    pred = None
    if ty != "OBJECT" and r.random() < 0.85:
        refs = trait_refs(ctx, True)
        pool = []
        for p in ctx.P.profiles:
            v = p[tpath[0]] if len(tpath) == 1 else p["addr"]
            for k in tpath[1:]:
                v = v.get(k) if isinstance(v, dict) else None
            pool.append(v)
        pred = gen_pred(r, ty, ctx.now, refs, pool)
    return ("trait", r.random() < 0.25, tpath, pred)


def gen_condition(r, ctx, scope, stack, depth, refs_extra):
    """scope: 'top' (profile or target entity) or 'entity' (inside with entity)."""
    choices = []
    if scope == "top":
        choices += ["trait", "trait", "event", "event"]
        if ctx.target is None:
            choices += ["entity", "entity", "entity"]
        else:
            choices += ["col", "col"]
            if ctx.target.children:
                choices += ["entity", "entity"]
        same = [n for n, t in ctx.names.items() if t is ctx.target]
        if same:
            choices += ["partof"]
    else:
        choices += ["col", "col", "col"]
        if stack[-1].children and depth < 4:
            choices += ["entity"]
    k = r.choice(choices)
    if k == "trait":
        return gen_trait_cond(r, ctx)
    if k == "event":
        return gen_event_cond(r, ctx, depth)
    if k == "partof":
        same = [n for n, t in ctx.names.items() if t is ctx.target]
        return ("partof", r.random() < 0.3, r.choice(same),
                r.choice([None, "conditions", "membership"]))
    if k == "entity":
        kids = (ctx.target.children if ctx.target is not None else ctx.rels) if scope == "top" \
            else stack[-1].children
        return gen_entity_cond(r, ctx, kids, stack, depth, refs_extra)
    # a column of the scope row
    rel = stack[-1] if stack else ctx.target
    c = r.choice(sorted(rel.entity.cols))
    ty = rel.entity.cols[c]
    # the target entity's own slug is in scope in an entity-targeted audience
    refs = entity_refs(([ctx.target] if ctx.target is not None else []) + stack) + \
        (trait_refs(ctx) if stack else [])
    pool = [row.get(c) for row in rel.entity.rows]
    return ("col", c, gen_pred(r, ty, ctx.now, refs, pool))


def gen_expr(r, ctx, scope, stack, depth, refs_extra, level=0):
    x = r.random()
    if level < 2 and x < 0.25:
        kind = r.choice(["any", "all", "not", "and", "or", "or", "paren"])
        sub = lambda: gen_expr(r, ctx, scope, stack, depth, refs_extra, level + 1)  # noqa: E731
        if kind in ("any", "all"):
            return (kind, [sub() for _ in range(r.randint(1, 3))])
        if kind in ("not", "paren"):
            return (kind, sub())
        return (kind, sub(), sub())
    return gen_condition(r, ctx, scope, stack, depth, refs_extra)


def gen_block(r, ctx, scope, stack, depth, refs_extra):
    items = [gen_expr(r, ctx, scope, stack, depth, refs_extra)
             for _ in range(r.choice([1, 1, 2] if scope == "top" else [1, 1, 1, 2]))]
    # ANDed sibling counts that share a first hop are one grouped scan in
    # the SQL (issue 11 part 3): sometimes add one.  Drawn from a stream of
    # its own, so the rest of every seed stays as it was.
    side = ctx.P.side
    firsts = [x[2][0] for x in items if x[0] == "entity" and not x[1]]
    if firsts and side.random() < 0.4:
        first = side.choice(firsts)
        for _ in range(side.choice([1, 2, 2])):
            items.append(gen_sibling(side, ctx, first, stack, depth, refs_extra))
    return ("block", items)


def gen_sibling(r, ctx, first, stack, depth, refs_extra):
    """A count or having over a path that starts with the relationship first."""
    path = [first]
    rel = first
    while rel.children and r.random() < 0.5:
        rel = r.choice(rel.children)
        path.append(rel)
    cnt = gen_count(r) or ("least", r.randint(1, 3))
    block = having = None
    if not zero_count(cnt):
        if len(path) > 1 and r.random() < 0.6:
            block = gen_block(r, ctx, "entity", stack + [rel], depth + 1, refs_extra)
        if r.random() < 0.5:
            having = gen_having(r, rel.entity.cols, ctx.now)
    return ("entity", False, path, cnt, block, having)


def gen_audiences(r, P):
    P.audiences = []   # (name, target Rel|None, where block)
    names = {}
    allrels = all_rels(P.rels)
    for i in range(r.randint(6, 9)):
        target = None
        if r.random() < 0.3:
            target = r.choice(P.rels if r.random() < 0.6 else allrels)
            # sometimes reuse an earlier entity target so part of audience applies
            prev = [t for t in names.values() if t is not None]
            if prev and r.random() < 0.5:
                target = r.choice(prev)
        ctx = Ctx(target, P.now, dict(names))
        ctx.rels = P.rels
        ctx.P = P
        where = gen_block(r, ctx, "top", [], 0, [])
        name = "a%d_%s" % (i, "p" if target is None else "e")
        P.audiences.append((name, target, where))
        names[name] = target


def generate(seed):
    r = random.Random(seed)
    P = Project()
    P.seed = seed
    P.now_text = r.choice(NOWS)
    P.now = parse_now(P.now_text)
    P.side = random.Random(seed + 1_000_003)   # gen_block's extra siblings
    gen_graph(r, P)
    gen_data(r, P)
    gen_audiences(r, P)
    P.rel_list = all_rels(P.rels)
    return P


# ------------------------------------------------------------------ rendering
def q(s):
    """a .lac string literal"""
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 32:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def fmt_ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def r_lit(o):
    _, ty, v = o
    if ty == "STRING":
        return q(v)
    if ty == "NUMBER":
        return v
    if ty == "BOOLEAN":
        return "true" if v else "false"
    if ty == "DATE":
        return 'date "%s"' % v.isoformat()
    if ty == "TIME":
        return 'time "%s"' % v
    return 'timestamp "%s"' % fmt_ts(v)


def r_operand(o):
    if o[0] == "lit":
        return r_lit(o)
    if o[0] == "trait":
        return "trait." + ".".join(o[1])
    return "%s.%s" % (o[1], o[2])


def r_pred(p):
    k = p[0]
    if k == "cmp":
        return "%s %s" % (p[1], r_operand(p[2]))
    if k in ("contains", "ncontains", "starts", "ends"):
        return {"contains": "contains", "ncontains": "not contains", "starts": "starts with",
                "ends": "ends with"}[k] + " " + r_operand(p[1])
    if k in ("in", "nin"):
        return ("in" if k == "in" else "not in") + " (" + ", ".join(r_lit(x) for x in p[1]) + ")"
    if k == "between":
        return "between %s and %s" % (r_lit(p[1]), r_lit(p[2]))
    if k == "isnull":
        return "is null"
    if k == "notnull":
        return "is not null"
    words = {"within_last": "within last", "within_next": "within next",
             "before_last": "before last", "after_next": "after next"}[k]
    return "%s %d %s" % (words, p[1], p[2])


def r_count(c):
    if c is None:
        return ""
    return " " + {"least": "at least", "most": "at most", "exactly": "exactly"}[c[0]] + " %d" % c[1]


def r_having(h):
    if h is None:
        return ""
    agg, col, op, v = h
    return " having %s(%s) %s %s" % (agg, col or "", op, r_lit(v))


def r_block(b, ind):
    pad = "  " * (ind + 1)
    lines = ["{"]
    for it in b[1]:
        lines.append(pad + r_expr(it, ind + 1))
    lines.append("  " * ind + "}")
    return "\n".join(lines)


def r_expr(e, ind):
    k = e[0]
    if k in ("any", "all"):
        return k + " " + r_block(("block", e[1]), ind)
    if k == "not":
        return "not (" + r_expr(e[1], ind) + ")"
    if k == "paren":
        return "(" + r_expr(e[1], ind) + ")"
    if k in ("and", "or"):
        return "(%s) %s (%s)" % (r_expr(e[1], ind), k, r_expr(e[2], ind))
    if k == "entity":
        _, neg, path, cnt, block, having = e
        s = "%s entity %s%s" % ("without" if neg else "with", ".".join(x.slug for x in path),
                                r_count(cnt))
        if block is not None:
            s += " " + r_block(block, ind)
        return s + r_having(having)
    if k == "trait":
        _, neg, tpath, pred = e
        s = "%s trait %s" % ("without" if neg else "with", ".".join(tpath))
        return s + (" " + r_pred(pred) if pred else "")
    if k == "event":
        _, neg, name, cnt, win, block, having = e
        s = "%s event %s%s" % ("without" if neg else "with", q(name), r_count(cnt))
        if win:
            if win[0] == "last":
                s += " within last %d %s" % (win[1], win[2])
            else:
                s += " between %d and %d %s ago" % (win[1], win[2], win[3])
        if block is not None:
            s += " " + r_block(block, ind)
        return s + r_having(having)
    if k == "partof":
        _, neg, name, using = e
        return "%spart of audience %s%s" % ("not " if neg else "", name,
                                            " using " + using if using else "")
    if k == "col":
        return "%s %s" % (e[1], r_pred(e[2]))
    raise ValueError(k)


def render_audience(name, target, where):
    s = "audience %s {\n" % name
    if target is not None:
        s += "  target entity %s\n" % ".".join(x.slug for x in target.path())
    s += "  where " + r_block(where, 1) + "\n}\n"
    return s


def y(s):
    return json.dumps(s, ensure_ascii=False)


def render_graph(P):
    L = ["version: 1", "limits: { max_depth: %d }" % P.max_depth, "entities:"]
    for e in P.entities:
        L.append("  - slug: %s" % e.slug)
        L.append("    table: %s" % e.table)
        L.append("    primary_key: id")
        L.append("    columns: { %s }" % ", ".join("%s: %s" % kv for kv in e.cols.items()))
    L += ["profile:", "  table: PRO.FILE.PROFILES", "  id: pid", "  traits:"]
    for t, ty in TRAITS.items():
        L.append("    %s: %s" % (t, ty))

    def obj(props):
        parts = []
        for k, ty in props.items():
            if isinstance(ty, dict):
                parts.append("%s: { type: OBJECT, properties: %s }" % (k, obj(ty)))
            else:
                parts.append("%s: %s" % (k, ty))
        return "{ " + ", ".join(parts) + " }"
    L.append("    addr: { type: OBJECT, column: addr_json, properties: %s }" % obj(ADDR))
    L += ["  external_ids:", "    table: PRO.FILE.EXT_IDS", "    id: pid", "    type: id_type",
          "    value: id_value", "  events:", "    table: TRACKS", "    id: pid", "    name: ev",
          "    timestamp: ts", "    properties: props", "    catalog:"]
    for n, props in EVENTS.items():
        L.append("      %s: { %s }" % (y(n), ", ".join("%s: %s" % kv for kv in props.items())))
    L.append("  relationships:")

    def rel(x, ind):
        pad = "  " * ind
        L.append(pad + "- slug: %s" % x.slug)
        L.append(pad + "  entity: %s" % x.entity.slug)
        j = x.join
        if j[0] == "ext":
            L.append(pad + "  external_id: { type: %s, join_key: %s }" % (j[1], j[2]))
        elif j[0] == "trait":
            L.append(pad + "  trait: { name: %s, join_key: %s }" % (j[1], j[2]))
        elif j[0] == "on":
            a = "%s.%s" % (x.parent.entity.slug, j[1])
            b = "%s.%s" % (x.entity.slug, j[2])
            L.append(pad + "  join_on: %s = %s" % ((a, b) if j[3] else (b, a)))
        else:
            L.append(pad + "  junction: { entity: %s, left: %s, right: %s }" % (j[1].slug, j[2], j[3]))
        if x.children:
            L.append(pad + "  relationships:")
            for c in x.children:
                rel(c, ind + 2)
    for x in P.rels:
        rel(x, 2)
    return "\n".join(L) + "\n"
