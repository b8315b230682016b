#!/bin/sh
# tests/fuzz/campaign.sh — the fuzzing campaign, run by hand outside CI and
# make check; resumable and cumulative:
#   sh tests/fuzz/campaign.sh BUILD_DIR [SECONDS] [TARGET...]
# Builds the libFuzzer targets (build.sh), then fuzzes each named target
# (all of tests/fuzz/targets by default) one after the other for SECONDS
# (default 600) of wall time, never past its share of LAC_FUZZ_GOAL CPU
# seconds (default 7200, the issue's 2 CPU-hours) in total.
#
# What is kept in the tree, so that the next run starts where this one ended:
# - tests/corpus/<corpus>/: the hand-written inputs, and the campaign's
#   finds (named by their SHA-1) minimised with -merge=1 after each run:
#   a find stays only while it adds a feature, so the corpus stays small;
# - tests/fuzz/campaign.tsv: per target the CPU seconds and execs so far,
#   the coverage (cov: edges, ft: features) of the last run, and crashes.
# A crash stops that target's run; its input is left in
# BUILD_DIR/fuzz/crashes/ (never in the corpus: fix the bug, then add the
# input to the corpus under a name that says what it was).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: campaign.sh BUILD_DIR [SECONDS] [TARGET...]}" && pwd)
secs=${2:-600}
[ $# -ge 2 ] && shift 2 || shift $#
goal=${LAC_FUZZ_GOAL:-7200}
out=$build/fuzz
tsv=$src/tests/fuzz/campaign.tsv
table=$src/tests/fuzz/targets
wanted=${*:-$(grep -v '^#' "$table" | awk '{print $1}')}
# shellcheck disable=SC2086
sh "$src/tests/fuzz/build.sh" "$build" $wanted
[ -f "$tsv" ] || printf 'target\tcpu_seconds\texecs\tcov\tft\tcrashes\n' >"$tsv"
mkdir -p "$out/crashes"

# Extra seeds that are not kept in the corpus: the examples.
seeds=$out/seeds
rm -rf "$seeds" && mkdir -p "$seeds/parse" "$seeds/check" "$seeds/yaml"
find "$src/examples" -name '*.lac' | while read -r f; do cp "$f" "$seeds/parse/$(echo "$f" | tr / _)"; done
# fuzz_check's project is the kitchen-sink example: its audiences fit the graph
cp "$src"/examples/kitchen-sink/audiences/*.lac "$seeds/check/"
find "$src/examples" -name '*.yaml' | while read -r f; do cp "$f" "$seeds/yaml/$(echo "$f" | tr / _)"; done

field() { # field TARGET COLUMN: a column of the target's row in the tsv, or 0
	awk -F'\t' -v t="$1" -v c="$2" '$1 == t { v = $c } END { print v + 0 }' "$tsv"
}

for t in $wanted; do
	row=$(grep -v '^#' "$table" | awk -v t="$t" '$1 == t')
	corpus=$src/tests/corpus/$(echo "$row" | awk '{print $2}')
	maxlen=$(echo "$row" | awk '{print $3}')
	done_cpu=$(field "$t" 2)
	left=$((goal - done_cpu))
	if [ "$left" -le 0 ]; then
		echo "== $t: $done_cpu CPU seconds already, the goal is $goal: skipped"
		continue
	fi
	run=$secs
	[ "$run" -le "$left" ] || run=$left
	echo "== $t: $run s (CPU seconds so far: $done_cpu of $goal)"
	new=$out/campaign/$t
	rm -rf "$new" && mkdir -p "$new"
	extra=
	[ -d "$seeds/$t" ] && extra=$seeds/$t
	log=$out/campaign/$t.log
	# the target's scratch files (fuzz_yaml's project, fuzz_state_import's state)
	TMPDIR=$out/campaign/tmp
	export TMPDIR
	rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"
	# one process: the machine is shared; -rss_limit_mb keeps a blow-up a finding
	rc=0
	/usr/bin/time -f '%U %S' -o "$out/campaign/$t.time" \
		"$out/fuzz_$t" -max_total_time="$run" -max_len="$maxlen" -dict="$out/$t.dict" \
		-rss_limit_mb=2048 -timeout=20 -print_final_stats=1 -artifact_prefix="$out/crashes/$t-" \
		"$new" "$corpus" $extra >"$log" 2>&1 || rc=$?
	cpu=$(awk '{ printf "%d", $1 + $2 + 0.5 }' "$out/campaign/$t.time" 2>/dev/null || echo "$run")
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | awk '{print $2}')
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | awk '{print $2}')
	crashed=0
	if [ "$rc" -ne 0 ]; then
		crashed=1
		echo "   $t stopped (exit $rc): see $log and $out/crashes/"
		tail -n 30 "$log"
	fi
	# the kept corpus minimised again: the hand-written inputs stay, and of
	# the campaign's finds (named by their SHA-1) and this run's, only those
	# that add a feature to them come back
	finds=$out/campaign/$t.finds
	rm -rf "$finds" && mkdir -p "$finds"
	before=$(ls "$corpus" | grep -c -E '^[0-9a-f]{40}$' || true)
	ls "$corpus" | grep -E '^[0-9a-f]{40}$' | while read -r f; do mv "$corpus/$f" "$finds/"; done
	if ! "$out/fuzz_$t" -merge=1 -max_len="$maxlen" "$corpus" "$finds" "$new" \
		>"$out/campaign/$t.merge.log" 2>&1; then
		echo "   merge failed: see $out/campaign/$t.merge.log; the earlier finds are put back"
		mv "$finds"/* "$corpus/" 2>/dev/null || true
	fi
	after=$(ls "$corpus" | grep -c -E '^[0-9a-f]{40}$' || true)
	added="$((after - before)) (now $after)"
	tmp=$tsv.tmp
	awk -F'\t' -v OFS='\t' -v t="$t" '$1 != t' "$tsv" >"$tmp"
	printf '%s\t%d\t%d\t%d\t%d\t%d\n' "$t" $((done_cpu + cpu)) $(($(field "$t" 3) + ${execs:-0})) \
		"${cov:-0}" "${ft:-0}" $(($(field "$t" 6) + crashed)) >>"$tmp"
	{ head -n 1 "$tmp"; tail -n +2 "$tmp" | sort; } >"$tsv"
	rm -f "$tmp"
	echo "   $t: ${execs:-0} execs, cov ${cov:-0}, ft ${ft:-0}; campaign finds in the corpus: $added"
done
size=$(du -sk --apparent-size "$src/tests/corpus" | awk '{print $1}')
echo "== tests/corpus: $size KiB (keep it under about 10 MB)"
cat "$tsv"
