#!/bin/sh
# tests/e2e/diagnostics.sh — golden diagnostics.  Each directory under
# tests/diagnostics/ is a small project (lac.yaml, graph.yaml, audiences/)
# that `lac check` must reject; expected.txt is its exact stderr (caret
# lines included) and the exit status must be 1 (or the number in
# expected.rc).  An optional file `env` holds VAR=value lines to export.
. "${LAC_SRCDIR:-.}/tests/lib.sh"

for dir in "$SRC"/tests/diagnostics/*/; do
	[ -f "$dir/expected.txt" ] || continue
	name=$(basename "$dir")
	cp -R "$dir" "$T/$name"
	want_rc=1
	[ -f "$dir/expected.rc" ] && want_rc=$(cat "$dir/expected.rc")
	set +e
	(
		cd "$T/$name" || exit 99
		if [ -f env ]; then set -a; . ./env; set +a; fi
		lac --color never check >stdout.txt 2>stderr.txt
	)
	rc=$?
	set -e
	if [ "$rc" != "$want_rc" ]; then
		fail "$name: exit $rc, wanted $want_rc"
		sed 's/^/  /' "$T/$name/stderr.txt" >&2
		continue
	fi
	expect_file_eq "$name" "$dir/expected.txt" "$T/$name/stderr.txt"
done
finish
