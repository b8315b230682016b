#!/bin/sh
# bench/check.sh — `lac check` (and `lac compile -d all` once it exists) on a
# generated project of 1,000 audiences over a 50-entity graph.
# usage: bench/check.sh [path/to/lac]   (default: ./lac)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
LAC=${1:-./lac}
proj=$(mktemp -d "${TMPDIR:-/tmp}/lac-bench.XXXXXX")
trap 'rm -rf "$proj"' EXIT
python3 "$here/gen_project.py" "$proj" --audiences 1000 --entities 50
echo "project: $(ls "$proj"/audiences | wc -l) files, $(cat "$proj"/audiences/*.lac | wc -l) lines of .lac, $(wc -l <"$proj/graph.yaml") lines of graph"
"$LAC" -C "$proj" -q check || { echo "bench project does not check" >&2; exit 1; }
python3 "$here/measure.py" --runs 20 --label "lac check (1000 audiences, 50 entities)" -- "$LAC" -C "$proj" -q check
if "$LAC" help compile >/dev/null 2>&1; then
	python3 "$here/measure.py" --runs 10 --label "lac compile -d all (1000 audiences)" -- \
		"$LAC" -C "$proj" -q compile -d all -o "$proj/sql"
fi
