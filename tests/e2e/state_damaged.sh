#!/bin/sh
# tests/e2e/state_damaged.sh — a damaged SQLite state file (random bytes or
# a truncated file) is an error naming the file, exit 1,
# for every command that opens it: never "Never run", never a silent start
# over.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

lac init --example petshop "$T/base" >/dev/null
expect_status "a good state" 0 lac -C "$T/base" --now 2026-01-15T12:00:00Z run
good="$T/base/.lac/state.db"
[ ! -e "$good-wal" ] || { echo "a -wal file was left behind" >&2; exit 1; }

# check_damaged NAME: every command on the project's state fails naming it
check_damaged() {
	name=$1
	for cmd in status "runs cat_owners" "delivery cat_owners" plan "--now 2026-01-16T12:00:00Z run cat_owners"; do
		set +e
		# shellcheck disable=SC2086 # the command's words
		"$LAC" -C "$P" $cmd >"$T/out" 2>"$T/err"
		rc=$?
		set -e
		expect_eq "$name: $cmd: exit 1" 1 "$rc"
		expect_eq "$name: $cmd: names the file" 1 "$(grep -c "^lac: .lac/state.db" "$T/err" || true)"
		expect_eq "$name: $cmd: no 'Never run'" "" "$(grep 'Never run' "$T/out" || true)"
	done
}

P="$T/random"
cp -R "$T/base" "$P"
head -c 8192 /dev/urandom >"$P/.lac/state.db"
check_damaged "random bytes"

P="$T/truncated"
cp -R "$T/base" "$P"
head -c 100 "$good" >"$P/.lac/state.db"
check_damaged "truncated"

# the file is kept as it was: nothing started over in its place
expect_eq "the truncated file is left alone" 100 "$(wc -c <"$P/.lac/state.db" | tr -d ' ')"
finish
