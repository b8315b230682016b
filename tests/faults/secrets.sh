#!/bin/sh
# tests/faults/secrets.sh — no secret ever leaves lac: every command runs with
# every secret lac can be given set (warehouse and state DSN passwords, a
# Segment write key, a webhook bearer token, Braze and Customer.io API keys
# and site id), in text and JSON, against working and failing destinations,
# on both state backends; then each value is searched for in everything
# lac wrote: stdout, stderr, the state (SQLite file or PostgreSQL dump), the
# warehouse's lac schema, plan and export files, the file destination.  (Key
# passphrases and derived tokens: tests/faults/secrets_connectors.sh.)
# Needs PostgreSQL (the warehouse; skipped, 77, without one).
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" pg_dump
pg_start
srv=
on_exit '[ -z "$srv" ] || kill "$srv" 2>/dev/null'

# distinctive values (the server trusts every local user, so the passwords
# are sent and ignored)
PG_PASS=Wh-pass-5e3a91c7
STATE_PASS=St-pass-8b21f0d4
SEG_KEY=seg_wk_7c1d94aa02
HOOK_TOKEN=hook_tok_3f88e1b0c6
BRAZE_KEY=braze_key_91d2c7e4
CIO_SITE=cio_site_4a6b0e21
CIO_KEY=cio_key_d05e7f39a8
export PG_PASS STATE_PASS SEG_KEY HOOK_TOKEN BRAZE_KEY CIO_SITE CIO_KEY
secrets="$PG_PASS $STATE_PASS $SEG_KEY $HOOK_TOKEN $BRAZE_KEY $CIO_SITE $CIO_KEY"

"$py" "$SRC/tests/http/fault_server.py" --port-file "$T/port" --log "$T/received.jsonl" \
	--bodies "$T/bodies.jsonl" --expect-header "Authorization: Bearer $HOOK_TOKEN" \
	--lifetime 300 >/dev/null 2>&1 &
srv=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$T/port")"

psql -q -d postgres -c "CREATE DATABASE lac_sec" >/dev/null
n=0
# run ARGS...: lac, its stdout and stderr kept as outs/N.out, outs/N.err
run() {
	n=$((n + 1))
	set +e
	"$LAC" "$@" >"$T/outs/$n.out" 2>"$T/outs/$n.err"
	set -e
}
mkdir -p "$T/outs"

for backend in sqlite postgres; do
	P="$T/$backend"
	lac init --example petshop "$P" >/dev/null
	lac -C "$P" graph --format json >"$T/graph.json"
	if [ "$backend" = sqlite ]; then
		"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$P/data/warehouse.db" >"$T/load.sql"
		psql -q -v ON_ERROR_STOP=1 -d lac_sec -f "$T/load.sql" >/dev/null 2>&1
		state="state: { path: .lac/state.db }"
		schema=lac_sqlite
	else
		psql -q -d postgres -c "CREATE DATABASE lac_sec_state" >/dev/null
		state="state: { type: postgres, dsn: \"host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_sec_state password=\${STATE_PASS}\" }"
		schema=lac_pg
	fi
	cat >"$P/lac.yaml" <<YAML
version: 1
name: secrets
graph: graph.yaml
audiences: audiences
warehouse:
  type: postgres
  dsn: "host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_sec password=\${PG_PASS}"
  schema: $schema
$state
destinations:
  events_file: { type: file, path: out/events.jsonl }
  hook: { type: webhook, url: "$base/ok/hook", headers: { Authorization: "Bearer \${HOOK_TOKEN}" }, max_retries: 0 }
  seg: { type: segment, url: "$base/bad/seg", write_key: "\${SEG_KEY}", max_retries: 0 }
  br: { type: braze, url: "$base/partial/braze", api_key: "\${BRAZE_KEY}", max_retries: 0 }
  cio: { type: customerio, url: "$base/down/cio", site_id: "\${CIO_SITE}", api_key: "\${CIO_KEY}", max_retries: 0 }
YAML
	cat >"$P/audiences/everywhere.lac" <<'LAC'
audience everywhere {
  where { with entity households.pets { type = "cat" } }
  activation to_hook { destination hook  trigger profile entered  send current  enrich traits email }
  activation to_seg  { destination seg   trigger profile entered  send current  enrich traits email }
  activation to_br   { destination br    trigger profile entered  send current  enrich traits email }
  activation to_cio  { destination cio   trigger profile entered  send current  enrich traits email }
}
LAC
	for fmt in text json; do
		run -C "$P" --format $fmt check
		run -C "$P" --format $fmt compile -d all
		run -C "$P" --format $fmt plan --out "$T/outs/plan-$backend-$fmt.json"
	done
	run -C "$P" --now 2026-01-15T11:00:00Z apply --auto-approve
	run -C "$P" --format json --now 2026-01-15T12:00:00Z run
	run -C "$P" -v --now 2026-01-15T13:00:00Z run everywhere cat_owners
	run -C "$P" --now 2026-01-15T10:00:00Z run everywhere
	for fmt in text json; do
		run -C "$P" --format $fmt status
		run -C "$P" --format $fmt runs everywhere
		run -C "$P" --format $fmt delivery everywhere
		run -C "$P" --format $fmt delivery everywhere --events
		run -C "$P" --format $fmt preview everywhere --all
		run -C "$P" --format $fmt state show
		run -C "$P" --format $fmt plan --preview --validate
	done
	run -C "$P" state export "$T/outs/export-$backend.json"
	run -C "$P" --format json --now 2026-01-15T14:00:00Z daemon --once
	# the stored state and the warehouse's lac schema, as text
	if [ "$backend" = sqlite ]; then
		sqlite3 "$P/.lac/state.db" .dump >"$T/outs/state-$backend.sql"
	else
		pg_dump -d lac_sec_state >"$T/outs/state-$backend.sql"
	fi
	cp "$P/out/events.jsonl" "$T/outs/events-$backend.jsonl" 2>/dev/null || true
done
pg_dump -d lac_sec -n lac_sqlite -n lac_pg >"$T/outs/warehouse.sql"

# the runs did what they should, so there was something to leak
expect_eq "events reached the endpoints" yes "$(test -s "$T/received.jsonl" && echo yes || echo no)"
expect_eq "the webhook got its secret token (so it was set and used)" yes "$("$py" -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
print("yes" if any(r["headers_ok"] for r in rs if r["path"] == "/ok/hook") else "no")' "$T/bodies.jsonl")"
expect_eq "failures were recorded with reasons" yes \
	"$(grep -q 'HTTP 503' "$T/outs/state-sqlite.sql" && grep -q 'HTTP 503' "$T/outs/state-postgres.sql" && echo yes || echo no)"
expect_eq "the plan files and exports exist" 6 "$(ls "$T/outs" | grep -c '^plan-\|^export-')"
for s in $secrets; do
	hits=$(grep -rl -- "$s" "$T/outs" || true)
	expect_eq "no '$s' in anything lac wrote" "" "$hits"
done
# and not as the base64 of basic auth either
for s in "$SEG_KEY:" "$CIO_SITE:$CIO_KEY"; do
	b=$(printf '%s' "$s" | base64)
	expect_eq "no base64 of a basic-auth pair" "" "$(grep -rl -- "$b" "$T/outs" || true)"
done
finish
