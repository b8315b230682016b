#!/usr/bin/python3
"""tests/fakes/fake_bigquery.py — a fake BigQuery REST API v2 on 127.0.0.1
for the connector's tests (tests/e2e/wh_bigquery.sh).  Test code only.

Statements run, rewritten from the bigquery dialect by rewrite.py, on the
test PostgreSQL (pg_backend.py) as asynchronous jobs.  What it serves, each
after the page of Google's reference it follows:

  POST /token
      "OAuth 2.0 for Server to Server Applications" (JWT bearer grant): the
      assertion's RS256 signature must verify with --pubkey, iss =
      --sa-email, scope = .../auth/bigquery, aud = this URL, exp - iat <= 1 h.
  POST /bigquery/v2/projects/{p}/queries                    jobs.query
      https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/query:
      QueryRequest {query, useLegacySql, location, requestId, maxResults,
      timeoutMs, dryRun, maximumBytesBilled, jobTimeoutMs, labels}; a
      requestId seen before answers the job it started (idempotency); waits
      up to timeoutMs, then answers jobComplete false with the jobReference.
  GET  /bigquery/v2/projects/{p}/queries/{jobId}            getQueryResults
      https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/getQueryResults:
      location must be the job's; jobComplete false while it runs; rows as
      {"f": [{"v": ...}]} with schema, at most min(maxResults, --page-rows)
      per page, pageToken while more remain; a failed job answers its error.
  POST /bigquery/v2/projects/{p}/jobs/{jobId}/cancel        jobs.cancel
      https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/cancel
  GET  /bigquery/v2/projects/{p}/jobs/{jobId}               jobs.get
      https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/get: the
      Job resource's jobReference and status {state: RUNNING|DONE,
      errorResult: {reason, message} when it failed}.
  GET  /bigquery/v2/projects/{p}/datasets/{d}/tables/{t}   tables.get
      https://cloud.google.com/bigquery/docs/reference/rest/v2/tables/get:
      200 (with lastModifiedTime, pg_backend's note of the last write), or
      404 notFound.

Errors have the ErrorProto shape of
https://cloud.google.com/bigquery/docs/error-messages: {"error": {"code",
"message", "errors": [{"reason", "location", "message"}], "status"}} with
that page's status per reason (invalidQuery 400, accessDenied 403,
rateLimitExceeded 403, bytesBilledLimitExceeded 400, notFound 404,
backendError 500).  A statement the rewrite table does not cover is
invalidQuery naming the construct.  A failing name is placed as BigQuery
does, "... at [L:C]" (from 1, in the query sent: pg_backend.locate).

Faults come from the JSON control file (--control), re-read when it
changes (its counters start again):
  {"faults": [{"on": "query"|"results"|"page"|"cancel"|"tables"|"token",
               "match": "text in the SQL" (query) or the table's name (tables: tables.get);
                        "" = any,
               "do": "429" | "429-retry-after" | "503" | "reset" |
                     "slow" | "hold" | "job-error" | "late-error" | "deny",
               "reason": "...", "seconds": 3.0, "times": 1}],
   "revoked": ["token", ...]}
  429 / 503: that status with Google's body; 429-retry-after adds
  Retry-After: 1; reset: a page answered half, then the connection reset;
  slow: the job runs `seconds` longer (past lac's timeout); hold: the
  jobs.query answer is held back `seconds` (a slow network); job-error: the
  job fails with `reason` (default backendError); late-error: the same
  after running `seconds` (so that a poll, not jobs.query, finds it); deny: accessDenied for
  the statement (a missing grant).  Every request is logged as one JSON
  line to --log: {"method", "path", "status", "requestId", "jobId",
  "labels", "sql", "dryRun", "jobTimeoutMs", "fault"}.
"""
import argparse
import datetime
import json
import os
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jwt_rs256  # noqa: E402
import pg_backend  # noqa: E402
import rewrite  # noqa: E402

SCOPE = "https://www.googleapis.com/auth/bigquery"
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
PREFIX = "/bigquery/v2/projects/"
STATUS_OF = {"invalidQuery": (400, "INVALID_ARGUMENT"), "accessDenied": (403, "PERMISSION_DENIED"),
             "rateLimitExceeded": (403, "PERMISSION_DENIED"),
             "bytesBilledLimitExceeded": (400, "INVALID_ARGUMENT"),
             "notFound": (404, "NOT_FOUND"), "backendError": (500, "INTERNAL"),
             "internalError": (500, "INTERNAL"), "stopped": (400, "INVALID_ARGUMENT"),
             "authError": (401, "UNAUTHENTICATED"), "quotaExceeded": (429, "RESOURCE_EXHAUSTED")}

LOCK = threading.Lock()
ARGS = None
KEY = None
BACKEND = None
STATE = {"tokens": set(), "issued": 0, "jobs": {}, "requests": {}, "control_mtime": None,
         "faults": [], "revoked": set(), "next_job": 0}


class ApiError(Exception):
    def __init__(self, reason, message, code=None, headers=None):
        super().__init__(message)
        self.reason, self.message = reason, message
        self.code = code or STATUS_OF.get(reason, (400, "INVALID_ARGUMENT"))[0]
        self.status = STATUS_OF.get(reason, (self.code, "UNKNOWN"))[1]
        self.headers = headers or {}

    def body(self):
        return {"error": {"code": self.code, "message": self.message,
                          "errors": [{"message": self.message, "domain": "global",
                                      "reason": self.reason}],
                          "status": self.status}}


class BqJob:
    def __init__(self, job_id, location, sql, pg_job, dry_bytes, req):
        self.job_id, self.location, self.sql = job_id, location, sql
        self.pg = pg_job
        self.bytes = dry_bytes
        self.req = req
        self.error = None          # ApiError forced by a fault


def load_control():
    """The faults of the control file, reloaded when it changes."""
    path = ARGS.control
    if not path:
        return
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        mtime = None
    if mtime == STATE["control_mtime"]:
        return
    STATE["control_mtime"] = mtime
    doc = {}
    if mtime is not None:
        with open(path) as f:
            text = f.read()
        doc = json.loads(text) if text.strip() else {}
    STATE["faults"] = [dict(f, left=f.get("times", 1)) for f in doc.get("faults", [])]
    STATE["revoked"] = set(doc.get("revoked", []))


def take_fault(on, sql=None):
    """The first fault for `on` (and the SQL) with tries left, counted down."""
    with LOCK:
        load_control()
        for f in STATE["faults"]:
            if f["on"] != on or f["left"] <= 0:
                continue
            if sql is not None and f.get("match", "") not in sql:
                continue
            f["left"] -= 1
            return f
    return None


def pg_to_bq_type(name):
    return {"text": "STRING", "varchar": "STRING", "bpchar": "STRING", "name": "STRING",
            "int2": "INTEGER", "int4": "INTEGER", "int8": "INTEGER", "float4": "FLOAT",
            "float8": "FLOAT", "numeric": "NUMERIC", "bool": "BOOLEAN", "date": "DATE",
            "time": "TIME", "timestamp": "DATETIME", "timestamptz": "TIMESTAMP",
            "jsonb": "JSON", "json": "JSON"}.get(name, "STRING")


def bq_value(text, bq_type, int64_ts):
    """PostgreSQL's text of a value as BigQuery's JSON form of it
    (getQueryResults "rows": strings; TIMESTAMP as epoch seconds, or int64
    microseconds under formatOptions.useInt64Timestamp)."""
    if text is None:
        return None
    if bq_type == "BOOLEAN":
        return "true" if text == "t" else "false"
    if bq_type == "TIMESTAMP":
        t = datetime.datetime.fromisoformat(text)
        if t.tzinfo is None:
            t = t.replace(tzinfo=datetime.timezone.utc)
        us = round(t.timestamp() * 1e6)
        return str(us) if int64_ts else "%.6E" % (us / 1e6)
    return text


def scanned_bytes(sql):
    """A plausible totalBytesProcessed: the size of every table the
    statement names (pg_total_relation_size), as a dry run estimates it."""
    names = set()
    for dotted in re.findall(r"[`\w]+(?:\.[`\w]+)+", sql):
        parts = dotted.replace("`", "").split(".")
        names.add((parts[-2], parts[-1]))
    total = 0
    if not names:
        return 0
    conn = BACKEND.connect()
    try:
        cur = conn.cursor()
        for schema, table in names:
            cur.execute("SELECT pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n "
                        "ON n.oid = c.relnamespace WHERE lower(n.nspname) = lower(%s) "
                        "AND lower(c.relname) = lower(%s) AND c.relkind = 'r'", (schema, table))
            row = cur.fetchone()
            if row:
                total += int(row[0])
    finally:
        conn.close()
    return total


def check_plans(stmts):
    """A dry run validates the query (jobs.query "dryRun"): each SELECT is
    planned by PostgreSQL (EXPLAIN), whose refusal is invalidQuery."""
    conn = BACKEND.connect()
    try:
        cur = conn.cursor()
        for st in stmts:
            if re.match(r"\s*(SELECT|WITH)\b", st, re.I):
                try:
                    cur.execute("EXPLAIN " + st)
                except pg_backend.psycopg2.Error as e:
                    raise ApiError("invalidQuery", e.diag.message_primary or str(e).strip())
    finally:
        conn.close()


def job_error(job):
    """The ApiError of a failed or cancelled job."""
    if job.error:
        return job.error
    pg = job.pg
    if pg.state == "cancelled":
        return ApiError("stopped", "Job execution was cancelled: User requested cancellation")
    e = pg.error
    if e.construct:
        return ApiError("invalidQuery", "Syntax error: %s" % e.message)
    if e.sqlstate in ("42P01", "3F000"):
        return ApiError("notFound", "Not found: %s" % e.message)
    # the failing name's place as BigQuery writes it: [line:column], from 1
    return ApiError("invalidQuery", e.message + (" at [%d:%d]" % (e.line, e.col) if e.line else ""))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # headers and body go out in two writes: without this, Nagle's
        # algorithm holds the body for the client's delayed ACK (40 ms)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        pass

    def log(self, status, **kw):
        entry = {"method": self.command, "path": self.path.split("?")[0], "status": status}
        entry.update(kw)
        with LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def send_json(self, status, doc, headers=None, **log):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.log(status, **log)

    def send_reset(self, doc, **log):
        """Half the body, then a TCP reset (SO_LINGER 0): a connection lost mid-page."""
        body = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:len(body) // 2])
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.log(200, fault="reset", **log)

    def transient(self, on, sql=None):
        """A 429/503 fault for this request, if the control file has one."""
        f = take_fault(on, sql)
        if f is None:
            return None
        if f["do"] in ("429", "429-retry-after"):
            headers = {"Retry-After": "1"} if f["do"] == "429-retry-after" else {}
            return ApiError("rateLimitExceeded", "Exceeded rate limits: too many api requests "
                            "per user per method for this user_method.", code=429,
                            headers=headers), f
        if f["do"] == "503":
            return ApiError("backendError", "The service is currently unavailable.", code=503), f
        return None, f

    def body_json(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        return raw

    def check_auth(self):
        """https://cloud.google.com/bigquery/docs/authentication: a Bearer token the fake issued or was given."""
        h = self.headers.get("Authorization", "")
        tok = h[7:] if h.startswith("Bearer ") else None
        with LOCK:
            load_control()
            ok = tok is not None and tok in STATE["tokens"] and tok not in STATE["revoked"]
        if not ok:
            raise ApiError("authError", "Request had invalid authentication credentials. Expected "
                           "OAuth 2 access token, login cookie or other valid authentication "
                           "credential.", code=401)

    def check_project(self, project):
        if project != ARGS.project:
            raise ApiError("notFound", "Not found: Project %s" % project)

    # ---- routes -------------------------------------------------------------------------

    def do_POST(self):
        raw = self.body_json()
        url = urllib.parse.urlsplit(self.path)
        try:
            if url.path == "/token":
                return self.token(raw)
            self.check_auth()
            m = re.fullmatch(PREFIX + r"([^/]+)/queries", url.path)
            if m:
                self.check_project(urllib.parse.unquote(m.group(1)))
                return self.query(json.loads(raw or b"{}"))
            m = re.fullmatch(PREFIX + r"([^/]+)/jobs/([^/]+)/cancel", url.path)
            if m:
                return self.cancel(urllib.parse.unquote(m.group(2)), url.query)
            raise ApiError("notFound", "Not found: URL %s" % url.path)
        except ApiError as e:
            self.send_json(e.code, e.body(), e.headers, reason=e.reason)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        try:
            self.check_auth()
            m = re.fullmatch(PREFIX + r"([^/]+)/queries/([^/]+)", url.path)
            if m:
                self.check_project(urllib.parse.unquote(m.group(1)))
                return self.results(urllib.parse.unquote(m.group(2)), q)
            m = re.fullmatch(PREFIX + r"([^/]+)/jobs/([^/]+)", url.path)
            if m:
                self.check_project(urllib.parse.unquote(m.group(1)))
                return self.job_resource(urllib.parse.unquote(m.group(2)), q)
            m = re.fullmatch(PREFIX + r"([^/]+)/datasets/([^/]+)/tables/([^/]+)", url.path)
            if m:
                table = urllib.parse.unquote(m.group(3))
                t = self.transient("tables", table)
                if t and t[0]:
                    e = t[0]
                    return self.send_json(e.code, e.body(), e.headers, reason=e.reason, fault=t[1]["do"])
                if t and t[1]["do"] == "deny":
                    raise ApiError("accessDenied", "Access Denied: Table %s: Permission "
                                   "bigquery.tables.get denied" % table)
                return self.table(urllib.parse.unquote(m.group(2)), table)
            raise ApiError("notFound", "Not found: URL %s" % url.path)
        except ApiError as e:
            self.send_json(e.code, e.body(), e.headers, reason=e.reason)

    def token(self, raw):
        """JWT bearer grant ("OAuth 2.0 for Server to Server Applications")."""
        form = dict(urllib.parse.parse_qsl(raw.decode()))
        err = None
        if form.get("grant_type") != GRANT:
            err = ("unsupported_grant_type", "grant_type must be the JWT bearer grant")
        else:
            try:
                claims = jwt_rs256.verify(form.get("assertion", ""), KEY)
                aud = "%s://127.0.0.1:%d/token" % ("https" if ARGS.tls else "http",
                                                   self.server.server_port)
                now = time.time()
                if claims.get("iss") != ARGS.sa_email:
                    err = ("invalid_grant", "Invalid grant: account not found")
                elif claims.get("scope") != SCOPE or claims.get("aud") != aud:
                    err = ("invalid_scope", "bad scope or aud claim")
                elif claims.get("exp", 0) <= now or claims.get("exp", 0) - claims.get("iat", 0) > 3600:
                    err = ("invalid_grant", "Invalid JWT: Token must be a short-lived token "
                           "(60 minutes) and in a reasonable timeframe.")
            except ValueError as e:
                err = ("invalid_grant", str(e))
        if err:
            return self.send_json(400, {"error": err[0], "error_description": err[1]}, reason=err[0])
        with LOCK:
            STATE["issued"] += 1
            tok = "ya29.fake-bq-token-%d" % STATE["issued"]
            STATE["tokens"].add(tok)
        # both logged: tests/faults/secrets_connectors.sh looks for them in what lac wrote
        self.send_json(200, {"access_token": tok, "token_type": "Bearer", "expires_in": 3600},
                       assertion=form["assertion"], access_token=tok)

    def query(self, req):
        sql = req.get("query", "")
        log = {"requestId": req.get("requestId"), "labels": req.get("labels"), "sql": sql,
               "dryRun": bool(req.get("dryRun")), "jobTimeoutMs": req.get("jobTimeoutMs")}
        t = self.transient("query", sql)
        if t and t[0]:
            e = t[0]
            return self.send_json(e.code, e.body(), e.headers, reason=e.reason, fault=t[1]["do"], **log)
        fault = t[1] if t else None
        if fault and fault["do"] == "hold":
            time.sleep(fault.get("seconds", 1.0))
        if req.get("useLegacySql", True):
            raise ApiError("invalidQuery", "lac must send useLegacySql: false")
        location = req.get("location") or "US"
        if location != ARGS.location:
            # the datasets live in one location (jobs.query "location")
            raise ApiError("notFound", "Not found: Dataset %s:%s was not found in location %s"
                           % (ARGS.project, ARGS.dataset, location))
        if fault and fault["do"] == "deny":
            raise ApiError("accessDenied", "Access Denied: Table %s: User does not have permission "
                           "to query table %s, or perhaps it does not exist."
                           % (fault.get("match") or "?", fault.get("match") or "?"))
        try:
            stmts = rewrite.rewrite_script(sql, "bigquery")
        except rewrite.Unsupported as e:
            raise ApiError("invalidQuery", "Syntax error: %s" % e)
        cap = req.get("maximumBytesBilled")
        # estimated only when asked for (it costs a PostgreSQL session)
        est = scanned_bytes(sql) if req.get("dryRun") or cap is not None else None
        if cap is not None and est > int(cap):
            raise ApiError("bytesBilledLimitExceeded", "Query exceeded limit for bytes billed: "
                           "%s. %d or higher required." % (cap, est))
        if req.get("dryRun"):
            check_plans(stmts)
            # a dry run runs nothing and is not asynchronous (jobs.query "dryRun")
            return self.send_json(200, {"kind": "bigquery#queryResponse", "jobComplete": True,
                                        "totalBytesProcessed": str(est),
                                        "schema": {"fields": []}}, **log)
        rid = req.get("requestId")
        with LOCK:
            job = STATE["requests"].get(rid) if rid else None
            fresh = job is None
            if fresh:
                STATE["next_job"] += 1
                job_id = "job_fake_%d" % STATE["next_job"]
                delay = fault["seconds"] if fault and fault["do"] in ("slow", "late-error") else 0.0
                job = BqJob(job_id, location, sql, BACKEND.submit(sql, delay=delay), est, req)
                if fault and fault["do"] in ("job-error", "late-error"):
                    reason = fault.get("reason", "backendError")
                    job.error = ApiError(reason, "The job encountered an error during execution "
                                         "(%s). Retrying the job may solve the problem." % reason)
                STATE["jobs"][job_id] = job
                if rid:
                    STATE["requests"][rid] = job
        log.update(jobId=job.job_id, repeated=not fresh)
        job.pg.wait(min(float(req.get("timeoutMs", 10000)), 10000.0) / 1000.0)
        self.answer(job, req.get("maxResults"), None,
                    (req.get("formatOptions") or {}).get("useInt64Timestamp", False), log)

    def results(self, job_id, q):
        with LOCK:
            job = STATE["jobs"].get(job_id)
        if job is None or q.get("location", "US") != job.location:
            raise ApiError("notFound", "Not found: Job %s:%s.%s" % (ARGS.project, q.get("location", "US"), job_id))
        on = "page" if q.get("pageToken") else "results"
        t = self.transient(on)
        log = {"jobId": job_id, "pageToken": q.get("pageToken")}
        if t and t[0]:
            e = t[0]
            return self.send_json(e.code, e.body(), e.headers, reason=e.reason, fault=t[1]["do"], **log)
        if not q.get("pageToken"):
            job.pg.wait(min(float(q.get("timeoutMs", 10000)), 10000.0) / 1000.0)
        self.answer(job, q.get("maxResults"), q.get("pageToken"),
                    q.get("formatOptions.useInt64Timestamp") == "true", log,
                    reset=bool(t and t[1]["do"] == "reset"))

    def job_resource(self, job_id, q):
        """jobs.get: the job's state, and its errorResult once it failed."""
        with LOCK:
            job = STATE["jobs"].get(job_id)
        if job is None or q.get("location", "US") != job.location:
            raise ApiError("notFound", "Not found: Job %s:%s.%s" % (ARGS.project, q.get("location", "US"), job_id))
        status = {"state": "RUNNING" if job.pg.state == "running" else "DONE"}
        if status["state"] == "DONE" and (job.error or job.pg.state != "succeeded"):
            e = job_error(job)
            status["errorResult"] = {"reason": e.reason, "message": e.message}
        self.send_json(200, {"kind": "bigquery#job", "status": status,
                             "jobReference": {"projectId": ARGS.project, "jobId": job.job_id,
                                              "location": job.location}}, jobId=job_id)

    def answer(self, job, max_results, page_token, int64_ts, log, reset=False):
        ref = {"projectId": ARGS.project, "jobId": job.job_id, "location": job.location}
        if job.pg.state == "running":
            return self.send_json(200, {"kind": "bigquery#getQueryResultsResponse",
                                        "jobReference": ref, "jobComplete": False}, **log)
        if job.error or job.pg.state != "succeeded":
            e = job_error(job)
            return self.send_json(e.code, e.body(), reason=e.reason, **log)
        # a script answers its last statement's result (jobs.query "query")
        res = None
        for r in job.pg.results:
            if r.columns:
                res = r
        cols = res.columns if res else []
        rows = res.rows if res else []
        fields = [{"name": n, "type": pg_to_bq_type(t), "mode": "NULLABLE"} for n, t in cols]
        per_page = min(int(max_results or ARGS.page_rows), ARGS.page_rows)
        start = int(page_token[1:]) if page_token else 0
        page = rows[start:start + per_page]
        doc = {"kind": "bigquery#getQueryResultsResponse", "jobReference": ref,
               "jobComplete": True, "schema": {"fields": fields}, "totalRows": str(len(rows)),
               "cacheHit": False,
               "rows": [{"f": [{"v": bq_value(v, f["type"], int64_ts)} for v, f in zip(r, fields)]}
                        for r in page]}
        if job.bytes is not None:
            doc["totalBytesProcessed"] = str(job.bytes)
        if start + per_page < len(rows):
            doc["pageToken"] = "p%d" % (start + per_page)
        if reset:
            return self.send_reset(doc, **log)
        self.send_json(200, doc, **log)

    def cancel(self, job_id, query):
        q = dict(urllib.parse.parse_qsl(query))
        with LOCK:
            job = STATE["jobs"].get(job_id)
        if job is None or q.get("location", "US") != job.location:
            raise ApiError("notFound", "Not found: Job %s" % job_id)
        job.pg.cancel()
        self.send_json(200, {"kind": "bigquery#jobCancelResponse",
                             "job": {"jobReference": {"projectId": ARGS.project, "jobId": job_id,
                                                      "location": job.location},
                                     "status": {"state": "RUNNING"}}}, jobId=job_id)

    def table(self, dataset, table):
        conn = BACKEND.connect()
        try:
            cur = conn.cursor()
            # lastModifiedTime: when pg_backend last noted the table written
            cur.execute("SELECT CAST(EXTRACT(EPOCH FROM a.at) * 1000 AS BIGINT)"
                        " FROM information_schema.tables t LEFT JOIN lac_rewrite.altered a"
                        " ON a.table_schema = lower(t.table_schema) AND a.table_name = lower(t.table_name)"
                        " WHERE lower(t.table_schema) = lower(%s) AND lower(t.table_name) = lower(%s)",
                        (dataset, table))
            found = cur.fetchone()
        finally:
            conn.close()
        if found is None:
            raise ApiError("notFound", "Not found: Table %s:%s.%s" % (ARGS.project, dataset, table))
        body = {"kind": "bigquery#table", "tableReference": {
            "projectId": ARGS.project, "datasetId": dataset, "tableId": table}}
        if found[0] is not None:
            body["lastModifiedTime"] = str(found[0])
        self.send_json(200, body)


def main():
    global ARGS, KEY, BACKEND
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsn", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--control", default="")
    ap.add_argument("--pubkey", required=True)
    ap.add_argument("--sa-email", required=True)
    ap.add_argument("--token", action="append", default=[], help="an access token accepted as is")
    ap.add_argument("--project", default="lac-test")
    ap.add_argument("--location", default="EU")
    ap.add_argument("--dataset", default="lac")
    ap.add_argument("--page-rows", type=int, default=3)
    ap.add_argument("--lifetime", type=float, default=600)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS")
    ARGS = ap.parse_args()
    KEY = jwt_rs256.PublicKey(ARGS.pubkey)
    BACKEND = pg_backend.Backend(ARGS.dsn, "bigquery")
    STATE["tokens"].update(ARGS.token)
    pg_backend.serve(Handler, ARGS.port_file, ARGS.lifetime, ARGS.tls)


if __name__ == "__main__":
    main()
