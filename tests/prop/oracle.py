#!/usr/bin/python3
"""tests/prop/oracle.py — a brute-force evaluator of audiences (SPEC §3.4).

It reads the generator's Python data and AST (see gen.py) and computes the
members directly, row by row, with nothing in common with the SQL generator:
scopes, reachability through relationships (inner joins, exact keys, R
distinct by primary key), counts and having (nulls ignored, empty aggregates
null, comparisons with null false), two-valued logic, case-sensitive
wildcard-free strings, time windows relative to `now`, entity-targeted
audiences (some associated profile) and dynamic references; values inside
JSON read by the SPEC rule (json_read), rows with a null key left out.
"""
import datetime as dt
import json
import re
from fractions import Fraction

from gen import UNITS, ADDR, TRAITS, EVENTS, Raw


# ------------------------------------------------------------------ values
def num(v):
    return None if v is None else Fraction(v)


def norm(v, ty):
    """A stored value (generator form) as a comparable Python value."""
    if v is None:
        return None
    if ty == "NUMBER":
        return Fraction(v)
    return v


# SPEC §3.4 "Values inside JSON": a scalar is read through its text form;
# text that is not a literal of the declared type is null.
NUMBER_RE = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
HMS = r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TIME_RE = re.compile(HMS)
TIMESTAMP_RE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ T](" + HMS + r")(\.[0-9]+)?Z?")


def json_text(x):
    """The text form of a JSON value: None for null, objects and arrays."""
    if x is None or isinstance(x, (dict, list)):
        return None
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, (int, float)):
        return json.dumps(x)
    return x


def json_read(x, ty):
    """A raw JSON value read as declared type ty (generator form), or None."""
    t = json_text(x)
    if t is None:
        return None
    if ty == "STRING":
        return t
    if ty == "NUMBER":
        return Fraction(t) if NUMBER_RE.fullmatch(t) else None
    if ty == "BOOLEAN":
        return {"true": True, "false": False}.get(t)
    if ty == "TIME":
        return t if TIME_RE.fullmatch(t) else None
    try:
        if ty == "DATE":
            return dt.date.fromisoformat(t) if DATE_RE.fullmatch(t) else None
        m = TIMESTAMP_RE.fullmatch(t)
        if not m:
            return None
        v = dt.datetime.fromisoformat(m.group(1) + " " + m.group(2))
        if m.group(4):
            v += dt.timedelta(microseconds=round(float("0" + m.group(4)) * 1e6))
        return v
    except ValueError:   # not a real calendar value
        return None


def val(v, ty):
    """A stored value (generator form or Raw JSON) as a comparable value."""
    if isinstance(v, Raw):
        return norm(json_read(v.v, ty), ty)
    return norm(v, ty)


def compare(a, op, b):
    if a is None or b is None:
        return False
    return {"=": a == b, "!=": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


def delta(n, unit):
    return dt.timedelta(seconds=n * UNITS[unit])


class Env:
    """Where a predicate is evaluated: the scope row, the enclosing entity
    rows by slug (dynamic references) and the profile (trait references)."""

    def __init__(self, profile, rows, coltypes, getter):
        self.profile = profile     # dict or None
        self.rows = rows           # slug -> (row, cols)
        self.coltypes = coltypes   # types of the scope's columns
        self.get = getter          # column -> stored value


class Oracle:
    def __init__(self, P):
        self.P = P
        self.now = P.now
        self.today = P.now.date()
        self.ents = {e.slug: e for e in P.entities}
        # an entity row whose primary key is null does not exist
        self.rows = {e.slug: [r for r in e.rows if r["id"] is not None] for e in P.entities}
        self.profile_ids = {p["id"] for p in P.profiles}
        self.by_name = {a[0]: a for a in P.audiences}
        self.cache = {}

    # ---------------------------------------------------------- traits
    def trait(self, p, tpath):
        """(value, type) of a profile trait, nested keys followed in the JSON."""
        if len(tpath) == 1 and tpath[0] in TRAITS:
            ty = TRAITS[tpath[0]]
            return norm(p[tpath[0]], ty), ty
        v, ty = p["addr"], ADDR
        for k in tpath[1:]:
            v = v.get(k) if isinstance(v, dict) else None
            ty = ty[k]
        if isinstance(ty, dict):
            return v, "OBJECT"
        return val(v, ty), ty

    # ---------------------------------------------------------- predicates
    def operand(self, o, env):
        if o[0] == "lit":
            return norm(o[2], o[1])
        if o[0] == "trait":
            return self.trait(env.profile, o[1])[0]
        row, cols = env.rows[o[1]]
        return val(row.get(o[2]), cols[o[2]])

    def pred(self, v, ty, p, env):
        k = p[0]
        if k == "isnull":
            return v is None
        if k == "notnull":
            return v is not None
        if v is None:
            return False
        if k == "cmp":
            return compare(v, p[1], self.operand(p[2], env))
        if k in ("contains", "ncontains", "starts", "ends"):
            o = self.operand(p[1], env)
            if o is None:
                return False
            return {"contains": o in v, "ncontains": o not in v, "starts": v.startswith(o),
                    "ends": v.endswith(o)}[k]
        if k in ("in", "nin"):
            vals = [self.operand(x, env) for x in p[1]]
            return (v in vals) if k == "in" else (v not in vals)
        if k == "between":
            return self.operand(p[1], env) <= v <= self.operand(p[2], env)
        n, unit = p[1], p[2]
        if ty == "DATE":
            now, d = self.today, dt.timedelta(days=n * (7 if unit.startswith("week") else 1))
        else:
            now, d = self.now, delta(n, unit)
        if k == "within_last":
            return now - d <= v <= now
        if k == "within_next":
            return now <= v <= now + d
        if k == "before_last":
            return v < now - d
        if k == "after_next":
            return v > now + d
        raise ValueError(k)

    # ---------------------------------------------------------- reachability
    def hop(self, rel, scope_rows, profile=None):
        """Rows of rel.entity reachable from the scope rows (or the profile)."""
        ent = rel.entity
        j = rel.join
        out = {}
        if j[0] == "ext":
            vals = {v for (pid, t, v) in self.P.extids if pid == profile["id"] and t == j[1]
                    and v is not None}
            for row in self.rows[ent.slug]:
                if row.get(j[2]) is not None and row[j[2]] in vals:
                    out[row["id"]] = row
        elif j[0] == "trait":
            tv = profile[j[1]]
            for row in self.rows[ent.slug]:
                if tv is not None and row.get(j[2]) == tv:
                    out[row["id"]] = row
        elif j[0] == "on":
            for s in scope_rows:
                pv = s.get(j[1])
                if pv is None:
                    continue
                for row in self.rows[ent.slug]:
                    if row.get(j[2]) == pv:
                        out[row["id"]] = row
        else:
            _, jent, left, right = j
            for s in scope_rows:
                for jr in self.rows[jent.slug]:
                    if jr.get(left) is None or jr.get(left) != s["id"] or jr.get(right) is None:
                        continue
                    for row in self.rows[ent.slug]:
                        if row["id"] == jr[right]:
                            out[row["id"]] = row
        return list(out.values())

    def reach(self, path, scope_row, profile):
        rows = [scope_row] if scope_row is not None else []
        for rel in path:
            rows = self.hop(rel, rows, profile)
        return rows

    def associated(self, target):
        """target row pk -> (row, [profiles]) for an entity-targeted audience."""
        key = ("assoc", target.slug)
        if key not in self.cache:
            m = {}
            path = target.path()
            for p in self.P.profiles:
                for row in self.reach(path, None, p):
                    m.setdefault(row["id"], (row, []))[1].append(p)
            self.cache[key] = m
        return self.cache[key]

    # ---------------------------------------------------------- counts/having
    def count_ok(self, cnt, n):
        if cnt is None:
            return n >= 1
        k, c = cnt
        return n >= c if k == "least" else n <= c if k == "most" else n == c

    def having_ok(self, h, rows, types, getter):
        if h is None:
            return True
        agg, col, op, litv = h
        want = norm(litv[2], litv[1])
        if agg == "count":
            return compare(Fraction(len(rows)), op, want)
        ty = types[col]
        vals = [val(getter(r, col), ty) for r in rows]
        vals = [v for v in vals if v is not None]
        if not vals:
            return False
        if agg == "sum":
            v = sum(vals)
        elif agg == "avg":
            v = Fraction(sum(vals), len(vals))
        elif agg == "min":
            v = min(vals)
        else:
            v = max(vals)
        return compare(v, op, want)

    # ---------------------------------------------------------- conditions
    def block(self, b, S):
        return all(self.expr(e, S) for e in b[1])

    def expr(self, e, S):
        k = e[0]
        if k == "all":
            return all(self.expr(x, S) for x in e[1])
        if k == "any":
            return any(self.expr(x, S) for x in e[1])
        if k == "not":
            return not self.expr(e[1], S)
        if k == "paren":
            return self.expr(e[1], S)
        if k == "and":
            return self.expr(e[1], S) and self.expr(e[2], S)
        if k == "or":
            return self.expr(e[1], S) or self.expr(e[2], S)
        neg = e[1] if k in ("entity", "trait", "event", "partof") else False
        return self.cond(e, S) != neg

    def cond(self, e, S):
        """S: dict(kind='profile'|'target'|'entity', profile, row, rel, rows, aud)"""
        k = e[0]
        if k == "col":
            env = Env(S.get("profile"), S["rows"], S["cols"], None)
            v = val(S["row"].get(e[1]), S["cols"][e[1]])
            return self.pred(v, S["cols"][e[1]], e[2], env)
        if k in ("trait", "event") and S["kind"] == "target":
            # some associated profile satisfies it
            return any(self.cond(e, {"kind": "profile", "profile": p, "rows": {}})
                       for p in S["profiles"])
        if k == "trait":
            v, ty = self.trait(S["profile"], e[2])
            if e[3] is None:
                return v is not None
            env = Env(S["profile"], {}, None, None)
            return self.pred(v, ty, e[3], env)
        if k == "event":
            _, _, name, cnt, win, block, having = e
            p = S["profile"]
            props_ty = EVENTS[name]
            F = []
            for (pid, ename, ts, props) in self.P.events:
                if pid != p["id"] or ename != name:
                    continue
                if win is not None:
                    if ts is None:
                        continue
                    if win[0] == "last":
                        lo, hi = self.now - delta(win[1], win[2]), self.now
                    else:
                        lo, hi = self.now - delta(win[2], win[3]), self.now - delta(win[1], win[3])
                    if not lo <= ts <= hi:
                        continue
                row = props if isinstance(props, dict) else {}
                if block is not None:
                    ES = {"kind": "event", "profile": p, "row": row, "cols": props_ty, "rows": {}}
                    if not self.block(block, ES):
                        continue
                F.append(row)
            return self.count_ok(cnt, len(F)) and \
                self.having_ok(having, F, props_ty, lambda r, c: r.get(c))
        if k == "partof":
            _, _, name, _ = e
            members = self.members(name)
            if S["kind"] == "target":
                return S["row"]["id"] in members
            return S["profile"]["id"] in members
        if k == "entity":
            _, _, path, cnt, block, having = e
            if S["kind"] == "profile":
                R = self.reach(path, None, S["profile"])
            else:
                R = self.reach(path, S["row"], None)
            last = path[-1]
            F = []
            for row in R:
                if block is not None:
                    rows = dict(S["rows"])
                    rows[last.slug] = (row, last.entity.cols)
                    ES = {"kind": "entity", "profile": S.get("profile") if S["kind"] != "target"
                          else None, "row": row, "cols": last.entity.cols, "rows": rows}
                    if not self.block(block, ES):
                        continue
                F.append(row)
            return self.count_ok(cnt, len(F)) and \
                self.having_ok(having, F, last.entity.cols, lambda r, c: r.get(c))
        raise ValueError(k)

    # ---------------------------------------------------------- audiences
    def members(self, name):
        if name in self.cache:
            return self.cache[name]
        _, target, where = self.by_name[name]
        out = set()
        if target is None:
            for p in self.P.profiles:
                if self.block(where, {"kind": "profile", "profile": p, "rows": {}}):
                    out.add(p["id"])
        else:
            for pk, (row, profiles) in self.associated(target).items():
                S = {"kind": "target", "row": row, "cols": target.entity.cols,
                     "rows": {target.slug: (row, target.entity.cols)}, "profiles": profiles}
                if self.block(where, S):
                    out.add(pk)
        self.cache[name] = out
        return out
