#!/bin/sh
# bench/snowflake_decode/run.sh — rows/s and peak RSS of decoding Snowflake
# SQL API result partitions (bench_snowflake_decode.c) at 100k and 1M rows.
# Not part of `make check`.
#
# usage: bench/snowflake_decode/run.sh BUILD_DIR
#
#   BUILD_DIR  a configured and built tree (liblac.a, libgrammar.a); use -O2.
set -eu
[ $# -ge 1 ] || { sed -n '2,8p' "$0" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
out=$build/bench_snowflake_decode
make -C "$build" liblac.a libgrammar.a >/dev/null
${CC:-cc} -std=c11 -O2 -D_GNU_SOURCE -I"$src/src" -I"$build" -o "$out" "$here/bench_snowflake_decode.c" \
	"$build/liblac.a" "$build/libgrammar.a" "$build/liblac.a" \
	-lyaml -lsqlite3 -lcurl -ljansson -lpq -lcrypto -lm
for rows in 100000 1000000; do
	"$out" "$rows"
done
