#!/bin/sh
# tests/e2e/gitops_pipeline.sh — the GitOps recipe of docs/gitops.md, run as
# CI would run it: the command lines are extracted from examples/ci/ (the
# GitHub Actions and GitLab CI files, the systemd unit), every job runs in a
# fresh copy of the repository with no .lac/, and only the PostgreSQL state
# DSN (and the warehouse) are shared between them.
#   1. pull request: the plan shows the changes (exit 2, handled), as a
#      read-only state role, rendered as a review comment;
#   2. merge: apply runs the new audiences while the destination answers 503,
#      so their events stay pending;
#   3. the daemon, in another directory, with the destination healthy,
#      delivers them with the same messageIds;
#   4. the next pull request's plan shows no changes (exit 0), in both CI
#      files' forms; nothing was delivered twice under different ids;
# and a pull request from a fork (no secrets) checks and compiles, and says
# why it has no plan.
# Skipped (77) without PostgreSQL or python3-yaml.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need_python yaml
pg_start
server=
on_exit '[ -z "$server" ] || kill "$server" 2>/dev/null'
CI="$SRC/examples/ci"

# ---- the command lines, from the CI files ------------------------------------------
# jobs.py FILE: each job's shell script, as the CI system would run it, into
# $T/jobs/<ci>-<job>.sh; steps that install lac, post the comment or upload
# are the CI system's business, not lac's, and are left out.
mkdir "$T/jobs"
"$py" - "$CI" "$T/jobs" <<'EOF' || fail "the CI files do not parse"
import sys, yaml, os
ci, out = sys.argv[1], sys.argv[2]
skip = ("install-lac.sh", "gh pr comment", "curl ")
def keep(line):
    return not any(s in line for s in skip)
gh = yaml.safe_load(open(os.path.join(ci, "github", "lac.yml")))
for job in ("review", "apply"):
    with open(os.path.join(out, "github-%s.sh" % job), "w") as f:
        # GitHub runs each run: block with bash -e
        for step in gh["jobs"][job]["steps"]:
            if "run" in step and keep(step["run"]):
                f.write("(set -e\n%s\n) || exit $?\n" % step["run"])
gl = yaml.safe_load(open(os.path.join(ci, "gitlab", "gitlab-ci.yml")))
for job in ("review", "apply"):
    with open(os.path.join(out, "gitlab-%s.sh" % job), "w") as f:
        # GitLab runs the script lines in one shell and stops at a failing one
        for line in gl[job]["script"]:
            if keep(line):
                f.write("%s || exit $?\n" % line)
unit = open(os.path.join(ci, "daemon", "lac-daemon.service")).read()
start = [l.split("=", 1)[1] for l in unit.splitlines() if l.startswith("ExecStart=")]
open(os.path.join(out, "daemon.cmd"), "w").write(start[0] + "\n")
entry = [l for l in open(os.path.join(ci, "daemon", "Containerfile")) if l.startswith("ENTRYPOINT")]
import json
open(os.path.join(out, "container.cmd"), "w").write(" ".join(json.loads(entry[0].split(None, 1)[1])) + "\n")
EOF
for j in github-review github-apply gitlab-review gitlab-apply; do
	grep -q '^.*lac ' "$T/jobs/$j.sh" && pass || fail "$j: no lac command extracted"
done
expect_eq "the container runs the systemd unit's command" "$(cat "$T/jobs/daemon.cmd")" "$(cat "$T/jobs/container.cmd")"

# ---- the repository, the shared state and warehouse, the destination ------------
"$py" "$SRC/tests/http/fault_server.py" --port-file "$T/port" --log "$T/hook.jsonl" \
	--bodies "$T/bodies.jsonl" --lifetime 300 &
server=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
port=$(cat "$T/port")

# roles as a real setup has them: a writer that owns the state schema, and
# a reader for pull requests (plan never writes)
psql -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<'EOF'
CREATE DATABASE lac;
CREATE ROLE lac_writer LOGIN;
CREATE ROLE lac_reader LOGIN;
EOF
psql -q -v ON_ERROR_STOP=1 -d lac >/dev/null <<'EOF'
CREATE SCHEMA lac_state AUTHORIZATION lac_writer;
GRANT USAGE ON SCHEMA lac_state TO lac_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE lac_writer IN SCHEMA lac_state GRANT SELECT ON TABLES TO lac_reader;
EOF
WRITER="host=$PGHOST port=$PGPORT user=lac_writer dbname=lac"
READER="host=$PGHOST port=$PGPORT user=lac_reader dbname=lac"

lac init --example petshop "$T/repo" >/dev/null
mv "$T/repo/data/warehouse.db" "$T/warehouse.db"   # the warehouse: one for every job
rm -rf "$T/repo/.lac" "$T/repo/out"
mkdir "$T/repo/ci"
cp "$CI/plan_comment.py" "$T/repo/ci/"
awk '
	/^warehouse:/ { print "warehouse:\n  type: sqlite\n  path: \"${LAC_WAREHOUSE_PATH}\"\n  schema: lac"; skip = 1; next }
	/^state:/ { print "state:\n  type: postgres\n  dsn: \"${LAC_STATE_DSN}\"\n  schema: lac_state"; skip = 1; next }
	skip && /^[ \t]/ { next }
	{ skip = 0 }
	/url: "https:\/\/hooks.example.com\/petshop"/ { sub(/"https:[^"]*"/, "\"${HOOK_URL}\""); print; print "    max_retries: \"1\""; next }
	{ print }
' "$T/repo/lac.yaml" >"$T/lac.yaml" && mv "$T/lac.yaml" "$T/repo/lac.yaml"
cat >"$T/repo/audiences/ci.lac" <<'EOF'
audience cat_households {
  schedule every 1 hour
  where { with entity households.pets { type = "cat" } }
  activation notify_hook {
    destination hook
    trigger     profile entered
    send current
  }
}
EOF
lac -C "$T/repo" fmt >/dev/null   # the repository is kept formatted (the review job checks)
export LAC_WAREHOUSE_PATH="$T/warehouse.db" HOOK_TOKEN=ci-token

# job NAME SCRIPT DSN HOOK_PATH: run a CI job's script in a fresh checkout
# $T/NAME (lac on PATH), with the state DSN and destination URL of its
# environment; its exit status in $T/NAME.rc, its output in $T/NAME.log.
mkdir "$T/bin"
ln -s "$LAC" "$T/bin/lac"
job() {
	cp -R "$T/repo" "$T/$1"
	set +e
	(cd "$T/$1" && PATH="$T/bin:$PATH" LAC_STATE_DSN="$3" HOOK_URL="http://127.0.0.1:$port/$4/hook" \
		sh "$T/jobs/$2.sh") >"$T/$1.log" 2>&1 </dev/null
	echo $? >"$T/$1.rc"
	set -e
	[ ! -e "$T/$1/.lac" ] && pass || fail "$1: a .lac/ appeared (the state is in PostgreSQL)"
}
job_ok() {
	if [ "$(cat "$T/$1.rc")" = 0 ]; then pass; else
		fail "$1: the job failed (exit $(cat "$T/$1.rc"))"
		sed 's/^/  | /' "$T/$1.log" >&2
	fi
}

# 1. the pull request: everything is new
job pr1 github-review "$READER" ok
job_ok pr1
expect_status "pr1: plan's exit status is 2 (changes)" 2 \
	env -C "$T/pr1" PATH="$T/bin:$PATH" LAC_STATE_DSN="$READER" lac plan --detailed-exitcode
grep -q '^\*\*Plan: 10 to create, 0 to change, 0 to delete.\*\*$' "$T/pr1/plan.md" && pass ||
	{ fail "pr1: the review comment shows the plan"; cat "$T/pr1/plan.md" >&2 || true; }
grep -q '| `+` | audience | `cat_households` | create |' "$T/pr1/plan.md" && pass || fail "pr1: the comment lists the new audience"
[ -s "$T/pr1/sql/snowflake/cat_households.sql" ] && pass || fail "pr1: the compiled SQL artifact"
expect_eq "pr1: the plan wrote nothing to the state" "0" \
	"$(psql -t -A -d lac -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'lac_state'")"

# a pull request from a fork: no secrets, so no state; the other steps run
job fork github-review "" ok
job_ok fork
grep -q '^Not planned: this pull request gets no secrets' "$T/fork/plan.md" && pass || fail "fork: the comment says why there is no plan"
[ -s "$T/fork/sql/snowflake/cat_households.sql" ] && pass || fail "fork: the SQL is still compiled"
job glfork gitlab-review "" ok
job_ok glfork
grep -q '^Not planned' "$T/glfork/plan.md" && pass || fail "fork (GitLab): the note says why there is no plan"

# 2. the merge: apply runs the new audiences; the destination is down
job merge github-apply "$WRITER" down
job_ok merge
grep -q 'Ran cat_households: Live, 5 members, +5 -0, 5 events, 0 delivered, 5 pending' "$T/merge.log" && pass ||
	{ fail "merge: the new audience ran and its events stay pending"; sed 's/^/  | /' "$T/merge.log" >&2; }
# the events still queued in the shared state, one messageId a line
psql -q -t -A -v ON_ERROR_STOP=1 -d lac -c "SELECT t.id FROM lac_state.outbox_chunks AS c
	JOIN lac_state.outbox_chunk_events AS e ON e.chunk_id = c.id,
	unnest(string_to_array(rtrim(convert_from(e.message_ids, 'UTF8'), E'\n'), E'\n')) WITH ORDINALITY AS t(id, k)
	WHERE t.k > c.next UNION ALL SELECT message_id FROM lac_state.outbox WHERE status = 'pending'" |
	sort >"$T/pending"
expect_eq "merge: the 5 events stay pending" 5 "$(wc -l <"$T/pending")"
grep -q '"status": 503' "$T/hook.jsonl" && pass || fail "merge: the destination was tried"

# 3. the daemon, elsewhere, with the destination healthy, two hours later
later=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
cp -R "$T/repo" "$T/daemon"
daemon_cmd=$(sed "s|^/usr/local/bin/lac|lac|; s|-C /srv/audiences|-C $T/daemon|" "$T/jobs/daemon.cmd")
set +e
(PATH="$T/bin:$PATH" LAC_STATE_DSN="$WRITER" HOOK_URL="http://127.0.0.1:$port/ok/hook" \
	sh -c "$daemon_cmd --once --now $later") >"$T/daemon.log" 2>&1 </dev/null
drc=$?
set -e
expect_eq "daemon: exit status" 0 "$drc"
[ "$drc" = 0 ] || sed 's/^/  | /' "$T/daemon.log" >&2
[ ! -e "$T/daemon/.lac" ] && pass || fail "daemon: a .lac/ appeared"
"$py" - "$T/hook.jsonl" "$T/bodies.jsonl" "$T/pending" >"$T/delivery.check" <<'EOF'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
pending = set(open(sys.argv[3]).read().split())
ok = [e["messageId"] for e in log if e["status"] == 200]
problems = []
if set(ok) != pending:
    problems.append("delivered %d, %d of the pending ones" % (len(set(ok)), len(pending & set(ok))))
if len(ok) != len(set(ok)):
    problems.append("a messageId delivered twice")
# the same event (member, activation, event name) under two messageIds
seen = {}
for b in (json.loads(l) for l in open(sys.argv[2])):
    if b["status"] != 200:
        continue
    ev = json.loads(b["body"])
    key = (ev.get("userId") or ev.get("anonymousId"), ev["context"]["personas"]["event_emitter_id"], ev.get("event"))
    seen.setdefault(key, set()).add(ev["messageId"])
dup = [k for k, v in seen.items() if len(v) > 1]
if dup:
    problems.append("delivered under different ids: %s" % dup)
print("\n".join(problems) if problems else "ok %d" % len(set(ok)))
EOF
expect_eq "daemon: the pending events delivered once each, same messageIds" "ok 5" "$(cat "$T/delivery.check")"

# 4. the next pull request: nothing to do, in both CI files' forms
job pr2 github-review "$READER" ok
job_ok pr2
grep -q '^No changes. The applied state matches the files.$' "$T/pr2/plan.md" && pass ||
	{ fail "pr2: the comment says no changes"; cat "$T/pr2/plan.md" >&2 || true; }
expect_status "pr2: plan's exit status is 0 (no changes)" 0 \
	env -C "$T/pr2" PATH="$T/bin:$PATH" LAC_STATE_DSN="$READER" lac plan --detailed-exitcode
job pr3 gitlab-review "$READER" ok
job_ok pr3
grep -q '^No changes' "$T/pr3/plan.md" && pass || fail "pr3 (GitLab): the note says no changes"
job merge2 gitlab-apply "$WRITER" ok
job_ok merge2
grep -q 'No changes' "$T/merge2.log" && pass || { fail "merge2 (GitLab): apply changes nothing"; sed 's/^/  | /' "$T/merge2.log" >&2; }

finish
