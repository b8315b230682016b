#!/usr/bin/env python3
"""The Python equivalent of bench/run/sink.c (http.server, HTTP/1.1 keep-alive),
kept to show why the C sink exists: `run.sh -p` measures with this one.

usage: pysink.py PORTFILE [MAX_SECONDS]   (prints the same line as sink.c on exit)
"""
import http.server
import os
import signal
import sys
import threading

counts = {"requests": 0, "events": 0, "bytes": 0}
lock = threading.Lock()


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with lock:
            counts["requests"] += 1
            counts["bytes"] += n
            counts["events"] += body.count(b'"messageId"')
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *a):
        pass


def main():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    tmp = sys.argv[1] + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{srv.server_address[1]}\n")
    os.rename(tmp, sys.argv[1])
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    stop = lambda *a: threading.Thread(target=srv.shutdown).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGALRM, stop)
    signal.alarm(limit)
    srv.serve_forever()
    print(f"sink: requests={counts['requests']} events={counts['events']} bytes={counts['bytes']}")


if __name__ == "__main__":
    main()
