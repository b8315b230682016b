#!/bin/sh
# tests/e2e/new_user.sh — the rough edges a new user hit (issue 12), each
# fixed: a SQLite warehouse file that does not exist is an error naming it
# and how to build it, the same for preview, apply and run, and neither
# apply nor run creates it at a mistyped warehouse.path; and the messages
# that read wrong (docs/decisions.md lists each change).
. "${LAC_SRCDIR:-.}/tests/lib.sh"

P="$T/shop"
cp -R "$SRC/examples/petshop" "$P"
rm -rf "$P/data/warehouse.db" "$P/.lac" "$P/out"
NOW=2026-01-15T12:00:00Z

# ---- a missing SQLite warehouse --------------------------------------------------
# paths are the project's (lac runs in -C DIR), the command to type works
# from where lac was started
msg="lac: the SQLite warehouse 'data/warehouse.db' (warehouse.path in lac.yaml) does not exist; build it with: sqlite3 $P/data/warehouse.db < $P/data/warehouse.sql"
expect_status "preview, no warehouse file" 1 lac -C "$P" --now $NOW preview cat_owners
expect_eq "preview names the file and how to build it" "$msg" "$(cat "$T/err")"
expect_status "apply, no warehouse file" 1 lac -C "$P" -q --now $NOW apply --auto-approve
expect_eq "apply says the same" "$msg" "$(sort -u "$T/err")"
expect_status "run, no warehouse file" 1 lac -C "$P" -q --now $NOW run
expect_eq "run says the same" "$msg" "$(sort -u "$T/err")"
[ ! -e "$P/data/warehouse.db" ] && pass || fail "apply/run created data/warehouse.db"

# a mistyped path: nothing is created there either
sed 's|path: data/warehouse.db|path: data/warehose.db|' "$SRC/examples/petshop/lac.yaml" >"$P/lac.yaml"
expect_status "run, mistyped warehouse.path" 1 lac -C "$P" -q --now $NOW run
grep -q "the SQLite warehouse 'data/warehose.db' (warehouse.path in lac.yaml) does not exist; create it with your data, or correct warehouse.path" "$T/err" &&
	pass || fail "the mistyped path's message"
[ ! -e "$P/data/warehose.db" ] && pass || fail "run created the mistyped warehouse file"

# once built, it runs
cp "$SRC/examples/petshop/lac.yaml" "$P/lac.yaml"
sqlite3 "$P/data/warehouse.db" <"$P/data/warehouse.sql"
expect_status "run, warehouse built" 0 lac -C "$P" -q --now $NOW run

# ---- messages --------------------------------------------------------------------
expect_status "an unknown global option" 64 lac --bogus
expect_eq "is called an option" "lac: unknown option '--bogus'
Try 'lac --help'." "$(cat "$T/err")"
expect_status "an unknown command" 64 lac frobnicate
expect_eq "is still a command" "lac: unknown command 'frobnicate'
Try 'lac --help'." "$(cat "$T/err")"
expect_status "lac help help" 0 lac help help
expect_eq "its help" "usage: lac help [COMMAND]

list the commands, or show one command's usage and help." "$(cat "$T/out")"
expect_status "daemon --max-sleep 0" 64 lac -C "$P" daemon --max-sleep 0
expect_eq "says what it takes" "lac: --max-sleep takes a duration of a second or more, like 30s, 5m or 1h (or a number of seconds), not '0'" \
	"$(head -n 1 "$T/err")"
expect_status "daemon --max-sleep 500ms" 64 lac -C "$P" daemon --max-sleep 500ms
# a duration, like --lock-timeout's, is accepted (on a copy, as its pass may run)
cp -R "$P" "$T/max-sleep"
expect_status "daemon --max-sleep 2m --once" 0 lac -C "$T/max-sleep" -q daemon --max-sleep 2m --once
expect_status "apply a plan file that is not there" 1 lac -C "$P" apply "$T/nosuch.plan"
expect_eq "no (line -1)" "lac: cannot read the plan file $T/nosuch.plan: unable to open $T/nosuch.plan: No such file or directory" \
	"$(cat "$T/err")"

# an audiences directory lac cannot read is not "no .lac files found"
# (as root, lac runs as nobody for this, when setpriv can)
as_user=
[ "$(id -u)" = 0 ] && as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
mkdir "$T/perm"
cp -R "$SRC/examples/petshop" "$T/perm/shop"
chmod 755 "$T" "$T/perm" && chmod -R a+rX "$T/perm/shop" && chmod 000 "$T/perm/shop/audiences"
if $as_user "$LAC" --version >/dev/null 2>&1; then
	expect_status "unreadable audiences directory" 1 $as_user "$LAC" -C "$T/perm/shop" --color never check
	expect_eq "says it cannot be read" "lac.yaml:5:12: error[E001]: cannot read the directory 'audiences': Permission denied" \
		"$(head -n 1 "$T/err")"
else
	echo "note: cannot run lac as another user here; the unreadable directory case is not tested"
fi
chmod 700 "$T/perm/shop/audiences"

# a project that is only a data graph so far can be checked (W005); the
# commands that act on audiences still stop on E010
mkdir "$T/graph_only"
cp "$SRC/examples/petshop/graph.yaml" "$T/graph_only/"
printf 'version: 1\nname: g\ngraph: graph.yaml\n' >"$T/graph_only/lac.yaml"
expect_status "check a graph without .lac files" 0 lac -C "$T/graph_only" --color never check
grep -q "warning\[W005\]" "$T/err" && pass || fail "no W005"
expect_status "plan without .lac files" 1 lac -C "$T/graph_only" --color never plan
grep -q "error\[E010\]" "$T/err" && pass || fail "plan: no E010"
printf 'version: 1\nentities: [ { slug: x, table: X, primary_key: id, columns: { id: NUMBR } } ]\nprofile: { table: P, id: id }\n' >"$T/graph_only/graph.yaml"
expect_status "check reports the graph's errors" 1 lac -C "$T/graph_only" --color never check

# init into a directory that already has a README.md (a fresh git repository)
mkdir "$T/repo"
echo "my project" >"$T/repo/README.md"
expect_status "init beside a README.md" 0 lac init "$T/repo"
expect_eq "keeps it, and says so" "lac: kept the existing $T/repo/README.md (the example's was not copied)" "$(cat "$T/err")"
expect_eq "the README.md is the user's" "my project" "$(cat "$T/repo/README.md")"
[ -f "$T/repo/lac.yaml" ] && [ -f "$T/repo/data/warehouse.db" ] && pass || fail "init beside a README.md made no project"
expect_status "init --example nosuch" 64 lac init "$T/other" --example nosuch
grep -q "; the examples: kitchen-sink, owly, petshop, subscriptions\$" "$T/err" && pass ||
	fail "init --example nosuch does not list the examples"

# a destination that cannot be used says why in its warning
unset HOOK_TOKEN || true
expect_status "apply the built project" 0 lac -C "$P" -q --now $NOW apply --auto-approve
sqlite3 "$P/data/warehouse.db" "UPDATE VETS SET name = 'Plain'"
expect_status "run with HOOK_TOKEN unset" 1 lac -C "$P" --now 2026-01-15T13:00:00Z run vet_clients
expect_eq "the warning says why, not 'see the error above'" \
	"lac: warning: vet_clients: destination 'hook' is not usable (lac.yaml:17: environment variable 'HOOK_TOKEN' is not set); its events stay pending" \
	"$(grep '^lac: warning:' "$T/err")"

# status: columns aligned whatever the names and statuses, "not applied" for
# an audience only in the files, colours on request
printf 'audience a_rather_long_audience_name_here {\n  where { with trait vip = true }\n}\n' >>"$P/audiences/care.lac"
expect_status "status" 0 lac -C "$P" --color never --now 2026-01-15T13:00:00Z status
expect_eq "one STATUS column, 'not applied' in it" "Live Live Live Live Live not applied" \
	"$(awk -v c="$(head -n 1 "$T/out" | awk '{ print index($0, "STATUS") }')" 'NR > 1 { s = substr($0, c); sub(/  .*/, "", s); print s }' "$T/out" | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "every line as wide as the header" "1" \
	"$(awk '{ print length($0) }' "$T/out" | sort -u | wc -l | tr -d ' ')"
expect_status "status, coloured" 0 lac -C "$P" --color always --now 2026-01-15T13:00:00Z status
grep -q "$(printf '\033')\[32mLive$(printf '\033')\[0m" "$T/out" && pass || fail "Live is not green"
sed -i '/^audience a_rather_long_audience_name_here {$/,/^}$/d' "$P/audiences/care.lac"

# runs: a header, and each run's step timings
expect_status "runs" 0 lac -C "$P" runs vet_clients
expect_eq "runs: the header" "RUN STARTED RESULT DURATION CHANGES" "$(head -n 1 "$T/out" | tr -s ' ')"
grep -Eq '^    steps: queueing [0-9]+ms, extracting [0-9]+ms, preparing [0-9]+ms, delivering [0-9]+ms$' "$T/out" &&
	pass || fail "runs: no step timings"

# duplicate primary keys, which fail the run, are a warning of preview and
# plan --preview already
sqlite3 "$P/data/warehouse.db" "CREATE TABLE P2 AS SELECT * FROM PETS; DROP TABLE PETS;
	ALTER TABLE P2 RENAME TO PETS; INSERT INTO PETS SELECT * FROM PETS WHERE id = 'x01'"
dupmsg="Duplicate records have been detected in entity 'pet' (table PETS.PUBLIC.PETS): primary key id = 'x01' appears 2 times (audience 'cat_owners', audiences/pets.lac:3)"
expect_status "preview with duplicate keys" 0 lac -C "$P" --now $NOW preview cat_owners
expect_eq "preview warns" "lac: warning: $dupmsg; \`lac run\` will fail until they are removed" "$(cat "$T/err")"
sed -i 's/type = "cat"/type = "cat" and age > 0/' "$P/audiences/pets.lac"
expect_status "plan --preview with duplicate keys" 0 lac -C "$P" --now $NOW plan --preview
grep -qF "      warning: $dupmsg; its run will fail until they are removed" "$T/out" && pass ||
	fail "plan --preview does not warn of the duplicate keys"
expect_status "plan --preview --format json" 0 lac -C "$P" --format json --now $NOW plan --preview
grep -qF "\"duplicates\": \"$dupmsg\"" "$T/out" && pass || fail "plan json: no duplicates"
sqlite3 "$P/data/warehouse.db" "DELETE FROM PETS WHERE rowid = (SELECT max(rowid) FROM PETS WHERE id = 'x01')"
expect_status "preview without duplicates" 0 lac -C "$P" --now $NOW preview cat_owners
expect_eq "no warning then" "" "$(cat "$T/err")"
sed -i 's/type = "cat" and age > 0/type = "cat"/' "$P/audiences/pets.lac"

# ---- docs agree with behaviour ----------------------------------------------------
# every option of every command's usage line is in the man page
lac --help >"$T/help"
for cmd in $(awk '/^Commands:/ { f = 1; next } /^$/ { f = 0 } f { print $1 }' "$T/help"); do
	for o in $(lac help "$cmd" | head -n 1 | grep -o -- '--[a-z-]*' | sort -u); do
		if grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$SRC/man/lac.1"; then pass; else
			fail "man page lacks $cmd $o"
		fi
	done
done
# `every N unit` counts from the end of the last run (docs/language.md)
expect_status "status after the runs at 13:00" 0 lac -C "$P" --format json --now 2026-01-15T13:00:00Z status
expect_eq "every 1 day: next run 24 hours after multi_dog_owners' run at 12:00" "2026-01-16T12:00:0" \
	"$("${PYTHON3:-python3}" -c '
import json, sys
[a] = [a for a in json.load(open(sys.argv[1])) if a["audience"] == "multi_dog_owners"]
print(a["next_run_at"][:18])' "$T/out")"

# a run whose lock is held never started: not "Failed"
( set +e; LAC_TEST_PAUSE_AFTER=lock:run:cat_owners LAC_TEST_PAUSE_FILE=$T/go "$LAC" -C "$P" \
	--now 2026-01-15T14:00:00Z run cat_owners >"$T/r1.out" 2>&1; echo $? >"$T/r1.rc" ) &
n=0
while [ ! -s "$T/go.paused" ] && [ $n -lt 600 ]; do n=$((n + 1)); sleep 0.05; done
expect_status "a run while another holds its lock" 1 lac -C "$P" --now 2026-01-15T14:00:00Z run cat_owners
expect_eq "is reported not started" "cat_owners: not started" "$(cat "$T/out")"
touch "$T/go"
n=0
while [ ! -s "$T/r1.rc" ] && [ $n -lt 1200 ]; do n=$((n + 1)); sleep 0.05; done
expect_eq "the first run" 0 "$(cat "$T/r1.rc")"

# a shared state whose dsn names an unset variable: the variable and its
# file:line:col, in every command that opens the state (SPEC §1)
S="$T/unset_dsn"
lac init --example petshop "$S" >/dev/null
sed -i 's|^state:$|state:\n  type: postgres\n  dsn: "${LAC_TEST_UNSET_DSN}"|; /^  path: .lac\/state.db$/d' "$S/lac.yaml"
unset LAC_TEST_UNSET_DSN || true
line=$(grep -n 'dsn: "${LAC_TEST_UNSET_DSN}"' "$S/lac.yaml" | cut -d: -f1)
for cmd in plan status "state show" "run cat_owners"; do
	# shellcheck disable=SC2086
	expect_status "unset state dsn: $cmd fails" 1 lac -C "$S" $cmd
	expect_eq "unset state dsn: $cmd names the variable" \
		"lac: lac.yaml:$line:9: environment variable 'LAC_TEST_UNSET_DSN' is not set (the state's dsn)" \
		"$(grep "LAC_TEST_UNSET_DSN" "$T/err")"
done
# ... and the warehouse's, in the command's own error line
W="$T/unset_wh"
lac init --example petshop "$W" >/dev/null
sed -i 's|^  type: sqlite$|  type: postgres\n  dsn: "${LAC_TEST_UNSET_WH}"|; /^  path: data\/warehouse.db/d' "$W/lac.yaml"
unset LAC_TEST_UNSET_WH || true
line=$(grep -n 'dsn: "${LAC_TEST_UNSET_WH}"' "$W/lac.yaml" | cut -d: -f1)
expect_status "unset warehouse dsn: plan --preview fails" 1 lac -C "$W" plan --preview
expect_eq "unset warehouse dsn: the error line names the variable" \
	"lac: lac.yaml:$line:9: environment variable 'LAC_TEST_UNSET_WH' is not set (the warehouse's dsn)" \
	"$(grep '^lac: ' "$T/err")"

# ---- commands with nothing to show say so ---------------------------------------------
E="$T/fresh"
lac -q init "$E"
expect_status "run before any apply" 0 lac -C "$E" --now $NOW run
expect_eq "run: says there is nothing to run, and why, beside the (empty) report" \
	"|lac: nothing to run: no audience is applied (run 'lac apply')" "$(cat "$T/out")|$(cat "$T/err")"
expect_status "runs before any run" 0 lac -C "$E" runs cat_owners
expect_eq "runs: says so" "cat_owners: no runs yet" "$(cat "$T/out")"
expect_status "delivery --events, none queued" 0 lac -C "$E" delivery cat_owners --events
expect_eq "delivery --events: says so" "cat_owners: no queued events" "$(cat "$T/out")"
# the saved plan's hint is a command that works from where plan ran
(cd "$T" && "$LAC" -C fresh plan --out fresh.plan >"$T/out" 2>"$T/err") && pass || fail "plan --out"
expect_eq "plan --out: the hint keeps -C" \
	"Saved the plan to fresh/fresh.plan; \`lac -C fresh apply fresh.plan\` applies exactly these changes." \
	"$(tail -n 1 "$T/out")"
(cd "$T" && "$LAC" -C fresh -q apply fresh.plan --now $NOW) && pass || fail "the hint's command"

finish
