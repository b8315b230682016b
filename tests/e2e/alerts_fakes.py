#!/usr/bin/python3
"""tests/e2e/alerts_fakes.py DIR — the two servers alerts talk to in
tests/e2e/alerts.sh, on 127.0.0.1 ports chosen by the system:

- a Slack incoming webhook: every POST is appended to DIR/slack.log as
  "<path> <body>"; a path under /fail/ answers 404 and echoes the path
  (so the test sees that lac redacts what a server quotes back);
- an SMTP server (aiosmtpd) that requires STARTTLS (DIR/cert.pem,
  DIR/key.pem) and a login (alerts / s3cret-pass) before it takes mail;
  every message is appended to DIR/mail.log.

It writes "SLACK_PORT SMTP_PORT" to DIR/ports when both listen, and runs
until killed."""
import http.server
import os
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

DIR = sys.argv[1]


class Slack(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(os.path.join(DIR, "slack.log"), "ab") as f:
            f.write(self.path.encode() + b" " + body + b"\n")
        status, reply = (404, b"no such hook: " + self.path.encode()) \
            if self.path.startswith("/fail/") else (200, b"ok")
        self.send_response(status)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


class Mailbox:
    async def handle_DATA(self, server, session, envelope):
        with open(os.path.join(DIR, "mail.log"), "ab") as f:
            f.write(b"MAIL FROM " + envelope.mail_from.encode() + b"\n")
            f.write(b"RCPT TO " + b",".join(r.encode() for r in envelope.rcpt_tos) + b"\n")
            f.write(b"TLS " + (b"yes" if session.ssl else b"no") + b"\n")
            f.write(envelope.content + b"\n.\n")
        return "250 OK"


def login(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"alerts" and auth_data.password == b"s3cret-pass"
    return AuthResult(success=ok)


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
tls.load_cert_chain(os.path.join(DIR, "cert.pem"), os.path.join(DIR, "key.pem"))
smtp_port = free_port()  # the controller checks it listens by connecting to it
smtp = Controller(Mailbox(), hostname="127.0.0.1", port=smtp_port, tls_context=tls,
                  require_starttls=True, authenticator=login, auth_require_tls=True)
smtp.start()
slack = http.server.HTTPServer(("127.0.0.1", 0), Slack)
with open(os.path.join(DIR, "ports.tmp"), "w") as f:
    f.write("%d %d\n" % (slack.server_address[1], smtp_port))
os.rename(os.path.join(DIR, "ports.tmp"), os.path.join(DIR, "ports"))
threading.Thread(target=slack.serve_forever, daemon=True).start()
threading.Event().wait()
