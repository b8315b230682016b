#!/bin/sh
# bench/bigquery_decode/run.sh — the BigQuery connector's page decoder
# (bq_decode_page) without sockets: rows/s and peak RSS at 100k and 1M rows.
# Not part of `make check`.
#
# usage: bench/bigquery_decode/run.sh BUILD_DIR
#
#   BUILD_DIR  a configured and built tree (liblac.a, libgrammar.a); use -O2.
set -eu
[ $# -ge 1 ] || { sed -n '2,8p' "$0" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
out=$build/bench_bq_decode
make -C "$build" liblac.a libgrammar.a >/dev/null
${CC:-cc} -std=c11 -O2 -D_GNU_SOURCE -I"$src/src" -I"$build" -o "$out" "$here/bench_bq_decode.c" \
	"$build/liblac.a" "$build/libgrammar.a" "$build/liblac.a" \
	-lyaml -lsqlite3 -lcurl -ljansson -lpq -lcrypto -lm
"$out"
