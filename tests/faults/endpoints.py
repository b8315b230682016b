#!/usr/bin/python3
"""endpoints.py — misbehaving HTTP endpoints for tests/faults/ (standard library only).

  endpoints.py tls CERT KEY PORT_FILE LOG     HTTPS with CERT (a self-signed one in
                                             the tests): 200 to every POST, one line
                                             per request appended to LOG
  endpoints.py silent PORT_FILE              accepts connections, reads, never answers

The port is written to PORT_FILE (atomically) once listening; each runs until killed.
"""
import http.server
import os
import socket
import ssl
import sys
import threading


def write_port(path, port):
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(path + ".tmp", path)


def tls(cert, key, port_file, log):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(n)
            with open(log, "a") as f:
                f.write(self.path + "\n")
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass  # a client refusing the certificate is the point, not news

    srv = Server(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    write_port(port_file, srv.server_address[1])
    srv.serve_forever()


def silent(port_file):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    write_port(port_file, s.getsockname()[1])
    held = []

    def drain(c):
        try:
            while c.recv(65536):
                pass
        except OSError:
            pass

    while True:
        c, _ = s.accept()
        held.append(c)  # kept open: the client waits for an answer that never comes
        threading.Thread(target=drain, args=(c,), daemon=True).start()


if __name__ == "__main__":
    if sys.argv[1] == "tls":
        tls(*sys.argv[2:6])
    elif sys.argv[1] == "silent":
        silent(sys.argv[2])
    else:
        sys.exit("usage: endpoints.py tls CERT KEY PORT_FILE LOG | silent PORT_FILE")
