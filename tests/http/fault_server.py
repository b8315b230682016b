#!/usr/bin/env python3
"""fault_server.py — a scripted HTTP endpoint for the delivery tests.

Listens on 127.0.0.1 on an ephemeral port (written to --port-file), answers
POSTs by the first path segment, and records every event it receives, one
JSON line each, to --log:
  {"req": N, "path": P, "status": S, "messageId": ID, "bad": bool,
   "auth_ok": bool, "token_ok": bool, "t": seconds, "inflight": K}
where K is how many requests to that same path the server was handling
when this one came in, itself included.
S is the HTTP status sent, or "reset"/"slow" when the client got none.
With --bodies FILE it also records every request whole, one JSON line each:
  {"req": N, "path": P, "status": S, "body": "<the raw body text>",
   "headers_ok": bool}
where headers_ok says whether every --expect-header 'Name: value' was sent
exactly (so tests check auth headers without printing a secret).
Events are found in a body as {"batch":[...]} (Segment, Customer.io),
{"attributes":[...],"events":[...]} (Braze) or the body itself (webhook,
Iterable); an event is "bad" when properties/traits/dataFields/attributes
(or, for a Braze attributes entry, the entry itself) has bad: true.

Scenarios (the first request to each distinct path misbehaves, later ones
are answered normally):
  /ok/...         200
  /flaky/...      500 once, then 200
  /ratelimit/...  429 with Retry-After: 1 once, then 200
  /slow/...       sleeps past the client's timeout once, then 200
  /reset/...      resets the connection once, then 200
  /bad/...        400 when the body holds an event with properties.bad or
                  traits.bad true (a batch or a single event), else 200
  /down/...       503 always
  /hold/...       200 after --hold seconds, every time (for max_in_flight)
  /partial/braze/...  201 taking the request, listing its bad entries in
                  Braze's {"message":"success","errors":[{"type","input_array","index"}]}
  /partial/cio/...    200 listing them as Customer.io's
                  {"errors":[{"batch_index","reason","field","message"}]}
It exits by itself after --lifetime seconds or --max-requests requests.
Standard library only.
"""
import argparse
import json
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
SEEN = {}
COUNT = [0]
INFLIGHT = {}  # path -> requests being handled now


def is_bad(ev):
    if ev.get("bad") is True:
        return True
    for key in ("properties", "traits", "dataFields", "attributes"):
        body = ev.get(key)
        if isinstance(body, dict) and body.get("bad") is True:
            return True
    return False


def partial_answer(kind, doc):
    """The 2xx answer of an API that took a batch but refused its bad entries."""
    errors = []
    if kind == "braze" and isinstance(doc, dict):
        for arr in ("attributes", "events"):
            for i, ev in enumerate(doc.get(arr) or []):
                if isinstance(ev, dict) and is_bad(ev):
                    errors.append({"type": "bad entry (key=%s)" % ev.get("external_id"),
                                   "input_array": arr, "index": i})
        return 201, json.dumps({"message": "success", "errors": errors}).encode()
    for i, ev in enumerate(events_of(doc)):
        if isinstance(ev, dict) and is_bad(ev):
            errors.append({"batch_index": i, "reason": "invalid", "field": "attributes.bad",
                           "message": "bad entry"})
    return 200, json.dumps({"errors": errors}).encode()


def events_of(doc):
    if isinstance(doc, dict) and isinstance(doc.get("batch"), list):
        return doc["batch"]
    if isinstance(doc, dict) and ("events" in doc or "attributes" in doc):
        return list(doc.get("attributes") or []) + list(doc.get("events") or [])
    return [doc]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse is exercised

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        with LOCK:
            INFLIGHT[self.path] = INFLIGHT.get(self.path, 0) + 1
            self.inflight = INFLIGHT[self.path]
        try:
            self.answer()
        finally:
            with LOCK:
                INFLIGHT[self.path] -= 1

    def answer(self):
        srv = self.server
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        with LOCK:
            COUNT[0] += 1
            req = COUNT[0]
            first = self.path not in SEEN
            SEEN[self.path] = SEEN.get(self.path, 0) + 1
        try:
            doc = json.loads(raw)
            events = [e for e in events_of(doc) if isinstance(e, dict)]
        except ValueError:
            doc, events = None, []
        scenario = self.path.strip("/").split("/")[0]
        auth = self.headers.get("Authorization", "")
        auth_ok = srv.expect_auth is None or auth == srv.expect_auth
        token_ok = srv.token is None or self.headers.get("X-Token") == srv.token

        status, headers, body = 200, [], b'{"success":true}'
        if scenario == "flaky" and first:
            status, body = 500, b'{"error":"try again"}'
        elif scenario == "ratelimit" and first:
            status, headers, body = 429, [("Retry-After", "1")], b'{"error":"slow down"}'
        elif scenario == "down":
            status, body = 503, b'{"error":"unavailable"}'
        elif scenario == "partial":
            kind = self.path.strip("/").split("/")[1] if self.path.count("/") > 1 else ""
            status, body = partial_answer(kind, doc)
        elif scenario == "bad" and any(is_bad(e) for e in events):
            status, body = 400, b'{"error":"bad event in request"}'
        elif scenario == "slow" and first:
            status = "slow"
        elif scenario == "reset" and first:
            status = "reset"
        elif scenario == "hold":
            time.sleep(srv.hold)

        srv.record(req, self.path, status, events, auth_ok, token_ok, len(raw), self.inflight)
        if srv.bodies:
            headers_ok = all(self.headers.get(k) == v for k, v in srv.expect_headers)
            with LOCK, open(srv.bodies, "a") as f:
                f.write(json.dumps({"req": req, "path": self.path, "status": status,
                                    "body": raw.decode("utf-8", "replace"),
                                    "headers_ok": headers_ok}, sort_keys=True) + "\n")
        if status == "slow":
            time.sleep(srv.slow)
            self.close_connection = True
            return
        if status == "reset":
            # SO_LINGER 0: close() sends a RST instead of a FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        self.reply(status, body, headers)
        if COUNT[0] >= srv.max_requests:
            threading.Thread(target=srv.shutdown, daemon=True).start()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def record(self, req, path, status, events, auth_ok, token_ok, size, inflight):
        with LOCK, open(self.log, "a") as f:
            for ev in events:
                f.write(json.dumps({
                    "req": req, "path": path, "status": status,
                    "messageId": (ev.get("messageId") or ev.get("id")) if isinstance(ev, dict) else None,
                    "bad": is_bad(ev) if isinstance(ev, dict) else False,
                    "auth_ok": auth_ok, "token_ok": token_ok, "t": time.time(),
                    "size": size, "batch": len(events), "inflight": inflight,
                }, sort_keys=True) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--lifetime", type=float, default=60)
    ap.add_argument("--max-requests", type=int, default=1000)
    ap.add_argument("--slow", type=float, default=1.0)
    ap.add_argument("--hold", type=float, default=0.05, help="/hold/: seconds before each answer")
    ap.add_argument("--expect-auth", default=None, help="the exact Authorization header expected")
    ap.add_argument("--token", default=None, help="the X-Token header expected")
    ap.add_argument("--bodies", default=None, help="record every request body here")
    ap.add_argument("--expect-header", action="append", default=[],
                    help="'Name: value' a request must carry (headers_ok in --bodies)")
    a = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    srv.log, srv.max_requests, srv.slow, srv.hold = a.log, a.max_requests, a.slow, a.hold
    srv.expect_auth, srv.token = a.expect_auth, a.token
    srv.bodies = a.bodies
    srv.expect_headers = [tuple(h.split(": ", 1)) for h in a.expect_header]
    if a.bodies:
        open(a.bodies, "w").close()
    open(a.log, "w").close()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)  # atomic: readers never see a partial port
    timer = threading.Timer(a.lifetime, srv.shutdown)
    timer.daemon = True
    timer.start()
    try:
        srv.serve_forever(poll_interval=0.05)
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
