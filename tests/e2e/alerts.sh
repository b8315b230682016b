#!/bin/sh
# tests/e2e/alerts.sh — alerts end to end (SPEC §5 Alerts, docs/alerts.md):
# a copy of examples/petshop with two alerts on cat_owners, a fake Slack
# webhook and an SMTP server that requires STARTTLS and a login
# (alerts_fakes.py, with a self-signed certificate lac is told to trust
# through LAC_TEST_SMTP_CA_FILE).  Days are simulated with --now: each day's
# first run evaluates the day before against the one before that; an alert
# fires when the change is at least its threshold, and again only after a
# day back inside.  Also: `lac alerts` in text and JSON, the plan diff of a
# changed alert, secrets never shown, the daemon's evaluation, and the first days
# again on a PostgreSQL state when a server is installed (tests/pg/start.sh).
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need openssl
need_python aiosmtpd

F="$T/fakes"
mkdir -p "$F"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$F/key.pem" -out "$F/cert.pem" -days 2 \
	-subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null ||
	{ fail "openssl could not make a certificate"; finish; }
/usr/bin/python3 "$SRC/tests/e2e/alerts_fakes.py" "$F" >"$F/out" 2>&1 &
FAKES=$!
on_exit 'kill $FAKES 2>/dev/null'
i=0
while [ ! -s "$F/ports" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$F/ports" ] || { cat "$F/out" >&2; fail "the fake servers did not start"; finish; }
read -r SLACK_PORT SMTP_PORT <"$F/ports"

P="$T/pet"
lac init --example petshop "$P" >/dev/null 2>"$T/err" || { cat "$T/err" >&2; exit 1; }
sed -i 's/destination hook/destination events_file/' "$P/audiences/care.lac"
cat >>"$P/lac.yaml" <<EOF
alerts:
  channels:
    ops_slack: { type: slack, url: "http://127.0.0.1:$SLACK_PORT/services/\${SLACK_TOKEN}" }
    broken_slack: { type: slack, url: "http://127.0.0.1:$SLACK_PORT/fail/\${SLACK_TOKEN}" }
    ops_mail:
      type: email
      smtp_url: "smtp://127.0.0.1:$SMTP_PORT"
      from: lac@example.com
      to: ops@example.com
      username: alerts
      password: "\${SMTP_PASS}"
EOF
/usr/bin/python3 - "$P/audiences/pets.lac" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("""    enrich      households.pets { type, age }
  }
}""", """    enrich      households.pets { type, age }
    send current
  }

  alert shrink {
    kind      size_change
    threshold 25 percent
    notify    ops_slack, ops_mail
  }

  alert health {
    kind      event_health destination events_file
    threshold 50 percent
    notify    ops_slack, broken_slack
  }
}""", 1)
open(p, "w").write(s)
EOF
grep -q 'alert health' "$P/audiences/pets.lac" || fail "setup: alerts not added"
export SLACK_TOKEN=T000-hook-secret-123 SMTP_PASS=s3cret-pass LAC_TEST_SMTP_CA_FILE="$F/cert.pem"

l() { when=$1; shift; lac -C "$P" --now "$when" "$@"; }
# no_cats HOUSEHOLD...: their cats become dogs (cat_owners loses them)
no_cats() {
	/usr/bin/python3 - "$P/data/warehouse.db" "$@" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for h in sys.argv[2:]:
    db.execute("UPDATE PETS SET type = 'dog' WHERE type = 'cat' AND household_id = ?", (h,))
db.commit()
EOF
}
members() { # members NAME WANT: the run said cat_owners has WANT members
	if grep -q "cat_owners: Live, $2 members" "$T/out"; then pass; else
		fail "$1: wanted $2 members in:"; cat "$T/out" "$T/err" >&2; fi
}
told() { # told NAME TEXT: stderr has the line TEXT
	if grep -qxF -- "$2" "$T/err"; then pass; else fail "$1: no line '$2' in:"; cat "$T/err" >&2; fi
}
quiet_day() { # quiet_day NAME: no alert fired
	if grep -q "lac: alert" "$T/err"; then fail "$1: an alert fired:"; cat "$T/err" >&2; else pass; fi
}

# day 14: applied; cat_owners sends its 5 members (delivered that day)
expect_status "apply" 0 l 2026-01-14T10:00:00Z apply --auto-approve
if grep -q "cat_owners: Live, 5 members, +5 -0, 5 events, 5 delivered" "$T/out"; then pass; else
	fail "day 14 run:"; cat "$T/out" >&2; fi
# day 15: fewer cats; nothing to compare yet (no day 13)
no_cats h01
expect_status "day 15 run" 0 l 2026-01-15T10:00:00Z run cat_owners
members "day 15" 3
quiet_day "day 15"
expect_status "alerts before any fired" 0 l 2026-01-15T11:00:00Z alerts
expect_eq "no alert yet" "no alert has fired" "$(cat "$T/out")"
# day 16: members 5 -> 3 is -40% (shrink fires), delivered 5 -> 0 is -100% (health fires)
no_cats h08
expect_status "day 16 run" 0 l 2026-01-16T00:05:00Z run cat_owners
members "day 16" 2
told "day 16 shrink" "lac: alert: members of audience 'cat_owners' went from 5 on 2026-01-14 to 3 on 2026-01-15 (-40.0%; alert 'shrink' fires at 25%); ops_slack sent, ops_mail sent"
told "day 16 health" "lac: alert: events of audience 'cat_owners' delivered to 'events_file' went from 5 on 2026-01-14 to 0 on 2026-01-15 (-100.0%; alert 'health' fires at 50%); ops_slack sent, broken_slack failed: HTTP 404: no such hook: /fail/[redacted]"
expect_eq "Slack posts: two sent, one refused" 3 "$(wc -l <"$F/slack.log")"
if grep -qxF '/services/T000-hook-secret-123 {"text":"members of audience '"'cat_owners'"' went from 5 on 2026-01-14 to 3 on 2026-01-15 (-40.0%; alert '"'shrink'"' fires at 25%)"}' "$F/slack.log"; then
	pass; else fail "Slack post:"; cat "$F/slack.log" >&2; fi
grep -q "^TLS yes$" "$F/mail.log" && pass || { fail "mail not over STARTTLS"; cat "$F/mail.log" >&2; }
grep -q "^RCPT TO ops@example.com$" "$F/mail.log" && pass || fail "mail recipient"
grep -q "^Subject: lac alert 'shrink' of audience 'cat_owners'" "$F/mail.log" && pass || fail "mail subject"
grep -q "^members of audience 'cat_owners' went from 5 on 2026-01-14 to 3" "$F/mail.log" && pass ||
	fail "mail body"
# the same day again evaluates nothing
expect_status "day 16 second run" 0 l 2026-01-16T12:00:00Z run cat_owners
quiet_day "day 16 again"

expect_status "alerts json" 0 l 2026-01-16T13:00:00Z --format json alerts
cat >"$T/want.json" <<'EOF'
[
  {
    "time": "2026-01-16T00:05:00Z",
    "audience": "cat_owners",
    "alert": "shrink",
    "kind": "size_change",
    "previous": 5,
    "current": 3,
    "percent": -40.0,
    "channels": [
      {
        "name": "ops_slack",
        "status": "sent",
        "error": null
      },
      {
        "name": "ops_mail",
        "status": "sent",
        "error": null
      }
    ]
  },
  {
    "time": "2026-01-16T00:05:00Z",
    "audience": "cat_owners",
    "alert": "health",
    "kind": "event_health",
    "previous": 5,
    "current": 0,
    "percent": -100.0,
    "channels": [
      {
        "name": "ops_slack",
        "status": "sent",
        "error": null
      },
      {
        "name": "broken_slack",
        "status": "failed",
        "error": "HTTP 404: no such hook: /fail/[redacted]"
      }
    ]
  }
]
EOF
expect_file_eq "alerts json" "$T/want.json" "$T/out"
expect_status "alerts text" 0 l 2026-01-16T13:00:00Z alerts
cat >"$T/want.txt" <<'EOF'
2026-01-16T00:05:00Z  cat_owners  shrink  size_change  5 -> 3 (-40.0%)
    ops_slack: sent
    ops_mail: sent
2026-01-16T00:05:00Z  cat_owners  health  event_health  5 -> 0 (-100.0%)
    ops_slack: sent
    broken_slack: failed: HTTP 404: no such hook: /fail/[redacted]
EOF
expect_file_eq "alerts text" "$T/want.txt" "$T/out"

# day 17: 3 -> 2 is -33%, still outside since day 16: no second alert
expect_status "day 17 run" 0 l 2026-01-17T10:00:00Z run cat_owners
quiet_day "day 17"
# day 18: 2 -> 2 is back inside; day 19 (the daemon's first wake): 2 -> 1 is -50%, fires again
no_cats h13
expect_status "day 18 run" 0 l 2026-01-18T10:00:00Z run cat_owners
grep -q "cat_owners: Live, 1 member," "$T/out" && pass || fail "day 18: wanted 1 member"
quiet_day "day 18"
expect_status "day 19 daemon" 0 l 2026-01-19T00:01:00Z daemon --once
told "day 19 shrink again" "lac: alert: members of audience 'cat_owners' went from 2 on 2026-01-17 to 1 on 2026-01-18 (-50.0%; alert 'shrink' fires at 25%); ops_slack sent, ops_mail sent"
expect_status "alerts after day 19" 0 l 2026-01-19T01:00:00Z --format json alerts
expect_eq "three fired" 3 "$(grep -c '"alert":' "$T/out")"
expect_eq "two mails" 2 "$(grep -c '^TLS yes$' "$F/mail.log")"

# secrets are never shown
for f in "$T/out" "$T/err"; do
	if grep -q "T000-hook-secret-123\|s3cret-pass" "$f"; then fail "a secret in $f"; else pass; fi
done

# ---- the same days on a PostgreSQL state (when a server is installed) -------------
if pg_start --optional; then
	psql -q -d postgres -c "CREATE DATABASE lac_state" >/dev/null
	export STATE_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=lac_state"
	Q="$T/pg"
	lac init --example petshop "$Q" >/dev/null 2>"$T/err" || { cat "$T/err" >&2; exit 1; }
	cp "$P/audiences/pets.lac" "$P/audiences/care.lac" "$Q/audiences/"
	sed 's|^  path: .lac/state.db$|  type: postgres\n  dsn: "${STATE_DSN}"\n  schema: alerts_state|' \
		"$P/lac.yaml" >"$Q/lac.yaml"
	grep -q "type: postgres" "$Q/lac.yaml" || fail "setup: no postgres state"
	P=$Q
	: >"$F/mail.log"
	expect_status "pg: apply" 0 l 2026-01-14T10:00:00Z apply --auto-approve
	no_cats h01
	expect_status "pg: day 15" 0 l 2026-01-15T10:00:00Z run cat_owners
	expect_status "pg: day 16" 0 l 2026-01-16T00:05:00Z run cat_owners
	told "pg: day 16 shrink" "lac: alert: members of audience 'cat_owners' went from 5 on 2026-01-14 to 3 on 2026-01-15 (-40.0%; alert 'shrink' fires at 25%); ops_slack sent, ops_mail sent"
	expect_status "pg: day 16 again" 0 l 2026-01-16T12:00:00Z run cat_owners
	quiet_day "pg: day 16 again"
	expect_status "pg: alerts" 0 l 2026-01-16T13:00:00Z --format json alerts
	expect_file_eq "pg: alerts json" "$T/want.json" "$T/out"
	expect_eq "pg: one mail" 1 "$(grep -c '^TLS yes$' "$F/mail.log")"
else
	echo "no PostgreSQL server: the PostgreSQL state part is skipped"
fi

# a changed alert is a change of its audience in the plan
sed -i 's/threshold 25 percent/threshold 30 percent/' "$P/audiences/pets.lac"
expect_status "plan shows the alert change" 2 l 2026-01-19T02:00:00Z plan --detailed-exitcode
grep -q "^  ~ audience cat_owners" "$T/out" && pass || { fail "plan: no change"; cat "$T/out" >&2; }
grep -q "^      +     threshold 30 percent" "$T/out" && pass || { fail "plan: no detail"; cat "$T/out" >&2; }
finish
