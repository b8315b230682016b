#!/bin/sh
# tests/e2e/wh_bigquery.sh — `type: bigquery` against the fake BigQuery REST
# API (tests/fakes/fake_bigquery.py) over the test PostgreSQL: the README
# flow (apply, a data change, run, events) with a service-account key,
# preview, plan --preview/--validate with the bytes each query scans,
# daemon --once; a second run skipped by lastModifiedTime, run after a
# change and with --force; a missing column told at the audience's condition, by
# the graph's name; pages, labels, requestIds and scripts as sent; 429 (with
# and without Retry-After), 503, a reset mid-page and a transient job
# failure retried; bad input each a clear error that quotes no secret and
# loses nothing; a statement timeout cancelled and completed by the next
# run; kills at two crash points completed by the next run with every
# event sent once, each snapshot replaced by a table copy (COPY); the
# warehouse destination's MERGE, a page resent after a kill not doubled;
# HTTPS with a self-signed certificate trusted only through tls: {ca_file};
# a credentials path climbing with '..'.  Skipped (77) without PostgreSQL
# or python3-psycopg2.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

. "$SRC/tests/fakes/start.sh"
fakes_need openssl
fakes_pg_start
lib="$SRC/tests/e2e/run_lib.py"
ex="$SRC/examples/petshop"

# ---- the warehouse: the example's data in PostgreSQL, the fake in front ----
P="$T/p"
lac init --example petshop "$P" >/dev/null
psql -q -d postgres -c "CREATE DATABASE lac_bq" >/dev/null
lac -C "$P" graph --format json >"$T/graph.json"
"$py" "$SRC/tests/pg/load.py" "$T/graph.json" "$P/data/warehouse.db" >"$T/load.sql"
psql -q -v ON_ERROR_STOP=1 -d lac_bq -f "$T/load.sql" >"$T/psql.log" 2>&1 || { cat "$T/psql.log" >&2; exit 1; }
pg() { psql -q -t -A -v ON_ERROR_STOP=1 -d lac_bq -c "$1"; }

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/key.pem" 2>/dev/null
openssl pkey -in "$T/key.pem" -pubout -out "$T/pub.pem"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/other.pem" 2>/dev/null
email=lac@lac-test.iam.gserviceaccount.com
static_token=ya29.static-test-token-0123456789
echo '{}' >"$T/control.json"
fake_start fake fake_bigquery.py --dsn "host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_bq" \
	--log "$T/fake.log" --control "$T/control.json" --pubkey "$T/pub.pem" \
	--sa-email "$email" --token "$static_token" --page-rows 2 --lifetime 600
url=$FAKE_URL
sa_json() { # KEY_PEM TYPE [URL]
	"$py" -c 'import json, sys
print(json.dumps({"type": sys.argv[2], "project_id": "lac-test", "client_email": sys.argv[3],
                  "private_key": open(sys.argv[1]).read(), "token_uri": sys.argv[4] + "/token"}))' \
		"$1" "$2" "$email" "${3:-$url}"
}
sa_json "$T/key.pem" service_account >"$T/sa.json"
sa_json "$T/other.pem" service_account >"$T/wrong-key.json"
sa_json "$T/key.pem" external_account >"$T/external.json"

# lac.yaml: the warehouse of project $1 in dataset $2
configure() {
	awk -v url="$url" -v ds="$2" '
		/^warehouse:/ { print "warehouse:\n  type: bigquery\n  project: lac-test\n  location: \"${BQ_LOCATION}\"\n  credentials: \"${BQ_CREDENTIALS}\"\n  schema: " ds "\n  endpoint: \"" url "\"\n  timeout: \"${BQ_TIMEOUT}\""; skip = 1; next }
		skip && /^[ \t]/ { next }
		{ skip = 0; print }
	' "$1/lac.yaml" >"$T/lac.yaml" && cp "$T/lac.yaml" "$1/lac.yaml"
}
configure "$P" lac
BQ_CREDENTIALS="$T/sa.json"
BQ_LOCATION=EU
BQ_TIMEOUT=30s
export BQ_CREDENTIALS BQ_LOCATION BQ_TIMEOUT
faults() { printf '%s\n' "$1" >"$T/control.json"; }
log_count() { grep -c "$1" "$T/fake.log" || true; }

expect_status "check" 0 lac -C "$P" check

# ---- preview: every example audience's members through the connector -------
members() {
	sed -n 's/.*"members": \[\(.*\)\].*/\1/p' | sed 's/", "/\n/g; s/^"//; s/"$//' | sed '/^$/d'
}
# cat_owners_through NAME: under the faults set, the preview still lists
# cat_owners' members, every one
cat_owners_through() {
	if lac -C "$P" --now "$now" --format json preview cat_owners --all >"$T/out.json" 2>"$T/err"; then
		expect_eq "$1: members" "p01 p02 p10 p13 p14" "$(members <"$T/out.json" | tr '\n' ' ' | sed 's/ $//')"
	else
		fail "$1: preview failed"; cat "$T/err" >&2
	fi
}
now=$(grep -o 'now = [0-9][0-9TZ:.-]*' "$ex/expected/README.md" | head -1 | cut -d' ' -f3)
for f in "$ex"/expected/*.members; do
	a=$(basename "$f" .members)
	if ! lac -C "$P" --now "$now" --format json preview "$a" --all >"$T/out.json" 2>"$T/err"; then
		fail "$a: preview on bigquery failed"; cat "$T/err" >&2; continue
	fi
	expect_eq "$a members through the bigquery connector" "$(cat "$f")" "$(members <"$T/out.json")"
done
expect_eq "signed in once per command with the service-account key" "$(ls "$ex"/expected/*.members | wc -l)" \
	"$(log_count '"path": "/token", "status": 200')"
[ "$(log_count '"pageToken": "p')" -gt 0 ] && pass || fail "results read in several pages"
grep -q '"labels": {"lac_command": "preview"}' "$T/fake.log" && pass || fail "labelled lac_command=preview"
grep -q '"jobTimeoutMs": "30000"' "$T/fake.log" && pass || fail "timeout sent as jobTimeoutMs"

# ---- plan: dry runs and what each audience's query scans --------------------
expect_status "plan --validate" 0 lac -C "$P" --now "$now" plan --validate
grep -q "^audience 'cat_owners': its query scans [1-9][0-9]* bytes$" "$T/out" && pass ||
	{ fail "plan --validate shows the bytes scanned"; cat "$T/out" >&2; }
grep -q '"dryRun": true' "$T/fake.log" && pass || fail "validated by dry runs"
expect_status "plan --preview" 0 lac -C "$P" --now "$now" plan --preview
grep -q "^      scans: [1-9][0-9]* bytes$" "$T/out" && pass || { fail "plan --preview shows the bytes"; cat "$T/out" >&2; }
# a broken audience: the dry run's invalidQuery names the audience
mkdir -p "$T/bad" && cp -R "$P/." "$T/bad/"
pg "CREATE TABLE public.pets_backup AS SELECT * FROM public.pets; ALTER TABLE public.pets RENAME COLUMN type TO kind"
expect_status "plan --validate with a column gone" 1 lac -C "$T/bad" --now "$now" plan --validate
grep -q "audience 'cat_owners' (audiences/pets.lac:3).*the warehouse rejects its SQL: BigQuery: .*(invalidQuery, HTTP 400)" "$T/err" &&
	pass || { fail "names the audience and BigQuery's error"; cat "$T/err" >&2; }
pg "ALTER TABLE public.pets RENAME COLUMN kind TO type; DROP TABLE public.pets_backup"

# ---- the README flow: apply, baseline, data change, run, events -------------
# and copies in their own datasets for the timeout and kill cases below,
# all with their baseline before the data changes
copies="timeout generation swap_members dest"
for c in $copies; do
	cp -R "$P" "$T/$c"
	configure "$T/$c" "lac_$c"
done
# dest: its events go to the warehouse destination, in dataset out
printf '  writeback: { type: warehouse, table: LAC_EVENTS, schema: out }\n' >>"$T/dest/lac.yaml"
sed 's/destination events_file/destination writeback/' "$P/audiences/pets.lac" >"$T/dest/audiences/pets.lac"
for c in p $copies; do
	Q="$T/$c"
	lac -C "$Q" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
	expect_status "$c: baseline run" 0 lac -C "$Q" --now 2026-01-15T12:00:00Z run cat_owners multi_dog_owners
done
expect_eq "snapshot in dataset lac" "p01 p07 p10 p13 p14" \
	"$(pg 'SELECT member_id FROM lac.snapshot_cat_owners ORDER BY 1' | tr '\n' ' ' | sed 's/ $//')"
grep -q '"sql": "BEGIN TRANSACTION;' "$T/fake.log" && pass || fail "a unit of commit sent as one script"
grep -q '"lac_command": "run", "lac_audience": "cat_owners", "lac_run": "run_' "$T/fake.log" && pass ||
	fail "run jobs labelled with command, audience and run id"
pg "INSERT INTO public.pets VALUES ('x30','h02','Mia','cat',2,'2025-01-01'),
	('x31','h02','Odie','dog',3,'2025-01-01'), ('x32','h10','Pluto','dog',4,'2025-01-01');
	DELETE FROM public.pets WHERE id IN ('x11','x13');"
expected_events="dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x03|true
dog_bundle|track|Dog Bundle Eligible|anon:p02|households.pets|x31|true
dog_bundle|track|Dog Bundle Eligible|anon:p09|households.pets|x32|true
welcome_cat|track|Audience Entered|anon:p02|-|-|true"
# tables.get of the previous snapshot refused: the run fails and sends
# nothing (taken for missing, every member would enter again)
faults '{"faults": [{"on": "tables", "match": "snapshot_", "do": "deny", "times": 9}]}'
expect_status "snapshot lookup refused: exit 1" 1 lac -C "$P" --now 2026-01-15T12:30:00Z run cat_owners multi_dog_owners
grep -q "warehouse error in audience 'cat_owners' .*Permission bigquery.tables.get denied" "$T/err" && pass ||
	{ fail "snapshot lookup refused: the error"; cat "$T/err" >&2; }
expect_eq "snapshot lookup refused: nothing sent" 0 "$(cat "$P/out/events.jsonl" 2>/dev/null | wc -l | tr -d ' ')"
faults '{}'
expect_status "run after the change" 0 lac -C "$P" --now 2026-01-15T13:00:00Z run cat_owners multi_dog_owners
expect_eq "events of the change" "$expected_events" "$("$py" "$lib" summary "$P/out/events.jsonl")"
expect_status "daemon --once" 0 lac -C "$P" daemon --once --now 2026-01-15T14:00:00Z
expect_eq "daemon: nothing sent twice" 4 "$(wc -l <"$P/out/events.jsonl")"
grep -q '"lac_command": "daemon"\|"lac_command": "run"' "$T/fake.log" && pass || fail "daemon labelled"

# ---- skipping unchanged inputs: tables.get lastModifiedTime ------------------
# on the real clock (the comparison is with the run's start); a fake sees a
# psql change only when it starts (tests/fakes/pg_backend.py): a second one
S="$T/skip"
lac init --example petshop "$S" >/dev/null
configure "$S" lac_skip
lac -C "$S" -q apply --auto-approve --no-run >/dev/null
sleep 1 # a run starting in the fake's start second would not skip
expect_status "skip: first run" 0 lac -C "$S" run cat_owners
expect_eq "skip: nothing changed" "cat_owners: Skipped (inputs unchanged)" "$(lac -C "$S" run cat_owners)"
expect_eq "skip: --force runs" "cat_owners: Live" "$(lac -C "$S" run --force cat_owners | cut -d, -f1)"
pg "UPDATE public.pets SET age = age WHERE id = 'x01'"
fake_start skip fake_bigquery.py --dsn "host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_bq" \
	--log "$T/skip.log" --control "$T/control.json" --pubkey "$T/pub.pem" \
	--sa-email "$email" --token "$static_token" --lifetime 600
sed -i "s|endpoint: \"$url\"|endpoint: \"$FAKE_URL\"|" "$S/lac.yaml"
sa_json "$T/key.pem" service_account "$FAKE_URL" >"$T/sa-skip.json" # its own token endpoint
chmod 600 "$T/sa-skip.json"
expect_eq "skip: a changed input runs" "cat_owners: Live" \
	"$(BQ_CREDENTIALS="$T/sa-skip.json" lac -C "$S" run cat_owners | cut -d, -f1)"

# ---- a warehouse error at the failing condition, named as in the graph ------
# BigQuery's "at [L:C]" mapped through the SQL's source map: preview points
# at the condition, run (the applied text) at the header
pg "ALTER TABLE public.pets RENAME COLUMN type TO kind"
expect_status "preview, a column missing in the warehouse" 1 lac -C "$P" --now "$now" preview cat_owners
expect_eq "preview: at the condition, named pet.type" \
	"lac: warehouse error in audience 'cat_owners' (audiences/pets.lac:9:35): BigQuery: column pet.type does not exist at [11:11] (invalidQuery, HTTP 400)" \
	"$(grep -v '^lac: warning:' "$T/err")"
expect_status "run, the same" 1 lac -C "$P" --now 2026-01-15T14:30:00Z run cat_owners
expect_eq "run: at the header, named pet.type" 1 \
	"$(grep -c "^lac: cat_owners: warehouse error in audience 'cat_owners' (audiences/pets.lac:3): BigQuery: column pet.type does not exist at \[[0-9]*:[0-9]*\]" "$T/err")"
pg "ALTER TABLE public.pets RENAME COLUMN kind TO type"

# ---- faults retried: 429 with and without Retry-After, 503, a reset, a failed job
faults '{"faults": [{"on": "query", "do": "429-retry-after"}, {"on": "query", "do": "429"},
	{"on": "page", "do": "503"}, {"on": "page", "do": "reset"},
	{"on": "query", "match": "PROFILE_TRAITS", "do": "job-error", "reason": "rateLimitExceeded"}]}'
: >"$T/fake.log"
cat_owners_through "faults"
expect_eq "faults: each injected once" 5 "$(log_count '"fault"\|"reason": "rateLimitExceeded"')"
"$py" - "$T/fake.log" <<'EOF' && pass || fail "faults: a POST resent with its requestId, a failed job run as a new one"
import json, sys
posts = [json.loads(l) for l in open(sys.argv[1]) if '"/bigquery/v2/projects/lac-test/queries"' in l]
first, second = posts[0], posts[1]
assert first["status"] == 429 and second["status"] == 429 and first["requestId"] == second["requestId"], posts[:2]
failed = [p for p in posts if p.get("reason") == "rateLimitExceeded" and p["status"] == 403]
assert failed and failed[0]["requestId"] != posts[-1]["requestId"], posts
EOF
# a job still running when jobs.query answers: polled until complete, then paged
faults '{"faults": [{"on": "query", "match": "PROFILE_TRAITS", "do": "slow", "seconds": 0.6}]}'
: >"$T/fake.log"
cat_owners_through "polled"
[ "$(log_count '"pageToken": null')" -ge 2 ] && pass || fail "polled: getQueryResults while jobComplete was false"
faults '{}'

# a job that fails while polled (jobs.get says DONE with its errorResult):
# run again as a new job, with a new requestId
faults '{"faults": [{"on": "query", "match": "PROFILE_TRAITS", "do": "late-error", "reason": "backendError", "seconds": 0.3}]}'
: >"$T/fake.log"
cat_owners_through "failed while polled"
"$py" - "$T/fake.log" <<'EOF' && pass || fail "failed while polled: asked jobs.get, then a new job"
import json, sys
L = [json.loads(l) for l in open(sys.argv[1])]
[get] = [e for e in L if e["method"] == "GET" and "/jobs/" in e["path"]]
[first] = [e for e in L if e["method"] == "POST" and e.get("jobId") == get["jobId"]]
again = [e for e in L if e["method"] == "POST" and e.get("sql") == first["sql"]]
assert len(again) == 2 and again[0]["requestId"] != again[1]["requestId"], again
EOF
# polls that fail while the job itself succeeds (jobs.get does not say it
# failed): the statement fails, never run again as a second job
faults '{"faults": [{"on": "query", "match": "PROFILE_TRAITS", "do": "slow", "seconds": 0.3},
	{"on": "results", "do": "503", "times": 20}]}'
: >"$T/fake.log"
expect_status "polls refused: preview fails" 1 lac -C "$P" --now "$now" --format json preview cat_owners --all
expect_eq "polls refused: the statement was submitted once" 1 \
	"$("$py" -c 'import json, sys
L = [json.loads(l) for l in open(sys.argv[1])]
refused = {e["jobId"] for e in L if e["method"] == "GET" and e["status"] == 503}
sqls = [e["sql"] for e in L if e["method"] == "POST" and e.get("jobId") in refused]
print(sum(1 for e in L if e["method"] == "POST" and e.get("sql") in sqls))' "$T/fake.log")"
faults '{}'

# ---- bad input: one clear error each, no secret quoted, nothing lost ----------
bad() { # NAME EXPECTED-TEXT [VAR=VALUE ...] — preview fails with EXPECTED-TEXT
	name=$1 want=$2
	shift 2
	set +e
	env "$@" "$LAC" -C "$P" --now "$now" preview cat_owners >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	expect_eq "$name: exit 1" 1 "$rc"
	grep -q -- "$want" "$T/err" && pass || { fail "$name: says '$want'"; cat "$T/err" >&2; }
	if grep -q "$static_token\|BEGIN PRIVATE\|ya29\.fake" "$T/err"; then fail "$name: quotes a secret"; cat "$T/err" >&2; else pass; fi
}
bad "external_account key" 'a key of type "external_account" is not supported.*token:' BQ_CREDENTIALS="$T/external.json"
bad "unreadable key file" "cannot read the credentials file" BQ_CREDENTIALS="$T/missing.json"
bad "wrong key" "cannot sign in to BigQuery as $email.*Invalid JWT Signature" BQ_CREDENTIALS="$T/wrong-key.json"
bad "empty credentials" "BigQuery credentials are empty" BQ_CREDENTIALS=
bad "wrong location" "Not found: Dataset lac-test:lac was not found in location US (notFound, HTTP 404)" BQ_LOCATION=US
faults '{"faults": [{"on": "query", "match": "PROFILE_TRAITS", "do": "deny", "times": 9}]}'
bad "missing grant" "BigQuery: Access Denied: .*(accessDenied, HTTP 403)"
faults '{}'
# a query over maximum_bytes_billed: BigQuery's refusal (nothing runs, nothing billed)
cp -R "$P" "$T/cap"
sed 's/^  location: .*/&\n  maximum_bytes_billed: 1000/' "$P/lac.yaml" >"$T/cap/lac.yaml"
set +e
lac -C "$T/cap" --now "$now" preview cat_owners >"$T/out" 2>"$T/err"
rc=$?
set -e
expect_eq "bytes billed cap: exit 1" 1 "$rc"
grep -q "Query exceeded limit for bytes billed: 1000. [0-9]* or higher required. (bytesBilledLimitExceeded, HTTP 400)" "$T/err" &&
	pass || { fail "bytes billed cap: BigQuery's error"; cat "$T/err" >&2; }
sed 's/^  location: .*/&\n  maximum_bytes_billed: "${BQ_CAP}"/' "$P/lac.yaml" >"$T/cap/lac.yaml"
bad_cap() { BQ_CAP=12x "$LAC" -C "$T/cap" --now "$now" preview cat_owners; }
expect_status "bytes billed cap from a bad \${VAR}" 1 bad_cap
grep -q "maximum_bytes_billed must be a whole number of bytes" "$T/err" && pass || { fail "bad cap: says so"; cat "$T/err" >&2; }
# a token given as is, and one the server rejects
cp -R "$P" "$T/tok"
sed 's/  credentials: .*/  token: "${BQ_TOKEN}"/' "$P/lac.yaml" >"$T/tok/lac.yaml"
expect_status "token: as given" 0 env BQ_TOKEN=$static_token "$LAC" -C "$T/tok" --now "$now" preview cat_owners
BQ_TOKEN=ya29.revoked-or-expired-token
export BQ_TOKEN
set +e
lac -C "$T/tok" --now "$now" preview cat_owners >"$T/out" 2>"$T/err"
rc=$?
set -e
unset BQ_TOKEN
expect_eq "rejected token: exit 1" 1 "$rc"
grep -q "Request had invalid authentication credentials.*(authError, HTTP 401)" "$T/err" && pass || { fail "rejected token: BigQuery's error"; cat "$T/err" >&2; }
grep -q "revoked-or-expired" "$T/err" && { fail "rejected token: quoted"; cat "$T/err" >&2; } || pass
# a wrong host: the transport's error, after the client's retries (their
# backoff capped at 20 ms: BigQuery's own, 1 s doubling, would wait 7.5-15 s)
sed "s#endpoint: .*#endpoint: \"http://127.0.0.1:1\"#" "$P/lac.yaml" >"$T/wrong-host.yaml"
cp -R "$P" "$T/wh" && cp "$T/wrong-host.yaml" "$T/wh/lac.yaml"
set +e
LAC_TEST_BACKOFF_MAX_MS=20 lac -C "$T/wh" --now "$now" preview cat_owners >"$T/out" 2>"$T/err"
rc=$?
set -e
expect_eq "wrong host: exit 1" 1 "$rc"
grep -q "cannot reach BigQuery at http://127.0.0.1:1/bigquery/v2/projects/lac-test" "$T/err" && pass ||
	{ fail "wrong host: says so"; cat "$T/err" >&2; }
expect_eq "nothing lost by bad input" 4 "$(wc -l <"$P/out/events.jsonl")"
# a credentials path whose ${VAR} climbs with '..' is refused; key JSON in
# the variable names no directory, so a '/../' inside it is fine
mkdir "$T/sub"
expect_status "credentials path with '..' from a \${VAR}" 1 env BQ_CREDENTIALS="$T/sub/../sa.json" "$LAC" -C "$P" check
grep -q "error\[E006\]: environment variable 'BQ_CREDENTIALS' used in a path must not contain '..'" "$T/err" &&
	pass || { fail "credentials path with '..': E006"; cat "$T/err" >&2; }
sa_inline=$("$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); d["note"] = "a/../b"; print(json.dumps(d))' "$T/sa.json")
expect_status "credentials JSON in a \${VAR}, holding '/../'" 0 env BQ_CREDENTIALS="$sa_inline" "$LAC" -C "$P" --now "$now" preview cat_owners

# ---- HTTPS with a self-signed certificate: refused until tls: {ca_file} trusts it
# (the API and the token endpoint alike: both clients take the warehouse's
# http_client_config, as in the Snowflake and Databricks connectors)
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/tls.key" -out "$T/tls.pem" >/dev/null 2>&1
fake_start tls fake_bigquery.py --dsn "host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_bq" \
	--log "$T/tls.log" --pubkey "$T/pub.pem" --sa-email "$email" \
	--tls "$T/tls.pem" "$T/tls.key" --lifetime 600
turl="https://127.0.0.1:$FAKE_PORT"
sa_json "$T/key.pem" service_account "$turl" >"$T/sa-tls.json"
H="$T/https"
cp -R "$P" "$H"
sed "s#endpoint: .*#endpoint: \"$turl\"#" "$P/lac.yaml" >"$H/lac.yaml"
expect_status "https: refused without a CA" 1 env BQ_CREDENTIALS="$T/sa-tls.json" "$LAC" -C "$H" --now "$now" preview cat_owners
grep -q "SSL certificate problem" "$T/err" && pass || { fail "https: says why"; cat "$T/err" >&2; }
sed "s#endpoint: .*#&\n  tls: { ca_file: $T/tls.pem }#" "$H/lac.yaml" >"$T/lac-tls.yaml" && cp "$T/lac-tls.yaml" "$H/lac.yaml"
if env BQ_CREDENTIALS="$T/sa-tls.json" "$LAC" -C "$H" --now "$now" --format json preview cat_owners --all >"$T/out.json" 2>"$T/err"; then
	expect_eq "https: the warehouse's ca_file trusts it" "p01 p02 p10 p13 p14" "$(members <"$T/out.json" | tr '\n' ' ' | sed 's/ $//')"
else
	fail "https: preview with the warehouse's ca_file failed"; cat "$T/err" >&2
fi
expect_eq "https: signed in over HTTPS" 1 "$(grep -c '"path": "/token", "status": 200' "$T/tls.log" || true)"
sed "/^  tls: /d; 1i tls: { ca_file: $T/tls.pem }" "$H/lac.yaml" >"$T/lac-tls.yaml" && cp "$T/lac-tls.yaml" "$H/lac.yaml"
expect_status "https: the top-level ca_file trusts it too" 0 env BQ_CREDENTIALS="$T/sa-tls.json" "$LAC" -C "$H" --now "$now" preview cat_owners

# ---- a statement timeout: cancelled, the run failed, the next run completes it
Q="$T/timeout"
faults '{"faults": [{"on": "query", "match": "snapshot_cat_owners__new", "do": "slow", "seconds": 4}]}'
: >"$T/fake.log"
expect_status "timeout: the run fails" 1 env BQ_TIMEOUT=1s "$LAC" -C "$Q" --now 2026-01-15T13:00:00Z run cat_owners multi_dog_owners
grep -q "ran longer than the timeout (1000 ms) and was cancelled" "$T/err" && pass || { fail "timeout: says so"; cat "$T/err" >&2; }
expect_eq "timeout: the job cancelled" 1 "$(log_count '/cancel", "status": 200')"
faults '{}'
expect_status "timeout: the next run completes it" 0 lac -C "$Q" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
expect_eq "timeout: every event exactly once" "$expected_events" "$("$py" "$lib" summary "$Q/out/events.jsonl")"
expect_status "timeout: messageIds unique" 0 "$py" "$lib" ids "$Q/out/events.jsonl"

# ---- SIGINT mid-statement: the job cancelled (jobs.cancel), lac ends by the signal
faults '{"faults": [{"on": "query", "match": "PROFILE_TRAITS", "do": "slow", "seconds": 5}]}'
: >"$T/fake.log"
"$LAC" -C "$P" --now "$now" preview cat_owners >"$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 50); do grep -q '"jobId"' "$T/fake.log" && break; sleep 0.1; done
kill -INT "$pid"
set +e
wait "$pid"
rc=$?
set -e
expect_eq "SIGINT: ends by the signal" 130 "$rc"
expect_eq "SIGINT: the job cancelled" 1 "$(log_count '/cancel", "status": 200')"
# and while a jobs.query (here a dry run, which has no job to wait on) is
# still being answered: lac ends by the signal once the answer is in
faults '{"faults": [{"on": "query", "match": "PROFILE_TRAITS", "do": "hold", "seconds": 1.5}]}'
"$LAC" -C "$P" --now "$now" plan --validate >"$T/out" 2>"$T/err" &
pid=$!
sleep 0.7
kill -INT "$pid"
set +e
wait "$pid"
rc=$?
set -e
expect_eq "SIGINT during jobs.query: ends by the signal" 130 "$rc"
faults '{}'

# ---- a statement the rewrite table does not cover: BigQuery's error shape naming it
"$py" - "$url" "$static_token" <<'EOF' && pass || fail "uncovered statement: invalidQuery naming it"
import json, sys, urllib.error, urllib.request
req = urllib.request.Request(sys.argv[1] + "/bigquery/v2/projects/lac-test/queries", method="POST",
                             data=json.dumps({"query": "SELECT 1 FROM t QUALIFY x = 1",
                                              "useLegacySql": False, "location": "EU"}).encode(),
                             headers={"Authorization": "Bearer " + sys.argv[2]})
try:
    urllib.request.urlopen(req)
    sys.exit("accepted")
except urllib.error.HTTPError as e:
    err = json.loads(e.read())["error"]
    print(e.code, err)
    assert e.code == 400 and err["errors"][0]["reason"] == "invalidQuery", err
    assert "not covered by the rewrite table: keyword QUALIFY" in err["message"], err
EOF

# ---- the warehouse destination: one MERGE on message_id per batch ---------------
Q="$T/dest"
: >"$T/fake.log"
set +e
# --jobs 1: the crash kills lac itself, not one run's process (run_jobs_pg.sh)
LAC_TEST_CRASH_AFTER=send "$LAC" -C "$Q" --now 2026-01-15T13:00:00Z run --jobs 1 cat_owners multi_dog_owners \
	>"$T/out" 2>"$T/err"
rc=$?
set -e
expect_eq "dest: killed after the warehouse took the page" 137 "$rc"
expect_status "dest: next run resends the page" 0 lac -C "$Q" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
expect_eq "dest: every event once, the resent one not doubled" "4 4 4" \
	"$(pg "SELECT COUNT(*), COUNT(DISTINCT message_id), COUNT(*) FILTER (WHERE event->>'messageId' = message_id) FROM out.lac_events" | tr '|' ' ')"
expect_eq "dest: the events" "Audience Entered
Dog Bundle Eligible
Dog Bundle Eligible
Dog Bundle Eligible" "$(pg "SELECT event->>'event' FROM out.lac_events ORDER BY 1")"
expect_eq "dest: a JSON column" jsonb "$(pg "SELECT data_type FROM information_schema.columns WHERE table_schema = 'out' AND column_name = 'event'")"
expect_eq "dest: written with MERGE from an array of STRUCTs, never INSERT INTO" "yes 0" \
	"$(grep -q 'MERGE INTO out.LAC_EVENTS AS t USING (SELECT .* FROM UNNEST(ARRAY<STRUCT<' "$T/fake.log" && echo yes) $(grep -c 'INSERT INTO out' "$T/fake.log" || true)"

# ---- killed at two crash points: the next run completes, nothing sent twice --
for point in generation swap_members; do
	Q="$T/$point"
	set +e
	# --jobs 1: the crash kills lac itself, not one run's process (run_jobs_pg.sh)
	LAC_TEST_CRASH_AFTER=$point "$LAC" -C "$Q" --now 2026-01-15T13:00:00Z run --jobs 1 cat_owners multi_dog_owners \
		>"$T/out" 2>"$T/err"
	rc=$?
	set -e
	expect_eq "$point: killed" 137 "$rc"
	expect_eq "$point: nothing delivered by the killed run" 0 "$(cat "$Q/out/events.jsonl" 2>/dev/null | wc -l)"
	expect_status "$point: next run" 0 lac -C "$Q" --now 2026-01-15T14:00:00Z run cat_owners multi_dog_owners
	expect_eq "$point: every event exactly once" "$expected_events" "$("$py" "$lib" summary "$Q/out/events.jsonl")"
	expect_status "$point: messageIds unique" 0 "$py" "$lib" ids "$Q/out/events.jsonl"
	expect_eq "$point: the crashed run's now" '"2026-01-15T13:00:00Z"' \
		"$("$py" "$lib" field "$Q/out/events.jsonl" welcome_cat anon:p02 timestamp)"
	expect_status "$point: quiet run" 0 lac -C "$Q" --now 2026-01-15T15:00:00Z run cat_owners multi_dog_owners
	expect_eq "$point: still exactly once" 4 "$(wc -l <"$Q/out/events.jsonl")"
	expect_eq "$point: no copy of a snapshot left" "" \
		"$(pg "SELECT table_name FROM information_schema.tables WHERE table_schema = 'lac_$point' AND table_name LIKE '%__new'")"
done
grep -q '"sql": "CREATE OR REPLACE TABLE lac_swap_members.snapshot_cat_owners COPY lac_swap_members.snapshot_cat_owners__new"' "$T/fake.log" &&
	pass || fail "a snapshot replaced by a table copy (CREATE OR REPLACE TABLE .. COPY)"
finish
