#!/bin/sh
# tests/e2e/reports.sh — what runs report (SPEC §5, §6; docs/runs.md): one
# report serializer for `lac run`, `lac apply` and `lac daemon` (NDJSON);
# a completed crashed run reports its own counts; `events` is "events from
# audience" in every command; `lac delivery` shows invalid and failed
# samples with reasons; `lac runs` lists every activation of a run; runs of
# a disabled audience (Disabled) or of one whose activations are all
# disabled (Paused) are recorded; `lac status` shows when a never-run
# audience is due.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3
lac init --example petshop "$T/base" >/dev/null
# the webhook destination becomes a file: tests never touch the network
sed -i 's|^  hook:$|  hook: { type: file, path: out/hook.jsonl }\n  old_hook:|' "$T/base/lac.yaml"
cat >"$T/base/audiences/extra.lac" <<'LAC'
audience cat_owners_sync {
  schedule every 1 hour
  where { part of audience cat_owners }
  activation crm {
    destination events_file
    trigger     membership changed
    identifier  user_id
    send current
  }
  activation gone {
    destination events_file
    trigger     profile exited
  }
}
LAC
P="$T/p"
cp -R "$T/base" "$P"
db="$P/data/warehouse.db"
state="$P/.lac/state.db"
jq() { "$py" -c "import json, sys; d = json.load(sys.stdin); $1"; }
# the keys of the first run report of `lac run --format json`'s {"runs", "errors"}
keys() { jq 'print(" ".join(sorted(d["runs"][0].keys())))'; }

# ---- 7. status before the first run: due now ----------------------------------------
expect_status "status before any run" 0 lac -C "$P" --now 2026-01-15T12:00:00Z status
expect_eq "not applied yet, next run now" "cat_owners not applied now" \
	"$(awk '$1 == "cat_owners" { print $1, $7, $8, $9 }' "$T/out")"
expect_eq "a disabled audience is never due" "-" \
	"$(sed -i 's/^  schedule every 1 hour$/&\n  enabled false/' "$P/audiences/extra.lac" \
	   && lac -C "$P" --now 2026-01-15T12:00:00Z status | awk '$1 == "cat_owners_sync" { print $NF == "-" ? $(NF-1) : "?" }')"
sed -i '/^  enabled false$/d' "$P/audiences/extra.lac"
lac -C "$P" --now 2026-01-15T12:00:00Z --format json status >"$T/status.json"
expect_eq "status json: due, next run at now" "True 2026-01-15T12:00:00Z" \
	"$(jq '[print(a["due"], a["next_run_at"]) for a in d if a["audience"] == "cat_owners"]' <"$T/status.json")"
lac -C "$P" --format json apply --no-run --auto-approve --now 2026-01-15T12:00:00Z >/dev/null
expect_eq "applied, not run (apply --no-run): still due" "True 2026-01-15T12:30:00Z" \
	"$(lac -C "$P" --now 2026-01-15T12:30:00Z --format json status \
	   | jq '[print(a["due"], a["next_run_at"]) for a in d if a["audience"] == "cat_owners"]')"

# ---- 1. apply's runs are the same reports as `lac run`'s ------------------------------
lac -C "$P" --format json apply --auto-approve --now 2026-01-15T12:00:00Z >"$T/apply.json"
expect_eq "apply ran the due audiences" "yes" \
	"$(jq 'print("yes" if len(d["runs"]) >= 2 else "no")' <"$T/apply.json")"
apply_keys=$(jq 'print(" ".join(sorted(d["runs"][0].keys())))' <"$T/apply.json")
lac -C "$P" --format json --now 2026-01-15T12:05:00Z run cat_owners >"$T/run.json"
expect_eq "apply and run: the same keys" "$(keys <"$T/run.json")" "$apply_keys"
expect_eq "apply reports pending, filtered, invalid" "0 4 0" \
	"$(jq '[print(r["pending"], r["filtered"], r["invalid"]) for r in d["runs"] if r["audience"] == "cat_owners_sync"]' <"$T/apply.json")"

# ---- 3. events = events from audience, in run, runs and delivery ----------------------
expect_eq "run events = delivered + filtered (+ pending, failed, invalid)" "5 1 4" \
	"$(jq '[print(r["events"], r["delivered"], r["filtered"]) for r in d["runs"] if r["audience"] == "cat_owners_sync"]' <"$T/apply.json")"
lac -C "$P" --format json delivery cat_owners_sync >"$T/del.json"
expect_eq "delivery events_from_audience agrees" "5" \
	"$(jq 'print(sum(a["events_from_audience"] for a in d))' <"$T/del.json")"
lac -C "$P" --format json runs cat_owners_sync >"$T/runs.json"
expect_eq "runs summary events agrees" "5" "$(jq 'print(d[0]["summary"]["events"])' <"$T/runs.json")"

# ---- 5. runs: every activation of the run, zeros when it had no events ----------------
expect_eq "runs delivery lists both activations" "crm gone" \
	"$(jq 'print(" ".join(sorted(d[0]["delivery"].keys())))' <"$T/runs.json")"
expect_eq "the quiet one has zeros" "0 0" \
	"$(jq 'g = d[0]["delivery"]["gone"]; print(g["events_from_audience"], g["successful_delivery"])' <"$T/runs.json")"

# ---- 2. a completed crashed run reports what it delivered ----------------------------
change() {
	sqlite3 "$1" "INSERT INTO PETS VALUES ('x30','h02','Mia','cat',2,'2025-01-01');
		DELETE FROM PETS WHERE id IN ('x11','x13');"
}
change "$db"
set +e
LAC_TEST_CRASH_AFTER=outbox "$LAC" -C "$P" --now 2026-01-15T13:00:00Z run cat_owners >/dev/null 2>&1
rc=$?
set -e
expect_eq "killed" 137 "$rc"
lac -C "$P" --format json --now 2026-01-15T14:00:00Z run cat_owners >"$T/run2.json"
expect_eq "completed previous: its counts are reported" "True Live +1 -1 1 event 1 delivered" \
	"$(jq 'r = d["runs"][0]; p = r["previous"]; print(r["completed_previous"], p["result"], "+%d -%d %d event %d delivered" % (p["entered"], p["exited"], p["events"], p["delivered"]))' <"$T/run2.json")"
expect_eq "the new run itself changed nothing" "0 0 0" \
	"$(jq 'r = d["runs"][0]; print(r["entered"], r["exited"], r["events"])' <"$T/run2.json")"
expect_eq "the previous report is the crashed run" "Live" \
	"$(sqlite3 "$state" "SELECT result FROM runs WHERE id = '$(jq 'print(d["runs"][0]["previous"]["run_id"])' <"$T/run2.json")'")"
# text: a line for the completed run, then the run's own
P2="$T/p2"
cp -R "$T/base" "$P2"
lac -C "$P2" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null # run runs what was applied
lac -C "$P2" --now 2026-01-15T12:00:00Z run cat_owners >/dev/null
change "$P2/data/warehouse.db"
LAC_TEST_CRASH_AFTER=swap "$LAC" -C "$P2" --now 2026-01-15T13:00:00Z run cat_owners >/dev/null 2>&1 || true
expect_status "run after a crash (text)" 0 lac -C "$P2" --now 2026-01-15T14:00:00Z run cat_owners
expect_eq "text: the completed run's line" "1" \
	"$(grep -c '^cat_owners: completed unfinished run run_[0-9TZ]*_[0-9a-f]*: Live, 5 members, .*1 event, 1 delivered$' "$T/out")"
expect_eq "text: then the run's own" "cat_owners: Live, 5 members, +0 -0, 0 events, 0 delivered" \
	"$(tail -n 1 "$T/out")"

# ---- 4. delivery: samples of invalid and failed events, with reasons ------------------
# a cat owner whose profile id is not UTF-8: its event is invalid
sqlite3 "$db" "INSERT INTO PROFILE_TRAITS (segment_id, email) VALUES (CAST(x'70ff31' AS TEXT), 'e@x.io');
	INSERT INTO EXTERNAL_ID_MAPPING VALUES (CAST(x'70ff31' AS TEXT), 'email', 'e@x.io');
	INSERT INTO HOUSEHOLDS (id, owner_email, city) VALUES ('h-e', 'e@x.io', 'X');
	INSERT INTO PETS (id, household_id, name, type, age) VALUES ('pet-e', 'h-e', 'Cat', 'cat', 1);"
expect_status "run with an invalid event" 0 lac -C "$P" --now 2026-01-15T15:00:00Z run cat_owners
# a refused event, as delivery records one (tests/e2e/delivery.sh drives a real 4xx)
sqlite3 "$state" "INSERT INTO outbox (message_id, destination, audience, activation, run_id, payload,
	status, attempts, last_error, created_at, updated_at) VALUES ('m-refused', 'events_file',
	'cat_owners', 'welcome_cat', 'run_x', '{}', 'failed', 1, 'HTTP 400: bad event', 1, 1)"
lac -C "$P" --format json delivery cat_owners >"$T/del2.json"
expect_eq "json: one invalid sample with its reason" "1 yes" \
	"$(jq 'a = d[0]; s = a["invalid_samples"]; print(len(s), "yes" if s[0]["reason"] and len(s[0]["message_id"]) > 0 else "no")' <"$T/del2.json")"
expect_eq "json: the failed sample" "m-refused HTTP 400: bad event" \
	"$(jq 's = d[0]["failed_samples"][0]; print(s["message_id"], s["reason"])' <"$T/del2.json")"
expect_status "delivery text" 0 lac -C "$P" delivery cat_owners
expect_eq "text: an invalid line" "1" "$(grep -c '^    invalid  *[0-9a-f]\{16,\}  .' "$T/out")"
expect_eq "text: the failed line" "    failed   m-refused  HTTP 400: bad event" "$(grep '^    failed' "$T/out")"
expect_eq "at most 5 samples" "5" "$(for i in 1 2 3 4 5 6 7; do
	sqlite3 "$state" "INSERT INTO outbox (message_id, destination, audience, activation, run_id, payload,
		status, last_error, created_at, updated_at) VALUES ('m$i', 'events_file', 'cat_owners',
		'welcome_cat', 'run_x', '{}', 'failed', 'no', $i, $i)"; done
	lac -C "$P" --format json delivery cat_owners | jq 'print(len(d[0]["failed_samples"]))')"

# ---- 6. Disabled and Paused runs are recorded ----------------------------------------
sed -i 's/^  schedule every 1 hour$/&\n  enabled false/' "$P/audiences/extra.lac"
lac -C "$P" -q --now 2026-01-15T15:30:00Z apply --auto-approve --no-run >/dev/null # run runs what was applied
expect_status "run a disabled audience" 0 lac -C "$P" --now 2026-01-15T16:00:00Z run cat_owners_sync
expect_eq "disabled line" "cat_owners_sync: Disabled, nothing sent" "$(cat "$T/out")"
lac -C "$P" --format json runs cat_owners_sync >"$T/runs2.json"
expect_eq "a Disabled run is recorded" "Disabled {}" \
	"$(jq 'print(d[0]["result"], json.dumps(d[0]["delivery"]))' <"$T/runs2.json")"
expect_eq "snapshot untouched" "1" \
	"$(sqlite3 "$db" "SELECT generation FROM lac_generation WHERE audience = 'cat_owners_sync'")"
sed -i '/^  enabled false$/d' "$P/audiences/extra.lac"
# every activation disabled: the snapshot moves on, nothing is sent
sed -i 's/^    trigger     \(membership changed\|profile exited\)$/&\n    enabled false/' "$P/audiences/extra.lac"
lac -C "$P" -q --now 2026-01-15T16:30:00Z apply --auto-approve --no-run >/dev/null # run runs what was applied
expect_status "run with every activation disabled" 0 lac -C "$P" --now 2026-01-15T17:00:00Z run cat_owners_sync
expect_eq "paused line" "cat_owners_sync: Paused, 6 members, +2 -1, 0 events, 0 delivered" "$(cat "$T/out")"
expect_eq "a Paused run is recorded" "Paused" \
	"$(lac -C "$P" --format json runs cat_owners_sync | jq 'print(d[0]["result"])')"
expect_eq "status shows it, with the members" "Paused 6" \
	"$(lac -C "$P" --format json status | jq '[print(a["status"], a["members"]) for a in d if a["audience"] == "cat_owners_sync"]')"
sed -i '/^    enabled false$/d' "$P/audiences/extra.lac"

# ---- 8. daemon --format json: one report per line, as `lac run` -----------------------
P3="$T/p3"
cp -R "$T/base" "$P3"
lac -C "$P3" -q apply --auto-approve --now 2026-01-15T12:00:00Z
expect_status "daemon json" 0 lac -C "$P3" --format json daemon --once --now 2026-01-15T13:00:00Z
expect_eq "daemon: NDJSON, one object per run" "cat_owners cat_owners_sync recent_buyers" \
	"$("$py" -c '
import json, sys
print(" ".join(sorted(json.loads(l)["audience"] for l in sys.stdin)))' <"$T/out")"
expect_eq "daemon: the keys of lac run, and its log line's type" "$(keys <"$T/run.json") run" \
	"$(head -n 1 "$T/out" | jq 'print(" ".join(sorted(k for k in d.keys() if k != "type")), d["type"])')"

# ---- 9. retention: what is still undelivered after state.retention_days is
# given up (counted as failed), not retried forever ---------------------------------------
lac init --example petshop "$T/ret" >/dev/null
sed -i 's|^  path: .lac/state.db|  path: .lac/state.db\n  retention_days: 1|
	s|^  events_file: { type: file, path: out/events.jsonl }|  events_file: { type: webhook, url: "http://127.0.0.1:9/down", max_retries: 0, timeout: 2 }|' \
	"$T/ret/lac.yaml"
sed -i 's|^    trigger     profile entered$|    trigger     profile entered\n    send current|' "$T/ret/audiences/pets.lac"
lac -C "$T/ret" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null # run runs what was applied
expect_status "retention: a run to a destination that is down" 0 lac -C "$T/ret" --now 2026-01-15T12:00:00Z run cat_owners
delivery() { "$LAC" -C "$T/ret" --format json delivery cat_owners | jq "print(d[0]['$1'])"; }
expect_eq "retention: pending while young" 5 "$(delivery pending_retry)"
expect_status "retention: a day later, still retried" 0 lac -C "$T/ret" --now 2026-01-16T11:00:00Z run cat_owners
expect_eq "retention: still pending within a day" 5 "$(delivery pending_retry)"
expect_status "retention: two days later" 0 lac -C "$T/ret" --now 2026-01-17T12:00:00Z run cat_owners
expect_eq "retention: given up" "0 5" "$(delivery pending_retry) $(delivery failed_delivery)"
sed -i 's|retention_days: 1|retention_days: 0|' "$T/ret/lac.yaml"
expect_status "retention: 0 days is refused" 1 lac -C "$T/ret" check
grep -q "retention_days" "$T/err" && pass || fail "the error names retention_days: $(cat "$T/err")"
finish
