#!/bin/sh
# bench/event/run.sh — event_build throughput (events/s), without and with a
# 2-level _entity_context.  Not part of `make check`.
#
# usage: bench/event/run.sh BUILD_DIR [EVENTS]
#
#   BUILD_DIR  a configured and built tree (liblac.a, libgrammar.a); use -O2.
#   EVENTS     events per case (default 200000).
set -eu
[ $# -ge 1 ] || { sed -n '2,8p' "$0" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
out=$build/bench_event
make -C "$build" liblac.a libgrammar.a >/dev/null
${CC:-cc} -std=c11 -O2 -D_GNU_SOURCE -I"$src/src" -I"$build" -o "$out" "$here/bench_event.c" \
	"$build/liblac.a" "$build/libgrammar.a" "$build/liblac.a" \
	-lyaml -lsqlite3 -lcurl -ljansson -lpq -lcrypto -lm
"$out" "${2:-200000}"
