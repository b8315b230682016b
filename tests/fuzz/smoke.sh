#!/bin/sh
# tests/fuzz/smoke.sh — make check's brief libFuzzer run (first pass only;
# the libFuzzer build has ASan + UBSan of its own): every target of
# tests/fuzz/targets built by build.sh in the build tree, then fuzzed for
# LAC_FUZZ_SMOKE_SECONDS (default 10) from a copy of its corpus, so the tree
# is never written.  A crash, leak or timeout fails the target.  Skipped (77)
# without clang's libFuzzer runtime.  The long runs are campaign.sh's.
. "${LAC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
secs=${LAC_FUZZ_SMOKE_SECONDS:-10}
build=$(cd "$(dirname "$LAC")" && pwd)
rc=0
sh "$SRC/tests/fuzz/build.sh" "$build" >"$T/build.log" 2>&1 || rc=$?
if [ "$rc" -eq 77 ]; then
	cat "$T/build.log"
	exit 77
elif [ "$rc" -ne 0 ]; then
	cat "$T/build.log" >&2
	fail "tests/fuzz/build.sh (exit $rc)"
	finish
fi
# the targets' scratch files (fuzz_yaml's project, fuzz_state_import's
# state) go where lib.sh removes them
TMPDIR=$T
export TMPDIR
for t in $(grep -v '^#' "$SRC/tests/fuzz/targets" | awk '{print $1}'); do
	row=$(grep -v '^#' "$SRC/tests/fuzz/targets" | awk -v t="$t" '$1 == t')
	mkdir -p "$T/$t"
	cp "$SRC/tests/corpus/$(echo "$row" | awk '{print $2}')"/* "$T/$t/"
	if "$build/fuzz/fuzz_$t" -max_total_time="$secs" -max_len="$(echo "$row" | awk '{print $3}')" \
		-dict="$build/fuzz/$t.dict" -rss_limit_mb=2048 -timeout=20 -artifact_prefix="$T/$t-" \
		"$T/$t" >"$T/$t.log" 2>&1; then
		pass
		grep -o 'DONE.*cov: [0-9]* ft: [0-9]*' "$T/$t.log" | sed "s/^/fuzz_$t: /" || true
	else
		tail -n 40 "$T/$t.log" >&2
		for f in "$T/$t"-*; do
			[ -e "$f" ] && printf 'fuzz_%s: the failing input, base64:\n%s\n' "$t" "$(base64 -w0 "$f")" >&2
		done
		fail "fuzz_$t found a crash, leak or timeout in $secs s"
	fi
done
finish
