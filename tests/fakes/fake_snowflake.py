#!/usr/bin/python3
"""tests/fakes/fake_snowflake.py — a fake of Snowflake's SQL API v2 on
127.0.0.1 for lac's Snowflake connector.  Test code only: standard library,
pg_backend.py (statements rewritten by rewrite.py and run on the test
PostgreSQL) and jwt_rs256.py.

    fake_snowflake.py --dsn DSN --port-file F --public-key PEM --account A --user U
                      [--oauth-token T] [--control FILE] [--log FILE] [--lifetime S]
                      [--latency-ms N] [--count-file FILE]

A state machine following the vendor's pages (each behaviour names its page
below, base https://docs.snowflake.com/en/developer-guide/sql-api/):
- POST /api/v2/statements?requestId=&async=true submits; the answer is 202
  with a statementHandle and statementStatusUrl, polled by GET until 200
  (ResultSet), 422 (QueryFailureStatus) or 408 (timed out, cancelled).
  A requestId seen before is not run again: with retry=true its statement's
  status is answered ("submitting-requests").
- Several partitions: a result of more than `partition_rows` rows lists them
  in resultSetMetaData.partitionInfo; partition 0 comes with the status,
  GET ?partition=N answers {"data": [...]} gzip-encoded
  ("handling-responses", "Retrieving additional partitions").
- Multi-statement requests need parameters.MULTI_STATEMENT_COUNT equal to
  the count ("submitting-multiple-statements"); BEGIN … COMMIT is their
  transaction ("using-transactions").
- Auth: Authorization Bearer + X-Snowflake-Authorization-Token-Type
  KEYPAIR_JWT (RS256 signature checked against --public-key, iss =
  ACCOUNT.USER.SHA256:<fp>, sub = ACCOUNT.USER, not expired, at most 1 h)
  or OAUTH (--oauth-token); else 401 {"code": "390144", ...}
  ("authenticating").
- POST /api/v2/statements/{handle}/cancel cancels ("cancelling-statements").
- Errors: 422 {code, sqlState, message, statementHandle}; 408 when a
  statement runs past the body's timeout ("handling-errors"); a statement
  the rewrite table does not cover is 422 naming the construct; a failing
  name is placed as Snowflake does, "error line L at position P" (P from
  0, in the text sent: pg_backend.locate).

Faults, read from the --control JSON file (re-read on each request):
  "fail": [{"on": "submit"|"poll"|"partition", "status": 429|503, "retry_after": 1}]
      each entry answers one request of that kind once, in order;
  "reset_partition": N   the first GET of partition N is cut mid-body;
  "delay": S             every statement runs S seconds longer;
  "deny": "TABLE"        a statement naming TABLE fails for a missing grant;
  "partition_rows": N    rows per partition (default 2).
For benchmarks (bench/scale/latency.sh): --latency-ms N answers every
statement N ms after the previous one of its request (the first N ms after
the submission), the fake's own work within it: a remote warehouse's fixed
latency, each statement of a multi-statement request its own; --count-file FILE holds the requests and
statements run so far ("requests N\nstatements M\n").
Every request is logged as one JSON line to --log: {"method", "path",
"status", "request_id", "retry", "tag", "timezone", "count", "statement",
"role", "warehouse", "database", "schema", "timeout"}.
"""
import argparse
import gzip
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jwt_rs256  # noqa: E402
import pg_backend  # noqa: E402
import rewrite  # noqa: E402

ARGS = None
BACKEND = None
KEY = None
LOCK = threading.Lock()
STATEMENTS = {}   # handle -> Statement
REQUESTS = {}     # requestId -> handle
FAULTS_USED = {"fail": 0, "reset": False}


class Statement:
    def __init__(self, text, count, timeout):
        self.handle = str(uuid.uuid4())
        self.text = text
        self.count = count
        self.timeout = timeout
        self.job = None
        self.timed_out = False


def control():
    if not ARGS.control or not os.path.exists(ARGS.control):
        return {}
    with open(ARGS.control) as f:
        text = f.read().strip()
    return json.loads(text) if text else {}


def log(entry):
    if ARGS.log:
        with LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps(entry) + "\n")


def take_fault(kind):
    """The next scripted failure for this kind of request, or None."""
    fails = control().get("fail", [])
    with LOCK:
        i = FAULTS_USED["fail"]
        if i < len(fails) and fails[i]["on"] == kind:
            FAULTS_USED["fail"] = i + 1
            return fails[i]
    return None


def qualified():
    acct = ARGS.account.split(".")[0].upper()
    return acct + "." + ARGS.user.upper()


def check_auth(headers):
    """None when the request is authenticated, else why (authenticating page)."""
    auth = headers.get("Authorization", "")
    kind = headers.get("X-Snowflake-Authorization-Token-Type", "")
    if not auth.startswith("Bearer "):
        return "Authorization header missing"
    token = auth[len("Bearer "):]
    if kind == "OAUTH":
        return None if ARGS.oauth_token and token == ARGS.oauth_token else "Invalid OAuth access token."
    if kind != "KEYPAIR_JWT":
        return "Unsupported token type"
    try:
        claims = jwt_rs256.verify(token, KEY)
    except (ValueError, KeyError) as e:
        return "JWT token is invalid. (%s)" % e
    now = time.time()
    if claims.get("iss") != qualified() + ".SHA256:" + KEY.fingerprint:
        return "JWT token is invalid. (issuer)"
    if claims.get("sub") != qualified():
        return "JWT token is invalid. (subject)"
    if not (claims.get("exp", 0) > now and claims["exp"] - claims.get("iat", 0) <= 3600):
        return "JWT token is invalid. (expired or lives over an hour)"
    return None


def sf_value(v, pgtype):
    """PostgreSQL's text form as Snowflake's jsonv2 string (booleans spelled out)."""
    if v is None:
        return None
    if pgtype == "bool":
        return "true" if v == "t" else "false"
    return v


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # headers and body leave in two writes: without this, Nagle's
        # algorithm and the client's delayed ACK add 40 ms to every answer
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, entry, gz=False):
        data = json.dumps(body).encode()
        entry["status"] = status
        log(entry)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if gz:
            data = gzip.compress(data)
            self.send_header("Content-Encoding", "gzip")
        if status == 429 and entry.get("retry_after") is not None:
            self.send_header("Retry-After", str(entry["retry_after"]))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, state, message, entry, handle=None):
        body = {"code": code, "sqlState": state, "message": message}
        if handle:
            body["statementHandle"] = handle
        self.send(status, body, entry)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def fault(self, kind, entry):
        f = take_fault(kind)
        if not f:
            return False
        entry["retry_after"] = f.get("retry_after")
        entry["fault"] = True
        self.error(f["status"], "000001", "08000", "fake %d for %s" % (f["status"], kind), entry)
        return True

    # -- requests -------------------------------------------------------------------

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        raw = self.read_body()
        entry = {"method": "POST", "path": url.path}
        why = check_auth(self.headers)
        if why:
            return self.error(401, "390144", "08001", why, entry)
        # the JWT lac derived (or its OAuth token): tests/faults/secrets_connectors.sh
        # looks for it in what lac wrote
        entry["token"] = self.headers["Authorization"][len("Bearer "):]
        parts = url.path.strip("/").split("/")
        if parts[:3] == ["api", "v2", "statements"] and len(parts) == 5 and parts[4] == "cancel":
            return self.cancel(parts[3], entry)
        if url.path != "/api/v2/statements":
            return self.error(404, "390404", "08000", "Not found", entry)
        body = json.loads(raw or b"{}")
        params = body.get("parameters", {})
        entry.update({"request_id": q.get("requestId"), "retry": q.get("retry") == "true",
                      "async": q.get("async"), "tag": params.get("QUERY_TAG"),
                      "timezone": params.get("TIMEZONE"),
                      "count": params.get("MULTI_STATEMENT_COUNT"),
                      "statement": body.get("statement"), "role": body.get("role"),
                      "warehouse": body.get("warehouse"), "database": body.get("database"),
                      "schema": body.get("schema"), "timeout": body.get("timeout")})
        if self.fault("submit", entry):
            return
        rid = q.get("requestId")
        with LOCK:
            known = STATEMENTS.get(REQUESTS.get(rid)) if rid else None
        if known is not None:
            # submitting-requests: a resubmitted requestId is not run again
            return self.status(known, entry)
        text = body.get("statement") or ""
        try:
            n = len(rewrite.split_statements(text, "snowflake"))
        except rewrite.Unsupported as e:
            return self.error(422, "001003", "42000", "SQL compilation error: %s" % e.construct, entry)
        count = params.get("MULTI_STATEMENT_COUNT", "1")
        if n > 1 and str(count) not in (str(n), "0"):
            # submitting-multiple-statements: the count must match
            return self.error(422, "000008", "0A000",
                              "Actual statement count %d did not match the desired statement "
                              "count %s." % (n, count), entry)
        deny = control().get("deny")
        if deny and deny.upper() in text.upper():
            st = Statement(text, n, body.get("timeout"))
            return self.error(422, "003001", "42501", "SQL access control error: Insufficient "
                              "privileges to operate on table '%s'" % deny.upper(), entry, st.handle)
        st = Statement(text, n, body.get("timeout"))
        st.job = BACKEND.submit(text, delay=float(control().get("delay", 0)))
        with LOCK:
            STATEMENTS[st.handle] = st
            if rid:
                REQUESTS[rid] = st.handle
        entry["handle"] = st.handle
        # async=true: 202 with the handle to poll (submitting-requests)
        self.send(202, {"code": "333334", "message": "Asynchronous execution in progress. Use "
                        "provided query id to perform query monitoring and management.",
                        "statementHandle": st.handle,
                        "statementStatusUrl": "/api/v2/statements/" + st.handle}, entry)

    def cancel(self, handle, entry):
        entry["cancel"] = handle
        with LOCK:
            st = STATEMENTS.get(handle)
        if st is None:
            return self.error(404, "000709", "02000", "Statement %s not found" % handle, entry)
        st.job.cancel()
        self.send(200, {"code": "000604", "sqlState": "57014", "message": "SQL execution canceled",
                        "statementHandle": handle}, entry)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        entry = {"method": "GET", "path": url.path}
        why = check_auth(self.headers)
        if why:
            return self.error(401, "390144", "08001", why, entry)
        parts = url.path.strip("/").split("/")
        with LOCK:
            st = STATEMENTS.get(parts[3]) if len(parts) == 4 else None
        if parts[:3] != ["api", "v2", "statements"] or st is None:
            return self.error(404, "000709", "02000", "Statement not found", entry)
        if "partition" in q:
            entry["partition"] = int(q["partition"])
            if self.fault("partition", entry):
                return
            return self.partition(st, int(q["partition"]), entry)
        if self.fault("poll", entry):
            return
        self.status(st, entry)

    # -- answers --------------------------------------------------------------------

    def status(self, st, entry):
        job = st.job
        job.wait(0.05)
        if job.state == "running" and st.timeout and time.time() - job.started > st.timeout:
            # handling-errors: past `timeout` the statement is cancelled, 408
            st.timed_out = True
            job.cancel()
            job.wait(5)
        if st.timed_out:
            return self.error(408, "000630", "57014", "Statement reached its statement or warehouse "
                              "timeout of %s second(s) and was canceled." % st.timeout, entry,
                              st.handle)
        if job.state == "running":
            return self.send(202, {"code": "333334", "message": "Asynchronous execution in "
                                   "progress.", "statementHandle": st.handle,
                                   "statementStatusUrl": "/api/v2/statements/" + st.handle}, entry)
        if job.state == "cancelled":
            return self.error(422, "000604", "57014", "SQL execution canceled", entry, st.handle)
        if job.state == "failed":
            e = job.error
            if e.construct:
                return self.error(422, "001003", "42000", "SQL compilation error: not supported by "
                                  "the fake's rewrite table: %s" % e.construct, entry, st.handle)
            # the failing name's place as Snowflake writes it (position from 0)
            where = " error line %d at position %d" % (e.line, e.col - 1) if e.line else ""
            return self.error(422, "002003", e.sqlstate or "42000", "SQL compilation error:%s\n%s"
                              % (where, e.message), entry, st.handle)
        if st.count > 1:
            # submitting-multiple-statements: one handle per statement
            return self.send(200, {"code": "090001", "sqlState": "00000",
                                   "message": "Statement executed successfully.",
                                   "statementHandle": st.handle,
                                   "statementHandles": [str(uuid.uuid4()) for _ in range(st.count)],
                                   "resultSetMetaData": {"numRows": 1, "format": "jsonv2",
                                                         "rowType": [{"name": "multiple statement execution"}],
                                                         "partitionInfo": [{"rowCount": 1}]},
                                   "data": [["Multiple statements executed successfully."]]}, entry)
        res = job.results[-1] if job.results else pg_backend.Result([], [], 0)
        rows = self.rows(res)
        per = int(control().get("partition_rows", 2))
        chunks = [rows[i:i + per] for i in range(0, len(rows), per)] or [[]]
        body = {"code": "090001", "sqlState": "00000", "message": "Statement executed successfully.",
                "statementHandle": st.handle, "statementStatusUrl": "/api/v2/statements/" + st.handle,
                "resultSetMetaData": {"numRows": len(rows), "format": "jsonv2",
                                      "rowType": [{"name": c[0].upper(), "type": c[1]}
                                                  for c in res.columns],
                                      "partitionInfo": [{"rowCount": len(c)} for c in chunks]},
                "data": chunks[0]}
        entry["partitions"] = len(chunks)
        self.send(200, body, entry)

    def rows(self, res):
        return [[sf_value(v, res.columns[j][1]) for j, v in enumerate(r)] for r in res.rows]

    def partition(self, st, n, entry):
        if st.job.state != "succeeded":
            return self.error(422, "000709", "02000", "no result for statement", entry, st.handle)
        res = st.job.results[-1]
        rows = self.rows(res)
        per = int(control().get("partition_rows", 2))
        chunk = rows[n * per:(n + 1) * per]
        if n < 1 or not chunk:
            return self.error(422, "000709", "02000", "partition %d out of range" % n, entry)
        if control().get("reset_partition") == n:
            with LOCK:
                first = not FAULTS_USED["reset"]
                FAULTS_USED["reset"] = True
            if first:
                # a connection reset mid-page: headers promise more than is sent
                data = gzip.compress(json.dumps({"data": chunk}).encode())
                entry.update({"status": 200, "reset": True})
                log(entry)
                self.send_response(200)
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[:len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
        # handling-responses: later partitions carry only data, gzipped
        self.send(200, {"data": chunk}, entry, gz=True)


def main():
    global ARGS, BACKEND, KEY
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsn", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--public-key", required=True)
    ap.add_argument("--account", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--oauth-token")
    ap.add_argument("--control")
    ap.add_argument("--log")
    ap.add_argument("--lifetime", type=float, default=600)
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--count-file")
    ARGS = ap.parse_args()
    KEY = jwt_rs256.PublicKey(ARGS.public_key)
    BACKEND = pg_backend.Backend(ARGS.dsn, "snowflake", latency=ARGS.latency_ms / 1000.0,
                                 count_file=ARGS.count_file)
    pg_backend.serve(Handler, ARGS.port_file, ARGS.lifetime)


if __name__ == "__main__":
    main()
