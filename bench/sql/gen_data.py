#!/usr/bin/env python3
"""bench/sql/gen_data.py — the SQL benchmark's warehouse (an owly-like bank).

usage: gen_data.py sqlite OUT.db      build an SQLite warehouse file
       gen_data.py postgres | psql    print a PostgreSQL load script (COPY)
       gen_data.py postgres --profiles N | psql
                                      the same at N profiles, every size scaled
                                      with it (bench/scale/latency.sh: a few
                                      hundred, so that no statement has work)

Deterministic (seeded): both engines receive exactly the same rows, so the
member sets of an audience can also be compared across engines.  Python 3
stdlib only.  Sizes (scale 1): 100,000 profiles; 1,000,000 entity rows
(120,000 accounts, 150,000 credit cards, 600,000 transactions, 130,000
subscriptions); about 200,000 external-id rows; 1,000,000 events over the
365 days before the reference time NOW (2026-01-15 12:00:00 UTC).

The fan-out part (issue 11 §3): the first 1,000 profiles also hold 2-4
wallets each (a few under their second user id), each wallet 60-140
positions and each position 0-4 trades, so a profile has about 300 rows two
hops down and 600 three hops down (3,000 wallets, about 300,000 positions
and 600,000 trades; a few null keys).  It has its own random stream, so
the tables above are the same rows as before it was added.

Indexes are the ones a data engineer would create: primary keys, every join
key, the external-id (type, value) lookup and its segment_id, and
(segment_id, event, timestamp) on the events.  Both engines are ANALYZEd.
"""
import datetime
import json
import random
import sys

NOW = datetime.datetime(2026, 1, 15, 12, 0, 0)
N_PROFILES = 100_000
N_ACCOUNTS = 120_000
N_CARDS = 150_000
N_TX = 600_000
N_SUBS = 130_000
N_EVENTS = 1_000_000
N_FANOUT = 1_000

FIRST = ["Ada", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gus", "Hana", "Ivo", "Jo",
         "Kim", "Lea", "Max", "Nia", "Oz", "Pia", "Quin", "Rae", "Sam", "Tia"]
MERCHANTS = ["Owly Store", "Grocer", "Coffee Co", "Fuel Stop", "Air Owl", "Book Nook",
             "Pharma", "Cinema", "Hotel Hoot", "Rail", "Taxi", "Market"] + \
            [f"Shop {i}" for i in range(38)]
CARD_NAMES = ["Owly Card", "Owly Card", "Owly Gold", "Basic Card", "Travel Card"]

SCHEMA = [
    # (schema, table, [(column, sqlite type, postgres type)], primary key)
    ("profiles", "PROFILE_TRAITS", [
        ("segment_id", "TEXT", "TEXT"), ("email", "TEXT", "TEXT"), ("first_name", "TEXT", "TEXT"),
        ("ltv", "NUMERIC", "NUMERIC"), ("vip", "INTEGER", "BOOLEAN"),
        ("email_opt_out", "INTEGER", "BOOLEAN"), ("plan", "TEXT", "TEXT"),
        ("created_at", "TEXT", "TIMESTAMP")], "segment_id"),
    ("profiles", "EXTERNAL_ID_MAPPING", [
        ("segment_id", "TEXT", "TEXT"), ("external_id_type", "TEXT", "TEXT"),
        ("external_id_value", "TEXT", "TEXT")], None),
    ("profiles", "TRACKS", [
        ("segment_id", "TEXT", "TEXT"), ("event", "TEXT", "TEXT"),
        ("timestamp", "TEXT", "TIMESTAMP"), ("properties", "TEXT", "JSONB")], None),
    ("bank", "ACCOUNTS", [
        ("id", "TEXT", "TEXT"), ("owner_user_id", "TEXT", "TEXT"), ("name", "TEXT", "TEXT"),
        ("plan", "TEXT", "TEXT"), ("credit_limit", "NUMERIC", "NUMERIC"),
        ("opened_at", "TEXT", "TIMESTAMP")], "id"),
    ("bank", "CREDIT_CARDS", [
        ("id", "TEXT", "TEXT"), ("account_id", "TEXT", "TEXT"), ("name", "TEXT", "TEXT"),
        ("balance", "NUMERIC", "NUMERIC"), ("due_on", "TEXT", "DATE")], "id"),
    ("bank", "TRANSACTIONS", [
        ("id", "TEXT", "TEXT"), ("account_id", "TEXT", "TEXT"), ("amount", "NUMERIC", "NUMERIC"),
        ("merchant", "TEXT", "TEXT"), ("created_at", "TEXT", "TIMESTAMP")], "id"),
    ("bank", "SUBSCRIPTIONS", [
        ("id", "TEXT", "TEXT"), ("account_id", "TEXT", "TEXT"), ("tier", "TEXT", "TEXT"),
        ("status", "TEXT", "TEXT")], "id"),
    ("bank", "WALLETS", [
        ("id", "TEXT", "TEXT"), ("owner_user_id", "TEXT", "TEXT"), ("currency", "TEXT", "TEXT")], "id"),
    ("bank", "POSITIONS", [
        ("id", "TEXT", "TEXT"), ("wallet_id", "TEXT", "TEXT"), ("asset_class", "TEXT", "TEXT"),
        ("quantity", "NUMERIC", "NUMERIC")], None),
    ("bank", "TRADES", [
        ("id", "TEXT", "TEXT"), ("position_id", "TEXT", "TEXT"), ("side", "TEXT", "TEXT"),
        ("amount", "NUMERIC", "NUMERIC"), ("executed_at", "TEXT", "TIMESTAMP")], None),
]

INDEXES = [
    ("EXTERNAL_ID_MAPPING", "xid_type_value", "external_id_type, external_id_value"),
    ("EXTERNAL_ID_MAPPING", "xid_segment", "segment_id"),
    ("TRACKS", "tracks_seg_event_ts", "segment_id, event, timestamp"),
    ("ACCOUNTS", "accounts_owner", "owner_user_id"),
    ("CREDIT_CARDS", "cards_account", "account_id"),
    ("TRANSACTIONS", "tx_account", "account_id"),
    ("SUBSCRIPTIONS", "subs_account", "account_id"),
    ("WALLETS", "wallets_owner", "owner_user_id"),
    ("POSITIONS", "positions_id", "id"),
    ("POSITIONS", "positions_wallet", "wallet_id"),
    ("TRADES", "trades_id", "id"),
    ("TRADES", "trades_position", "position_id"),
]


def scale(profiles):
    """Every size in proportion to profiles (100,000 at scale 1)."""
    global N_PROFILES, N_ACCOUNTS, N_CARDS, N_TX, N_SUBS, N_EVENTS, N_FANOUT
    f = profiles / N_PROFILES
    N_PROFILES, N_ACCOUNTS, N_CARDS, N_TX, N_SUBS, N_EVENTS, N_FANOUT = (
        max(1, round(n * f)) for n in (N_PROFILES, N_ACCOUNTS, N_CARDS, N_TX, N_SUBS, N_EVENTS,
                                       N_FANOUT))


def ts(seconds_ago):
    return (NOW - datetime.timedelta(seconds=seconds_ago)).strftime("%Y-%m-%d %H:%M:%S")


def pick(r, n):
    """A skewed index in [0, n): low indexes are the busy ones."""
    return int(n * r.random() ** 1.7)


def generate():
    """Yield (table, row) with Python values: None, bool, int, str."""
    r = random.Random(20261115)
    year = 365 * 86400
    # profiles and their external ids
    for i in range(1, N_PROFILES + 1):
        sid = f"p{i:06d}"
        ltv = None if r.random() < 0.1 else r.randint(0, 5000)
        vip = None if r.random() < 0.05 else r.random() < 0.1
        opt = None if r.random() < 0.2 else r.random() < 0.1
        u = r.random()
        plan = "free" if u < 0.6 else "pro" if u < 0.85 else "enterprise" if u < 0.9 else None
        yield "PROFILE_TRAITS", (sid, f"user{i}@example.com", r.choice(FIRST), ltv, vip, opt, plan,
                                 ts(r.randint(0, 3 * year)))
        yield "EXTERNAL_ID_MAPPING", (sid, "email", f"user{i}@example.com")
        if r.random() < 0.95:
            yield "EXTERNAL_ID_MAPPING", (sid, "user_id", f"u{i}")
            if r.random() < 0.01:          # the same id listed twice
                yield "EXTERNAL_ID_MAPPING", (sid, "user_id", f"u{i}")
        if r.random() < 0.03:              # a merged profile with a second user id
            yield "EXTERNAL_ID_MAPPING", (sid, "user_id", f"u{N_PROFILES + i}")
    # accounts: owners among the profiles' user ids (some second ids, some unknown)
    for i in range(1, N_ACCOUNTS + 1):
        u = r.random()
        if u < 0.9:
            owner = f"u{1 + pick(r, N_PROFILES)}"
        elif u < 0.95:
            owner = f"u{N_PROFILES + 1 + r.randrange(N_PROFILES)}"
        elif u < 0.99:
            owner = f"u{3 * N_PROFILES + r.randrange(N_PROFILES)}"   # no profile
        else:
            owner = None
        yield "ACCOUNTS", (f"a{i:06d}", owner, f"Account {i}",
                           "business" if r.random() < 0.2 else "personal",
                           r.choice([500, 1000, 2000, 5000, 10000]), ts(r.randint(0, 5 * year)))
    for i in range(1, N_CARDS + 1):
        acc = f"a{1 + pick(r, N_ACCOUNTS):06d}" if r.random() < 0.99 else None
        due = (NOW.date() + datetime.timedelta(days=r.randint(-60, 60))).isoformat()
        yield "CREDIT_CARDS", (f"c{i:06d}", acc, r.choice(CARD_NAMES), r.randint(0, 8000), due)
    for i in range(1, N_TX + 1):
        acc = f"a{1 + pick(r, N_ACCOUNTS):06d}"
        amount = int(r.expovariate(1 / 120)) + 1
        yield "TRANSACTIONS", (f"t{i:07d}", acc, amount,
                               r.choice(MERCHANTS) if r.random() < 0.98 else None,
                               ts(r.randint(0, year)))
    statuses = ["active", "active", "active", "cancelled", "cancelled", "past_due"]
    for i in range(1, N_SUBS + 1):
        acc = f"a{1 + r.randrange(N_ACCOUNTS):06d}"
        yield "SUBSCRIPTIONS", (f"s{i:06d}", acc, "premium" if r.random() < 0.3 else "basic",
                                r.choice(statuses))
    # events: skewed towards busy profiles, 2% from unknown ids
    for _ in range(N_EVENTS):
        if r.random() < 0.02:
            sid = f"x{r.randrange(50000):06d}"
        else:
            sid = f"p{1 + pick(r, N_PROFILES):06d}"
        u = r.random()
        if u < 0.25:
            name = "Order Completed"
            props = {"total": r.randint(5, 300), "currency": "EUR" if r.random() < 0.7 else "USD"}
        elif u < 0.7:
            name = "Product Viewed"
            props = {"product_id": f"sku{r.randrange(2000)}", "price": r.randint(1, 500)}
        elif u < 0.95:
            name = "Signed In"
            props = {}
        else:
            name = "Card Swiped"
            props = {"amount": r.randint(1, 900)}
        yield "TRACKS", (sid, name, ts(r.randint(0, year)), json.dumps(props, separators=(",", ":")))
    yield from fanout(year)


def fanout(year):
    """Wallets, positions and trades of the first N_FANOUT profiles."""
    r = random.Random(20261211)
    classes = ["equity", "equity", "bond", "fund", "crypto"]
    w = pos = tr = 0
    for i in range(1, N_FANOUT + 1):
        for k in range(r.randint(2, 4)):
            w += 1
            owner = f"u{N_PROFILES + i}" if k == 3 else f"u{i}"
            if r.random() < 0.005:
                owner = None
            wid = f"w{w:05d}"
            yield "WALLETS", (wid, owner, r.choice(["EUR", "USD", "CHF"]))
            for _ in range(r.randint(60, 140)):
                pos += 1
                pid = f"q{pos:07d}" if r.random() > 0.002 else None   # a row with no key
                yield "POSITIONS", (pid, wid, r.choice(classes), r.randint(1, 400))
                for _ in range(r.randint(0, 4)):
                    tr += 1
                    tid = f"r{tr:07d}" if r.random() > 0.002 else None
                    yield "TRADES", (tid, pid, "buy" if r.random() < 0.6 else "sell",
                                     int(r.expovariate(1 / 300)) + 1, ts(r.randint(0, year)))


def create_sqlite(path):
    import os
    import sqlite3
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    for _schema, table, cols, pk in SCHEMA:
        defs = ", ".join(f"{c} {st}" + (" PRIMARY KEY" if c == pk else "") for c, st, _ in cols)
        db.execute(f"CREATE TABLE {table} ({defs})")
    batch = {}
    ins = {t: f"INSERT INTO {t} VALUES ({', '.join('?' * len(cols))})" for _, t, cols, _ in SCHEMA}

    def conv(v):
        return int(v) if isinstance(v, bool) else v
    for table, row in generate():
        b = batch.setdefault(table, [])
        b.append(tuple(conv(v) for v in row))
        if len(b) >= 50000:
            db.executemany(ins[table], b)
            b.clear()
    for table, b in batch.items():
        db.executemany(ins[table], b)
    for table, name, cols in INDEXES:
        db.execute(f"CREATE INDEX {name} ON {table} ({cols})")
    db.commit()
    db.execute("ANALYZE")
    db.commit()
    db.close()


def pg_text(v):
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def print_postgres(out):
    out.write("SET client_min_messages = warning;\n")
    for schema in sorted({s for s, _, _, _ in SCHEMA}):
        out.write(f"DROP SCHEMA IF EXISTS {schema} CASCADE;\nCREATE SCHEMA {schema};\n")
    where = {}
    for schema, table, cols, pk in SCHEMA:
        where[table] = schema
        defs = ", ".join(f"{c} {pt}" for c, _, pt in cols)
        out.write(f"CREATE TABLE {schema}.{table} ({defs});\n")
    # COPY each table in turn: the generator interleaves tables, so buffer.
    rows = {}
    for table, row in generate():
        rows.setdefault(table, []).append("\t".join(pg_text(v) for v in row))
    for _schema, table, _cols, _pk in SCHEMA:
        out.write(f"COPY {where[table]}.{table} FROM STDIN;\n")
        out.write("\n".join(rows.pop(table, [])))
        out.write("\n\\.\n")
    for schema, table, cols, pk in SCHEMA:
        if pk:
            out.write(f"ALTER TABLE {schema}.{table} ADD PRIMARY KEY ({pk});\n")
    for table, name, cols in INDEXES:
        out.write(f"CREATE INDEX {name} ON {where[table]}.{table} ({cols});\n")
    out.write("VACUUM ANALYZE;\n")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "sqlite":
        create_sqlite(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "postgres":
        print_postgres(sys.stdout)
    elif len(sys.argv) == 4 and sys.argv[1] == "postgres" and sys.argv[2] == "--profiles":
        scale(int(sys.argv[3]))
        print_postgres(sys.stdout)
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
