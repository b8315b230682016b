#!/usr/bin/python3
"""tests/fakes/fake_databricks.py — a fake Databricks workspace on 127.0.0.1
for lac's Databricks connector (src/warehouse/warehouse_databricks.c): the
SQL Statement Execution API 2.0 as a state machine, its statements answered
with real rows from the test PostgreSQL through tests/fakes/rewrite.py
(pg_backend.py).  Test code only: Python's standard library and pg_backend.

The pages each behaviour follows (Databricks REST API reference,
"Statement Execution", https://docs.databricks.com/api/workspace/statementexecution):
  [execute]  POST /api/2.0/sql/statements ("Execute a SQL statement")
  [get]      GET  /api/2.0/sql/statements/{id} ("Get status, manifest, and result first chunk")
  [chunk]    GET  /api/2.0/sql/statements/{id}/result/chunks/{n} ("Get result chunk by index")
  [cancel]   POST /api/2.0/sql/statements/{id}/cancel ("Cancel statement execution")
  [m2m]      POST /oidc/v1/token (https://docs.databricks.com/aws/en/dev-tools/auth/oauth-m2m)
  [errors]   https://docs.databricks.com/api/workspace/statementexecution (error
             bodies {"error_code", "message"}; 400, 401, 403, 404, 429, 500, 503;
             a failing name placed as Spark does, "; line L pos P", P from 0)
External links are served by this server too, under /links/ (in Databricks a
cloud store's presigned URL, which takes no Authorization header).

    fake_databricks.py --dsn DSN --port-file F --log F --token T
        [--client-id I --client-secret S] [--warehouse-id W]
        [--control F] [--rows-per-chunk N] [--lifetime S]

Each request is logged as one JSON line to --log: {"method", "path" (the
links' query cut off: it holds their credential), "status", "statement"
(the SQL of a submission), "tags", "disposition", "why"}.

Fault knobs: --control names a JSON file the test (re)writes; it is read on
each request, and its counts start again whenever the file changes:
  {"submit_429": N, "submit_503": N}   the next N submissions answered so
                                        (no statement created) [errors]
  "retry_after": S                      with Retry-After: S (else none)
  "poll_500": N                         the next N status polls answered 500
  "reset_chunk": N                      the next N link downloads cut mid-body
  "expire_links": N                     the next N link downloads refused as expired
  "short_chunk": N                      the next N link downloads lack their last row
  "delay": S, "delay_match": TEXT       statements containing TEXT run S seconds longer
  "deny_match": TEXT                    statements containing TEXT fail like a missing grant
                                        (and never run)
  "lost_match": TEXT                    statements containing TEXT run, but are reported
                                        FAILED (an answer lost, a cancel that lost the race)
  "inline_limit": BYTES                 the INLINE cap (default 25 MiB) [execute]
  "link_ttl": S                         the links' lifetime (default 900 s)
"""
import argparse
import base64
import json
import os
import secrets
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pg_backend  # noqa: E402

API = "/api/2.0/sql/statements"
INLINE_LIMIT = 25 * 1024 * 1024   # [execute]: "INLINE ... result > 25 MiB ⇒ the statement fails"
LOCK = threading.Lock()
ARGS = None
BACKEND = None
STATEMENTS = {}                   # id -> Statement
TOKENS = set()                    # accepted bearer tokens (the PAT, the minted M2M ones)
CONTROL = {"stamp": None, "knobs": {}, "left": {}}

# PostgreSQL's SQLSTATE as the error class Databricks puts in brackets
# before its message (GUESS: the class names are Databricks' own, the
# mapping is the fake's)
ERROR_CLASS = {"42P01": "TABLE_OR_VIEW_NOT_FOUND", "42703": "UNRESOLVED_COLUMN",
               "42601": "PARSE_SYNTAX_ERROR", "42501": "INSUFFICIENT_PERMISSIONS",
               "23505": "DELTA_DUPLICATE_KEY", "22012": "DIVIDE_BY_ZERO"}


def knobs():
    """The control file's knobs, re-read when it changed (counts restart)."""
    path = ARGS.control
    try:
        st = os.stat(path) if path else None
    except OSError:
        st = None
    stamp = (st.st_mtime_ns, st.st_size) if st else None
    with LOCK:
        if stamp != CONTROL["stamp"]:
            CONTROL["stamp"] = stamp
            try:
                with open(path) as f:
                    CONTROL["knobs"] = json.load(f) if st else {}
            except (OSError, ValueError):
                CONTROL["knobs"] = {}
            CONTROL["left"] = {}
        return CONTROL["knobs"]


def take(name):
    """Use one of knob name's count; True while any was left."""
    k = knobs()
    with LOCK:
        left = CONTROL["left"].setdefault(name, int(k.get(name, 0)))
        if left <= 0:
            return False
        CONTROL["left"][name] = left - 1
        return True


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000)


class DeniedJob:
    """The job of a statement refused for a missing grant: it never ran."""
    state, results, error = "failed", [], None

    def wait(self, timeout=None):
        return True

    def cancel(self):
        return False


class Statement:
    def __init__(self, body, job):
        self.id = str(uuid.uuid4())
        self.body = body
        self.job = job
        self.polled = False
        self.denied = None
        self.lost = False
        self.links = {}           # chunk index -> (secret, expires at)
        self.chunks = None        # [(rows, json text)] once succeeded


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # headers and body leave in two writes: without this, Nagle's
        # algorithm holds the body for the client's delayed ACK (~40 ms)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        pass

    def log(self, status, why="", **more):
        rec = {"method": self.command, "path": self.path.split("?")[0], "status": status,
               "why": why}
        rec.update(more)
        with LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps(rec) + "\n")

    def send_body(self, status, body, ctype="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def reply(self, status, doc, why="", headers=(), **more):
        self.log(status, why, **more)
        self.send_body(status, json.dumps(doc).encode(), headers=headers)

    def error(self, status, code, message, headers=(), **more):
        # [errors]: {"error_code": ..., "message": ...}
        self.reply(status, {"error_code": code, "message": message}, message, headers, **more)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def authorized(self):
        """Bearer PAT or M2M token (docs: "Authentication for Databricks
        automation"); GUESS for the exact refusal texts."""
        auth = self.headers.get("Authorization")
        if not auth:
            self.error(401, "UNAUTHENTICATED", "No access token was provided.")
            return False
        if not auth.startswith("Bearer ") or auth[7:] not in TOKENS:
            self.error(403, "PERMISSION_DENIED", "Invalid access token.")
            return False
        return True

    # -- routing -----------------------------------------------------------------------

    def do_POST(self):
        body = self.read_body()
        path = self.path.rstrip("/")
        if path == "/oidc/v1/token":
            return self.token(body)
        if not self.authorized():
            return
        if path == API:
            return self.execute(body)
        parts = path[len(API) + 1:].split("/") if path.startswith(API + "/") else []
        if len(parts) == 2 and parts[1] == "cancel":
            return self.cancel(parts[0])
        self.error(404, "ENDPOINT_NOT_FOUND", "No API found for 'POST %s'" % path)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path.startswith("/links/"):
            return self.link(path)
        if not self.authorized():
            return
        parts = path[len(API) + 1:].split("/") if path.startswith(API + "/") else []
        if len(parts) == 1:
            return self.status(parts[0])
        if len(parts) == 4 and parts[1:3] == ["result", "chunks"] and parts[3].isdigit():
            return self.chunk(parts[0], int(parts[3]))
        self.error(404, "ENDPOINT_NOT_FOUND", "No API found for 'GET %s'" % path)

    # -- [m2m] ------------------------------------------------------------------------------

    def token(self, body):
        form = dict(urllib.parse.parse_qsl(body.decode()))
        want = "Basic " + base64.b64encode(
            ("%s:%s" % (ARGS.client_id, ARGS.client_secret)).encode()).decode()
        if not ARGS.client_id or self.headers.get("Authorization") != want:
            self.log(401, "bad client credentials")
            return self.send_body(401, json.dumps({"error": "invalid_client",
                                                   "error_description": "Client authentication failed"}).encode())
        if form.get("grant_type") != "client_credentials" or form.get("scope") != "all-apis":
            self.log(400, "bad grant or scope")
            return self.send_body(400, json.dumps({"error": "invalid_request"}).encode())
        tok = "m2m-" + secrets.token_hex(16)
        with LOCK:
            TOKENS.add(tok)
        # logged: tests/faults/secrets_connectors.sh looks for it in what lac wrote
        self.log(200, "token minted", access_token=tok)
        self.send_body(200, json.dumps({"access_token": tok, "token_type": "Bearer",
                                        "expires_in": 3600}).encode())

    # -- [execute] ----------------------------------------------------------------------------

    def execute(self, raw):
        try:
            body = json.loads(raw)
        except ValueError:
            return self.error(400, "MALFORMED_REQUEST", "Request body is not JSON")
        k = knobs()
        extra = {"statement": body.get("statement"), "tags": body.get("query_tags"),
                 "disposition": body.get("disposition")}
        # 429/503 before any statement exists: the one case a client may resubmit
        for code, name in ((429, "submit_429"), (503, "submit_503")):
            if take(name):
                hdr = [("Retry-After", str(k["retry_after"]))] if "retry_after" in k else []
                return self.error(code, "TEMPORARILY_UNAVAILABLE" if code == 503 else "RESOURCE_EXHAUSTED",
                                  "injected %d" % code, hdr, **extra)
        if body.get("warehouse_id") != ARGS.warehouse_id:
            # a wrong warehouse_id (GUESS: the text; the code is the reference's)
            return self.error(404, "RESOURCE_DOES_NOT_EXIST",
                              "Warehouse %s does not exist." % body.get("warehouse_id"), **extra)
        stmt = body.get("statement")
        if not isinstance(stmt, str) or not stmt.strip():
            return self.error(400, "INVALID_PARAMETER_VALUE", "statement is required", **extra)
        wait = body.get("wait_timeout", "10s")
        secs = int(wait[:-1]) if wait.endswith("s") and wait[:-1].isdigit() else -1
        if secs != 0 and not 5 <= secs <= 50:
            # [execute]: wait_timeout is 0s, or 5s to 50s
            return self.error(400, "INVALID_PARAMETER_VALUE",
                              "wait_timeout must be 0s or between 5s and 50s", **extra)
        if body.get("on_wait_timeout", "CONTINUE") not in ("CONTINUE", "CANCEL"):
            return self.error(400, "INVALID_PARAMETER_VALUE", "bad on_wait_timeout", **extra)
        disp, fmt = body.get("disposition", "INLINE"), body.get("format", "JSON_ARRAY")
        if disp not in ("INLINE", "EXTERNAL_LINKS") or fmt not in ("JSON_ARRAY", "ARROW_STREAM", "CSV") \
                or (disp == "INLINE" and fmt != "JSON_ARRAY"):
            # [execute]: INLINE takes JSON_ARRAY only; the fake serves JSON_ARRAY
            return self.error(400, "INVALID_PARAMETER_VALUE",
                              "disposition %s with format %s" % (disp, fmt), **extra)
        if fmt != "JSON_ARRAY":
            return self.error(400, "INVALID_PARAMETER_VALUE", "the fake serves JSON_ARRAY only", **extra)
        delay = float(k.get("delay", 0)) if k.get("delay_match", "\0") in stmt else 0.0
        denied = k.get("deny_match") and k["deny_match"] in stmt
        # a denied statement never runs: it fails as Databricks' check of grants would
        s = Statement(body, DeniedJob() if denied else BACKEND.submit(stmt, delay=delay))
        s.denied = k["deny_match"] if denied else None
        s.lost = bool(k.get("lost_match")) and k["lost_match"] in stmt
        with LOCK:
            STATEMENTS[s.id] = s
        if secs:
            s.job.wait(secs)   # hybrid mode: wait up to wait_timeout, then answer
            if s.job.state == "running" and body.get("on_wait_timeout") == "CANCEL":
                s.job.cancel()
                s.job.wait(5)
        self.reply(200, self.response(s), **extra)

    def response(self, s):
        """[get] StatementResponse: PENDING before its first poll, RUNNING,
        then SUCCEEDED (manifest + the first chunk), FAILED (HTTP 200 with
        status.error), CANCELED."""
        doc = {"statement_id": s.id}
        state = s.job.state
        if state == "running":
            doc["status"] = {"state": "RUNNING" if s.polled else "PENDING"}
        elif state == "cancelled":
            doc["status"] = {"state": "CANCELED"}
        elif state == "failed" or s.denied:
            doc["status"] = {"state": "FAILED", "error": self.failure(s)}
        elif s.lost:
            doc["status"] = {"state": "FAILED", "error": {
                "error_code": "TEMPORARILY_UNAVAILABLE", "message": "injected: ran, reported failed"}}
        else:
            err = self.prepare(s)
            if err:
                doc["status"] = {"state": "FAILED", "error": err}
            else:
                doc["status"] = {"state": "SUCCEEDED"}
                doc["manifest"] = self.manifest(s)
                if s.chunks:
                    doc["result"] = self.result(s, 0)
        return doc

    def failure(self, s):
        if s.denied:
            # a missing grant (GUESS: Databricks' wording of INSUFFICIENT_PERMISSIONS)
            return {"error_code": "PERMISSION_DENIED",
                    "message": "[INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not "
                               "have SELECT on Table '%s'." % s.denied}
        e = s.job.error
        if e.construct:
            # not covered by the rewrite table: the vendor's shape, naming it
            return {"error_code": "BAD_REQUEST",
                    "message": "[UNSUPPORTED_FEATURE] %s" % e.message}
        cls = ERROR_CLASS.get(e.sqlstate, "SQLSTATE_%s" % (e.sqlstate or "XX000"))
        # the failing name's place as Spark writes it (pos from 0)
        where = "; line %d pos %d" % (e.line, e.col - 1) if e.line else ""
        return {"error_code": "BAD_REQUEST", "message": "[%s] %s%s" % (cls, e.message, where),
                "sql_state": e.sqlstate}

    def prepare(self, s):
        """The result cut into chunks; an INLINE result over the cap fails."""
        if s.chunks is not None:
            return None
        res = s.job.results[-1] if s.job.results else None
        rows = res.rows if res and res.columns else []
        n = max(1, ARGS.rows_per_chunk)
        s.chunks = [(part, json.dumps(part)) for part in
                    (rows[i:i + n] for i in range(0, len(rows), n))]
        s.columns = res.columns if res else []
        if s.body.get("disposition", "INLINE") == "INLINE":
            limit = int(knobs().get("inline_limit", INLINE_LIMIT))
            if sum(len(t) for _, t in s.chunks) > limit:
                s.chunks = []
                return {"error_code": "BAD_REQUEST",
                        "message": "Inline byte limit exceeded: the result is larger than %d bytes; "
                                   "use disposition EXTERNAL_LINKS" % limit}
        return None

    def manifest(self, s):
        cols = [{"name": c, "type_text": t.upper(), "position": i}
                for i, (c, t) in enumerate(s.columns)]
        chunks, off = [], 0
        for i, (rows, text) in enumerate(s.chunks):
            chunks.append({"chunk_index": i, "row_offset": off, "row_count": len(rows),
                           "byte_count": len(text)})
            off += len(rows)
        return {"format": "JSON_ARRAY", "schema": {"column_count": len(cols), "columns": cols},
                "total_chunk_count": len(chunks), "total_row_count": off, "chunks": chunks,
                "truncated": False}

    def result(self, s, i):
        """[chunk] a chunk: its data inline, or one external link to it."""
        rows, text = s.chunks[i]
        off = sum(len(r) for r, _ in s.chunks[:i])
        last = i + 1 >= len(s.chunks)
        nxt = {} if last else {"next_chunk_index": i + 1,
                               "next_chunk_internal_link": "%s/%s/result/chunks/%d" % (API, s.id, i + 1)}
        if s.body.get("disposition", "INLINE") == "INLINE":
            doc = {"chunk_index": i, "row_offset": off, "row_count": len(rows), "data_array": rows}
            doc.update(nxt)
            return doc
        ttl = float(knobs().get("link_ttl", 900))   # "<= 15 minutes"
        cred = secrets.token_hex(24)
        with LOCK:
            s.links[i] = (cred, time.time() + ttl)
        link = {"chunk_index": i, "row_offset": off, "row_count": len(rows), "byte_count": len(text),
                "external_link": "http://127.0.0.1:%d/links/%s/%d?X-Amz-Signature=%s"
                                 % (self.server.server_port, s.id, i, cred),
                "expiration": iso(time.time() + ttl)}
        link.update(nxt)
        return {"external_links": [link]}

    def find(self, sid):
        with LOCK:
            s = STATEMENTS.get(sid)
        if not s:
            self.error(404, "RESOURCE_DOES_NOT_EXIST", "Statement %s not found." % sid)
        return s

    # -- [get], [chunk], [cancel] --------------------------------------------------------------

    def status(self, sid):
        s = self.find(sid)
        if not s:
            return
        if take("poll_500"):
            return self.error(500, "INTERNAL_ERROR", "injected 500")
        doc = self.response(s)
        s.polled = True
        self.reply(200, doc, state=doc["status"]["state"])

    def chunk(self, sid, i):
        s = self.find(sid)
        if not s:
            return
        if s.job.state != "succeeded" or s.chunks is None or not 0 <= i < len(s.chunks):
            return self.error(400, "INVALID_PARAMETER_VALUE", "chunk %d is not available" % i)
        self.reply(200, self.result(s, i))

    def cancel(self, sid):
        s = self.find(sid)
        if not s:
            return
        s.job.cancel()
        # "Cancel response is empty; receiving response indicates successful receipt"
        self.log(200, "cancel")
        self.send_body(200, b"")

    def link(self, path):
        """A presigned link: the credential is in the URL, an Authorization
        header is refused (as cloud stores refuse two auth mechanisms),
        and it lapses at its expiration."""
        try:
            _, _, sid, i = path.split("/")
            i = int(i)
        except ValueError:
            return self.send_body(404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml")
        with LOCK:
            s = STATEMENTS.get(sid)
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        cred, exp = s.links.get(i, (None, 0)) if s else (None, 0)
        if self.headers.get("Authorization"):
            self.log(400, "Authorization sent to an external link")
            return self.send_body(400, b"<Error><Code>InvalidArgument</Code><Message>Only one auth "
                                       b"mechanism allowed</Message></Error>", "application/xml")
        if not cred or q.get("X-Amz-Signature") != cred:
            self.log(403, "bad link credential")
            return self.send_body(403, b"<Error><Code>AccessDenied</Code></Error>", "application/xml")
        if time.time() >= exp or take("expire_links"):
            self.log(403, "link expired")
            return self.send_body(403, b"<Error><Code>AccessDenied</Code><Message>Request has "
                                       b"expired</Message></Error>", "application/xml")
        body = s.chunks[i][1].encode()
        if take("short_chunk"):
            # a chunk that lost a row on the way (a broken store or proxy)
            body = json.dumps(s.chunks[i][0][:-1]).encode()
        if take("reset_chunk"):
            # the connection dropped mid-body
            self.log(200, "reset mid-chunk")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.log(200, "link", rows=len(s.chunks[i][0]))
        self.send_body(200, body)


def main():
    global ARGS, BACKEND
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsn", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--client-id", default="")
    ap.add_argument("--client-secret", default="")
    ap.add_argument("--warehouse-id", default="wh-0123456789abcdef")
    ap.add_argument("--control", default="")
    ap.add_argument("--rows-per-chunk", type=int, default=3)
    ap.add_argument("--lifetime", type=float, default=600)
    ARGS = ap.parse_args()
    if ARGS.token:
        TOKENS.add(ARGS.token)
    BACKEND = pg_backend.Backend(ARGS.dsn, "databricks")
    pg_backend.serve(Handler, ARGS.port_file, ARGS.lifetime)


if __name__ == "__main__":
    main()
