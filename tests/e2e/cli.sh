#!/bin/sh
# tests/e2e/cli.sh — the command line itself: help, version, usage errors and
# their exit codes (SPEC §6: 0 ok, 1 errors, 64 usage), and `lac init`.
. "${LAC_SRCDIR:-.}/tests/lib.sh"

expect_status "--version" 0 lac --version
expect_eq "--version text" "lac 0.1.0" "$(cat "$T/out")"

expect_status "--help" 0 lac --help
grep -q '^  check ' "$T/out" && pass || fail "--help lists check"
grep -q 'Exit status' "$T/out" && pass || fail "--help explains exit status"

expect_status "no command" 64 lac
grep -q '^usage: lac' "$T/err" && pass || fail "no command prints usage on stderr"

expect_status "unknown command" 64 lac frobnicate
expect_eq "unknown command message" "lac: unknown command 'frobnicate'
Try 'lac --help'." "$(cat "$T/err")"

# a command or audience spelled close to a real one gets a "did you mean"
expect_status "misspelt command" 64 lac chek
expect_eq "misspelt command message" "lac: unknown command 'chek' (did you mean 'check'?)
Try 'lac --help'." "$(cat "$T/err")"
expect_status "help misspelt" 64 lac help pln
has "help misspelt" "(did you mean 'plan'?)" "$T/err"

expect_status "help COMMAND" 0 lac help check
grep -q '^usage: lac check' "$T/out" && pass || fail "help check shows its usage"
expect_status "COMMAND --help" 0 lac check --help
grep -q '^usage: lac check' "$T/out" && pass || fail "check --help shows its usage"
expect_status "help unknown" 64 lac help nope

expect_status "--format needs a value" 64 lac check --format
# a bad --now is a usage error for every command, also those that do not use it
for cmd in check graph alerts "state show"; do
	# shellcheck disable=SC2086 # the command's words
	expect_status "bad --now: $cmd" 64 lac --now yesterday $cmd
done
has "bad --now: said" "lac: --now takes an ISO-8601 UTC timestamp like 2025-01-31T08:30:00Z, not 'yesterday'" "$T/err"
expect_status "unknown format" 64 lac check --format yaml
expect_eq "unknown format message" "lac: unknown format 'yaml' (text or json)
usage: lac check [FILE...]" "$(cat "$T/err")"
expect_status "bad --color" 64 lac --color sometimes check
expect_status "-C needs a directory" 64 lac -C

# check outside a project: an error about lac.yaml, exit 1
mkdir "$T/empty"
expect_status "check without lac.yaml" 1 lac -C "$T/empty" --color never check
grep -q 'lac.yaml' "$T/err" && pass || fail "missing lac.yaml is named"

# init copies an example, builds its warehouse, and refuses to overwrite
expect_status "init" 0 lac init "$T/proj"
[ -f "$T/proj/lac.yaml" ] && pass || fail "init wrote lac.yaml"
[ -f "$T/proj/data/warehouse.db" ] && pass || fail "init built the warehouse"
expect_status "init twice" 1 lac init "$T/proj"
grep -q 'already exists' "$T/err" && pass || fail "init refuses to overwrite"
expect_status "init makes the directories above it" 0 lac -q init "$T/deep/er/proj"
[ -f "$T/deep/er/proj/lac.yaml" ] && pass || fail "init wrote deep/er/proj/lac.yaml"
# with -C, init's DIR is -C's, and what it says works from where it was started
(cd "$T" && "$LAC" -C deep init sub >"$T/out" 2>"$T/err") && pass || fail "-C deep init sub"
expect_eq "-C DIR init: where it is, as typed here" "created a lac project in deep/sub from the 'petshop' example
next: lac -C deep/sub check" "$(cat "$T/out")"
# a relative LAC_STDLIB_DIR is where lac was started, -C or not
mkdir -p "$T/mystd" && cp -R "$SRC/stdlib/destinations" "$T/mystd/"
printf '  bz: { type: braze, url: "http://127.0.0.1:9/unused", api_key: "k" }\n' >>"$T/deep/sub/lac.yaml"
(cd "$T" && LAC_STDLIB_DIR=mystd "$LAC" -C deep/sub check >"$T/out" 2>"$T/err") && pass ||
	{ fail "a relative LAC_STDLIB_DIR with -C"; cat "$T/err" >&2; }
for cmd in preview compile consumers; do
	expect_status "$cmd: misspelt audience" 1 lac -C "$T/proj" $cmd cat_owner
	has "$cmd: misspelt audience" "lac: unknown audience 'cat_owner' (did you mean 'cat_owners'?)" "$T/err"
done
expect_status "unknown audience, nothing close" 1 lac -C "$T/proj" preview zzzz
expect_eq "unknown audience, nothing close" "lac: unknown audience 'zzzz'" "$(cat "$T/err")"
# an unknown option is named as one, also by commands without options
for cmd in status alerts graph "runs cat_owners" "consumers cat_owners"; do
	expect_status "$cmd --bogus" 64 lac -C "$T/proj" $cmd --bogus
	has "$cmd --bogus" "lac: unknown option '--bogus'" "$T/err"
done
expect_status "init unknown example" 64 lac init "$T/other" --example nope
expect_status "init: examples/ci holds CI files, not a project" 64 lac init "$T/other" --example ci
# options may follow the directory
expect_status "init DIR --example" 0 lac -q init "$T/subs" --example subscriptions
grep -q 'premium_subscribers' "$T"/subs/audiences/*.lac && pass || fail "init --example copied that example"

# a secret from the environment never appears in an error, even when libpq
# quotes the malformed connection string it was given
lac -q init "$T/pg" >/dev/null
sed -i 's|^  type: sqlite|  type: postgres\n  dsn: "${LAC_TEST_DSN}"|; /^  path: data/d' "$T/pg/lac.yaml"
set +e
LAC_TEST_DSN='s3cr3tPassw0rd' "$LAC" -C "$T/pg" preview cat_owners >"$T/out" 2>"$T/err"
rc=$?
set -e
expect_eq "bad dsn fails" 1 "$rc"
if grep -q 's3cr3tPassw0rd' "$T/out" "$T/err"; then fail "the dsn leaked: $(cat "$T/err")"; else pass; fi
grep -q 'redacted' "$T/err" && pass || fail "the message says what was redacted: $(cat "$T/err")"

# --now: one parser for every command; +00:00 is UTC, impossible dates are usage errors
lac -q init "$T/now" >/dev/null
expect_status "preview --now +00:00" 0 lac -C "$T/now" preview cat_owners --all --format json --now 2026-01-15T08:30:00+00:00
grep -q '"now": "2026-01-15T08:30:00Z"' "$T/out" && pass || fail "+00:00 normalised to Z: $(cat "$T/out")"
for cmd in "preview cat_owners" "compile cat_owners" "plan" "run cat_owners"; do
	for bad in 2026-02-31T00:00:00Z 2025-13-45T99:99:99Z yesterday; do
		# shellcheck disable=SC2086
		expect_status "$cmd --now $bad" 64 lac -C "$T/now" $cmd --now $bad
	done
done

# ${VAR} in state.path: expanded when set; when unset, commands that open the
# state fail with E007 naming the variable and lac.yaml:line (check does not
# open it), and nothing named after the variable is created
lac -q init "$T/var" >/dev/null
sed -i 's|^  path: .lac/state.db|  path: "${LAC_TEST_STATE_DIR}/state.db"|' "$T/var/lac.yaml"
expect_status "check ignores the state path" 0 lac -C "$T/var" check
expect_status "run with the state dir unset" 1 env -u LAC_TEST_STATE_DIR "$LAC" -C "$T/var" run cat_owners
grep -q 'E007' "$T/err" && grep -q 'LAC_TEST_STATE_DIR' "$T/err" && grep -q 'lac.yaml:11' "$T/err" && pass \
	|| fail "E007 names the variable and lac.yaml:11: $(cat "$T/err")"
if find "$T/var" -name '*LAC_TEST_STATE_DIR*' | grep -q .; then fail "a path named after the variable was created"; else pass; fi
env LAC_TEST_STATE_DIR=st "$LAC" -C "$T/var" -q apply --auto-approve --no-run >/dev/null
expect_status "run with the state dir set" 0 env LAC_TEST_STATE_DIR=st "$LAC" -C "$T/var" run cat_owners
[ -f "$T/var/st/state.db" ] && pass || fail "state.path expanded to st/state.db"

finish
