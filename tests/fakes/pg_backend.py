#!/usr/bin/python3
"""tests/fakes/pg_backend.py — what the HTTP warehouse fakes (Snowflake,
BigQuery, Databricks) share: their statements run, rewritten by rewrite.py,
on the test PostgreSQL, as asynchronous jobs they can poll and cancel; and
the little HTTP server set-up every fake repeats.  Test code only.

    import pg_backend
    be = pg_backend.Backend(dsn, "snowflake")       # installs rewrite.PRELUDE
    be = pg_backend.Backend(dsn, "snowflake", latency=0.2, count_file=F)
                       # each statement of a job done 0.2 s after the previous
                       # one (the first after submit), its own work within; F holds
                       # "requests N\nstatements M\n", rewritten as jobs end
    job = be.submit(sql_text, delay=0.0)            # runs in a thread
    job.wait(timeout)  -> True when finished
    job.state          "running" | "succeeded" | "failed" | "cancelled"
    job.results        [Result] (one per statement) when succeeded
    job.error          SqlError when failed (sqlstate, message, construct,
                       line and col of the failing name in the job's text)
    job.cancel()       cancels the running PostgreSQL statement
    pg_backend.serve(handler_cls, port_file, lifetime)

A warehouse's "last altered" time of a table (lac's last_altered) is kept
in PRELUDE's lac_rewrite.altered: every table that exists when a fake
starts is noted as changed then (the fake cannot know of earlier changes),
and every table a script names as written (INSERT, UPDATE, DELETE, MERGE,
TRUNCATE, CREATE/DROP/ALTER TABLE) when the script ends.  A change made
behind the fake's back (psql) is not seen until the fake starts again.

Every job runs on its own PostgreSQL connection in autocommit mode, so a
request is a session as the vendors' stateless APIs have it; a script's own
BEGIN … COMMIT (as rewritten) is its transaction, rolled back when a
statement fails or the job is cancelled.  Values come back as PostgreSQL's
text output (no Python conversion), with each column's PostgreSQL type name:
the fakes turn both into their vendor's shapes.
"""
import os
import re
import ssl
import threading
import time
from http.server import ThreadingHTTPServer

import psycopg2
import psycopg2.extensions

import rewrite

# Every type a result can hold is returned as PostgreSQL's text form.
_TEXT_OIDS = (16, 17, 18, 19, 20, 21, 23, 25, 26, 114, 700, 701, 1042, 1043, 1082,
              1083, 1114, 1184, 1186, 1266, 1700, 2950, 3802,
              1000, 1005, 1007, 1009, 1015, 1016, 1021, 1022, 1115, 1182, 1185, 1231, 3807)
_RAW = psycopg2.extensions.new_type(_TEXT_OIDS, "LAC_RAW_TEXT", lambda v, cur: v)


class SqlError(Exception):
    """A statement the fake refuses: PostgreSQL's error, or a construct the
    rewrite table does not cover (sqlstate None, construct set)."""

    def __init__(self, message, sqlstate=None, construct=None, statement=None):
        super().__init__(message)
        self.message = message
        self.sqlstate = sqlstate
        self.construct = construct
        self.statement = statement
        # where the vendor would point: line and column (from 1) in the
        # text the client sent, or None
        self.line = self.col = None


_NAME_AT = re.compile(r'[A-Za-z0-9_."`]+')


def locate(original, rewritten, position):
    """(line, col), from 1, in original of the name at PostgreSQL's error
    position (characters from 1) in rewritten, its statement as rewritten,
    or None.  The rewrite moves text around, so this is approximate: the
    name's first occurrence in original (quotes and case aside)."""
    if not position:
        return None
    m = _NAME_AT.match(rewritten, int(position) - 1)
    parts = [p for p in re.split(r'[."`]+', m.group(0)) if p] if m else []
    if not parts:
        return None
    q = '["`]?'
    pat = r'(?<![A-Za-z0-9_])' + r'\.'.join(q + re.escape(p) + q for p in parts) + r'(?![A-Za-z0-9_])'
    found = re.search(pat, original, re.I)
    if not found:
        return None
    before = original[:found.start()]
    return before.count("\n") + 1, found.start() - (before.rfind("\n") + 1) + 1


# the words between a writing verb and the table it writes
_WRITE_FILLER = {"INTO", "OVERWRITE", "TABLE", "FROM", "OR", "REPLACE", "IF", "NOT", "EXISTS",
                 "TEMP", "TEMPORARY", "TRANSIENT"}


def _name_at(toks, i):
    """(schema, table) lower-cased from the dotted name at toks[i], or None."""
    parts = []
    while i < len(toks) and toks[i].kind in ("word", "ident"):
        parts += (toks[i].value if toks[i].kind == "ident" else toks[i].text).split(".")
        if i + 1 < len(toks) and toks[i + 1].is_op("."):
            i += 2
        else:
            break
    return tuple(p.lower() for p in parts[-2:]) if len(parts) >= 2 else None


def written_tables(text, dialect):
    """The (schema, table) pairs a script writes, by its statements' verbs."""
    out = set()
    try:
        stmts = rewrite.split_statements(text, dialect)
    except Exception:
        return out
    for toks in stmts:
        words = [t.text.upper() if t.kind == "word" else "" for t in toks]
        if not words or words[0] not in ("INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE",
                                         "CREATE", "DROP", "ALTER"):
            continue
        i = 1
        while i < len(words) and words[i] in _WRITE_FILLER:
            i += 1
        if words[0] in ("CREATE", "DROP", "ALTER") and "TABLE" not in words[1:i]:
            continue
        names = [_name_at(toks, i)]
        # ALTER TABLE a SWAP WITH b, ALTER TABLE a RENAME TO b
        names += [_name_at(toks, j + 1) for j in range(1, len(words))
                  if words[j] in ("WITH", "TO") and words[j - 1] in ("SWAP", "RENAME")]
        out.update(n for n in names if n)
    return out


def note_altered(cur, tables):
    for schema, table in sorted(tables):
        cur.execute("INSERT INTO lac_rewrite.altered VALUES (%s, %s, clock_timestamp())"
                    " ON CONFLICT (table_schema, table_name) DO UPDATE SET at = EXCLUDED.at",
                    (schema, table))


class Result:
    """One statement's outcome: columns [(name, pg_type_name)], rows of text or None."""

    def __init__(self, columns, rows, rowcount):
        self.columns = columns
        self.rows = rows
        self.rowcount = rowcount


class Job:
    def __init__(self, backend, text, delay):
        self.backend = backend
        self.text = text
        self.delay = delay
        self.state = "running"
        self.results = []
        self.error = None
        self.started = time.time()
        self._submitted = time.monotonic()
        self._conn = None
        self._cancelled = threading.Event()
        self._done = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self._run, daemon=True).start()

    def wait(self, timeout=None):
        return self._done.wait(timeout)

    def cancel(self):
        with self._lock:
            if self.state != "running":
                return False
            self._cancelled.set()
            if self._conn is not None:
                self._conn.cancel()
        return True

    def _finish(self, state, error=None):
        with self._lock:
            if self._cancelled.is_set():
                state, error = "cancelled", None
            self.state = state
            self.error = error
        self._done.set()

    def _run(self):
        try:
            stmts = rewrite.rewrite_script(self.text, self.backend.dialect)
        except rewrite.Unsupported as e:
            self._finish("failed", SqlError(str(e), construct=e.construct))
            return
        if self.delay and self._cancelled.wait(self.delay):
            self._finish("cancelled")
            return
        try:
            conn = self.backend.connect()
        except psycopg2.Error as e:
            self._finish("failed", SqlError(str(e).strip(), e.pgcode))
            return
        with self._lock:
            self._conn = conn
        results, error, ran = [], None, 0
        try:
            cur = conn.cursor()
            due = self._submitted + (self.delay or 0)
            for s in stmts:
                ran += 1
                try:
                    cur.execute(s)
                    if cur.description is not None:
                        cols = [(d.name, self.backend.type_name(d.type_code)) for d in cur.description]
                        results.append(Result(cols, [list(r) for r in cur.fetchall()], cur.rowcount))
                    else:
                        results.append(Result([], [], cur.rowcount))
                except psycopg2.Error as e:
                    error = SqlError(e.diag.message_primary or str(e).strip(), e.pgcode, statement=s)
                    at = locate(self.text, s, e.diag.statement_position)
                    if at:
                        error.line, error.col = at
                # a remote warehouse's fixed latency: each statement done that
                # long after the previous one (the first after the submission),
                # the fake's own work (connecting, running it) within it; cancellable
                if self.backend.latency:
                    due += self.backend.latency
                    if self._cancelled.wait(max(0.0, due - time.monotonic())):
                        break
                if error is not None:
                    break
        finally:
            with self._lock:
                self._conn = None
            try:
                # a script cut short inside its BEGIN leaves nothing behind
                if conn.get_transaction_status() != psycopg2.extensions.TRANSACTION_STATUS_IDLE:
                    conn.cursor().execute("ROLLBACK")
                # a failed script may have committed some: noted all the same
                note_altered(conn.cursor(), written_tables(self.text, self.backend.dialect))
            except psycopg2.Error:
                pass
            conn.close()
            self.backend.count(ran)
        if error is not None:
            self._finish("failed", error)
        else:
            self.results = results
            self._finish("succeeded")


class Backend:
    """The test PostgreSQL as one warehouse of `dialect`."""

    def __init__(self, dsn, dialect, latency=0.0, count_file=None):
        self.dsn = dsn
        self.dialect = dialect
        self.latency = latency
        self._count_file = count_file
        self._counts = [0, 0]  # requests, statements run
        self._count_lock = threading.Lock()
        self._types = {}
        conn = self.connect()
        cur = conn.cursor()
        cur.execute(rewrite.PRELUDE)
        # what changed before the fake started, it cannot tell: now, at the latest
        cur.execute("SELECT lower(table_schema), lower(table_name) FROM information_schema.tables"
                    " WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'lac_rewrite')")
        note_altered(cur, set(cur.fetchall()))
        cur.execute("SELECT oid, typname FROM pg_type")
        self._types = {int(oid): name for oid, name in cur.fetchall()}
        conn.close()

    def connect(self):
        conn = psycopg2.connect(self.dsn)
        conn.autocommit = True
        psycopg2.extensions.register_type(_RAW, conn)
        return conn

    def count(self, statements):
        """One request done, with this many statements run: into count_file
        (whole, by rename), for a benchmark to read."""
        if not self._count_file:
            return
        with self._count_lock:
            self._counts[0] += 1
            self._counts[1] += statements
            tmp = self._count_file + ".tmp"
            with open(tmp, "w") as f:
                f.write("requests %d\nstatements %d\n" % tuple(self._counts))
            os.rename(tmp, self._count_file)

    def type_name(self, oid):
        return self._types.get(oid, "text")

    def submit(self, text, delay=0.0):
        return Job(self, text, delay)


def serve(handler_cls, port_file, lifetime, tls=None):
    """Serve handler_cls on 127.0.0.1 (a free port, written to port_file
    once listening) until lifetime seconds have passed; over HTTPS when tls
    is (certificate file, key file)."""
    # http.server writes headers and body apart: without TCP_NODELAY every
    # answer waits ~40 ms for the client's delayed ACK
    handler_cls.disable_nagle_algorithm = True
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
    srv.daemon_threads = True
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*tls)
        # a client that refuses the certificate fails the handshake in
        # accept(), an OSError the server shrugs off
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_port)
    os.rename(tmp, port_file)
    threading.Timer(lifetime, srv.shutdown).start()
    srv.serve_forever()
