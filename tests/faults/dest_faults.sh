#!/bin/sh
# tests/faults/dest_faults.sh — a destination failing under a run: its TLS
# handshake fails (a self-signed certificate lac does not trust), or it
# accepts the connection and never answers (bounded by the destination's
# `timeout`).  The run stays Live with a warning giving the cause, its
# events stay pending, and the next run to a working endpoint delivers each
# exactly once.  (A 200 whose body refuses some events is tested in
# tests/unit/test_dest_more.c, per API.)
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" openssl sqlite3
pids=
on_exit 'for p in $pids; do kill "$p" 2>/dev/null; done'

# start NAME ARGS...: an endpoint of endpoints.py; its port in $port
start() {
	name=$1
	shift
	"$py" "$SRC/tests/faults/endpoints.py" "$@" 2>"$T/$name.err" &
	pids="$pids $!"
	for _ in $(seq 100); do [ -s "$T/$name.port" ] && break; sleep 0.05; done
	[ -s "$T/$name.port" ] || { echo "$name endpoint did not start" >&2; cat "$T/$name.err" >&2; exit 1; }
	port=$(cat "$T/$name.port")
}

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1
start tls tls "$T/cert.pem" "$T/key.pem" "$T/tls.port" "$T/tls.log"
tls_port=$port
start silent silent "$T/silent.port"
silent_port=$port
"$py" "$SRC/tests/http/fault_server.py" --port-file "$T/ok.port" --log "$T/received.jsonl" \
	--lifetime 120 >/dev/null 2>&1 &
pids="$pids $!"
for _ in $(seq 100); do [ -s "$T/ok.port" ] && break; sleep 0.05; done
ok_port=$(cat "$T/ok.port")

P="$T/p"
lac init --example petshop "$P" >/dev/null
# events_file becomes a webhook to URL, tried once (no retries), 1 s timeout
dest() {
	awk -v url="$1" '
		/^  events_file:/ { print "  events_file: { type: webhook, url: \"" url "\", timeout: 1, max_retries: 0 }"; next }
		{ print }' "$P/lac.yaml" >"$T/lac.yaml" && cp "$T/lac.yaml" "$P/lac.yaml"
}
dest "https://127.0.0.1:$tls_port/hook"
lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
lac -C "$P" -q --now 2026-01-15T12:00:00Z run >/dev/null
sqlite3 "$P/data/warehouse.db" "INSERT INTO PETS VALUES ('x30','h02','Mia','cat',2,'2025-01-01'),
	('x31','h02','Odie','dog',3,'2025-01-01'), ('x32','h10','Pluto','dog',4,'2025-01-01');
	DELETE FROM PETS WHERE id IN ('x11','x13');"
pending() { queued_ids "$P/.lac/state.db" | grep -c . || true; }

# ---- the TLS handshake fails ---------------------------------------------------------
expect_status "tls: the run stays Live" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run
expect_eq "tls: the warning gives the cause" 2 \
	"$(grep -c "destination 'events_file' is unreachable (.*SSL certificate problem: self-signed certificate.*); undelivered events stay pending" "$T/err")"
expect_eq "tls: nothing reached the server" 0 "$(cat "$T/tls.log" 2>/dev/null | wc -l)"
expect_eq "tls: four events pending" 4 "$(pending)"

# ---- an endpoint that accepts and never answers --------------------------------------
dest "http://127.0.0.1:$silent_port/hook"
start=$(date +%s)
expect_status "silent: the run stays Live" 0 lac -C "$P" --now 2026-01-15T14:00:00Z run cat_owners
took=$(($(date +%s) - start))
if [ "$took" -le 8 ]; then pass; else fail "silent: took ${took}s, over the 1 s timeout's bound"; fi
expect_eq "silent: the warning gives the cause" 1 \
	"$(grep -c "destination 'events_file' is unreachable (.*timed out.*); undelivered events stay pending" "$T/err")"
expect_eq "silent: four events pending" 4 "$(pending)"

# ---- a working endpoint: each event delivered exactly once -------------------------------
dest "http://127.0.0.1:$ok_port/ok/hook"
expect_status "ok: the next run" 0 lac -C "$P" -q --now 2026-01-15T15:00:00Z run
expect_eq "ok: nothing pending" 0 "$(pending)"
expect_eq "ok: four events, four distinct messageIds" "4 4" \
	"$("$py" -c '
import json, sys
ids = [json.loads(l)["messageId"] for l in open(sys.argv[1])]
print(len(ids), len(set(ids)))' "$T/received.jsonl")"
finish
