#!/bin/sh
# tests/faults/tls_ca.sh — HTTPS is verified against the system's CAs unless
# lac.yaml names a CA: `tls: {ca_file: PATH}` at the top, or per destination
# (which wins).  A local HTTPS endpoint with a self-signed certificate made
# here is refused without its CA (the events stay pending), refused with
# another CA, and taken once its CA is configured.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" openssl sqlite3
pid=
on_exit '[ -z "$pid" ] || kill "$pid" 2>/dev/null'

cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout "$T/$1.key" -out "$T/$1.pem" >/dev/null 2>&1
}
cert server
cert other
"$py" "$SRC/tests/faults/endpoints.py" tls "$T/server.pem" "$T/server.key" "$T/port" "$T/got.log" 2>"$T/srv.err" &
pid=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || { echo "the HTTPS endpoint did not start" >&2; cat "$T/srv.err" >&2; exit 1; }
url="https://127.0.0.1:$(cat "$T/port")/hook"

P="$T/p"
lac init --example petshop "$P" >/dev/null
cp "$P/lac.yaml" "$T/lac.yaml.orig"
# yaml TOP DEST_EXTRA: lac.yaml with events_file a webhook to the endpoint
yaml() {
	awk -v url="$url" -v top="$1" -v extra="$2" '
		/^destinations:/ && top != "" { print top }
		/^  events_file:/ { print "  events_file: { type: webhook, url: \"" url "\", timeout: 2, max_retries: 0" extra " }"; next }
		{ print }' "$T/lac.yaml.orig" >"$P/lac.yaml"
}
yaml "" ""
lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
lac -C "$P" -q --now 2026-01-15T12:00:00Z run >/dev/null
sqlite3 "$P/data/warehouse.db" "INSERT INTO PETS VALUES ('x30','h02','Mia','cat',2,'2025-01-01');"
pending() { queued_ids "$P/.lac/state.db" | grep -c . || true; }
got() { cat "$T/got.log" 2>/dev/null | wc -l; }

expect_status "no CA configured: the run stays Live" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners
expect_eq "no CA configured: refused" 1 "$(grep -c 'SSL certificate problem' "$T/err")"
expect_eq "no CA configured: pending" 1 "$(pending)"
expect_eq "no CA configured: nothing taken" 0 "$(got)"

yaml "tls: { ca_file: $T/other.pem }" ""
expect_status "another CA at the top" 0 lac -C "$P" --now 2026-01-15T14:00:00Z run cat_owners
expect_eq "another CA at the top: refused" 1 "$(grep -c 'unreachable (.*SSL certificate problem' "$T/err")"
expect_eq "another CA at the top: nothing taken" 0 "$(got)"

yaml "tls: { ca_file: $T/server.pem }" ", tls: { ca_file: $T/other.pem }"
expect_status "the destination's CA wins" 0 lac -C "$P" --now 2026-01-15T15:00:00Z run cat_owners
expect_eq "the destination's (other) CA wins: refused" 1 "$(grep -c 'SSL certificate problem' "$T/err")"
expect_eq "the destination's CA wins: nothing taken" 0 "$(got)"

yaml "tls: { ca_file: $T/other.pem }" ", tls: { ca_file: $T/server.pem }"
expect_status "the destination's CA: delivered" 0 lac -C "$P" -q --now 2026-01-15T16:00:00Z run cat_owners
expect_eq "the destination's CA: taken" 1 "$(got)"
expect_eq "the destination's CA: nothing pending" 0 "$(pending)"

# the top-level CA alone is enough (a relative path is the project dir's)
cp "$T/server.pem" "$P/ca.pem"
yaml "tls: { ca_file: ca.pem }" ""
sqlite3 "$P/data/warehouse.db" "INSERT INTO PETS VALUES ('x40','h10','Tom','cat',2,'2025-01-01');"
expect_status "the top-level CA: delivered" 0 lac -C "$P" -q --now 2026-01-15T17:00:00Z run cat_owners
expect_eq "the top-level CA: taken" 2 "$(got)"

# settings that are not: a key tls does not have, tls on a file destination
yaml "tls: { ca_file: ca.pem, verify: false }" ""
expect_status "tls: unknown key" 1 lac -C "$P" check
expect_eq "tls: unknown key named" 1 "$(grep -c "error\[E003\]: unknown key 'verify' in tls of lac.yaml" "$T/err")"
cp "$T/lac.yaml.orig" "$P/lac.yaml"
sed -i 's|events_file: { type: file, path: out/events.jsonl }|events_file: { type: file, path: out/events.jsonl, tls: { ca_file: ca.pem } }|' "$P/lac.yaml"
expect_status "tls on a file destination" 1 lac -C "$P" check
expect_eq "tls on a file destination: unknown key" 1 "$(grep -c "error\[E003\]: unknown key 'tls'" "$T/err")"
finish
