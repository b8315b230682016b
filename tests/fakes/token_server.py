#!/usr/bin/env python3
"""token_server.py — a fake OAuth 2.0 token endpoint on 127.0.0.1 for the
auth helpers' tests (tests/unit/test_token_endpoint.c).  Standard library
and the `openssl` command only.

It answers POSTs whose path ends in /token (Google's token_uri) or
/oidc/v1/token (Databricks), by grant_type:
  urn:ietf:params:oauth:grant-type:jwt-bearer — Google's service-account
    grant ("OAuth 2.0 for Server to Server Applications"): the assertion's
    RS256 signature must verify with --pubkey, and its claims be iss =
    --sa-email, scope = https://www.googleapis.com/auth/bigquery, aud = the
    URL requested, iat no later than now + 300 s, exp after now and at most
    3600 s after iat; else 400 {"error": "invalid_grant", ...}.
  client_credentials — Databricks OAuth M2M
    (https://docs.databricks.com/aws/en/dev-tools/auth/oauth-m2m): HTTP basic
    --client-id:--client-secret, else 401 {"error": "invalid_client", ...};
    scope all-apis, else 400 {"error": "invalid_scope", ...}.
  anything else: 400 {"error": "unsupported_grant_type"}.
A good request gets {"access_token": "fake-token-N", "token_type": "Bearer",
"expires_in": 3600} (N counts the tokens issued; expires_in 120 under a
path holding /short/).  Under /flaky/ the first request is answered 503;
under /deny/ every request 401 {"error": "access_denied", ...}.

The port is written to --port-file; each request is logged as one JSON
line to --log: {"path", "status", "grant", "why"}.  Exits after --lifetime s.
"""
import argparse
import base64
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jwt_rs256  # noqa: E402

GOOGLE_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
BIGQUERY_SCOPE = "https://www.googleapis.com/auth/bigquery"
LOCK = threading.Lock()
STATE = {"issued": 0, "seen": set()}
ARGS = None
KEY = None


class Refused(Exception):
    def __init__(self, status, error, description):
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


def check_google(form, url):
    try:
        claims = jwt_rs256.verify(form.get("assertion", ""), KEY)
    except ValueError as e:
        raise Refused(400, "invalid_grant", str(e))
    now = time.time()
    for name, want in (("iss", ARGS.sa_email), ("scope", BIGQUERY_SCOPE), ("aud", url)):
        if claims.get(name) != want:
            raise Refused(400, "invalid_grant", "bad %s claim" % name)
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or not isinstance(exp, int):
        raise Refused(400, "invalid_grant", "iat and exp must be integers")
    if iat > now + 300 or exp <= now:
        raise Refused(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token "
                      "(60 minutes) and in a reasonable timeframe.")
    if exp - iat > 3600:
        raise Refused(400, "invalid_grant", "Invalid JWT: lifetime over one hour")


def check_databricks(form, headers):
    want = "Basic " + base64.b64encode(
        ("%s:%s" % (ARGS.client_id, ARGS.client_secret)).encode()).decode()
    if headers.get("Authorization") != want:
        raise Refused(401, "invalid_client", "Client authentication failed")
    if form.get("scope") != "all-apis":
        raise Refused(400, "invalid_scope", "scope must be all-apis")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log(self, status, grant, why):
        with LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps({"path": self.path, "status": status, "grant": grant,
                                "why": why}) + "\n")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(n).decode()))
        grant = form.get("grant_type")
        with LOCK:
            first = self.path not in STATE["seen"]
            STATE["seen"].add(self.path)
        if "/flaky/" in self.path and first:
            self.log(503, grant, "flaky")
            return self.reply(503, {"error": "temporarily_unavailable"})
        try:
            if "/deny/" in self.path:
                raise Refused(401, "access_denied", "the client is not allowed")
            if not (self.path.endswith("/token")):
                raise Refused(404, "not_found", "no such endpoint")
            if self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
                raise Refused(400, "invalid_request", "not a form")
            if grant == GOOGLE_GRANT:
                check_google(form, "http://127.0.0.1:%d%s" % (self.server.server_port, self.path))
            elif grant == "client_credentials":
                check_databricks(form, self.headers)
            else:
                raise Refused(400, "unsupported_grant_type", "grant_type %r" % grant)
        except Refused as r:
            self.log(r.status, grant, r.description)
            return self.reply(r.status, {"error": r.error, "error_description": r.description})
        with LOCK:
            STATE["issued"] += 1
            token = "fake-token-%d" % STATE["issued"]
        self.log(200, grant, "")
        self.reply(200, {"access_token": token, "token_type": "Bearer",
                         "expires_in": 120 if "/short/" in self.path else 3600})


def main():
    global ARGS, KEY
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--pubkey", required=True)
    ap.add_argument("--sa-email", required=True)
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--client-secret", required=True)
    ap.add_argument("--lifetime", type=float, default=60)
    ARGS = ap.parse_args()
    KEY = jwt_rs256.PublicKey(ARGS.pubkey)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_port)
    os.rename(tmp, ARGS.port_file)
    threading.Timer(ARGS.lifetime, srv.shutdown).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
