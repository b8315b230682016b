#!/bin/sh
# tests/fuzz/build.sh — build the libFuzzer targets with clang (ASan + UBSan +
# libFuzzer) from a configured build tree, then fuzz for a while:
#   sh tests/fuzz/build.sh BUILD_DIR [SECONDS]      (run `make` in BUILD_DIR first)
# Seeds come from tests/corpus/{lac,yaml,databricks} and the examples; new crashes are
# written as crash-* files in the current directory.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: build.sh BUILD_DIR [SECONDS]}" && pwd)
secs=${2:-60}
command -v clang >/dev/null || { echo "clang is needed for libFuzzer" >&2; exit 1; }
out=$build/fuzz
mkdir -p "$out"
libs=$(pkg-config --cflags --libs yaml-0.1 sqlite3 libcurl jansson libpq libcrypto)
# every library source but the command line; the generated grammar from the build tree
sources=$(ls "$src"/src/*.c "$src"/src/sql/*.c | grep -v '/src/main.c$' | grep -v '/src/cmd_' | grep -v '/src/cli.c$')
for t in parse yaml databricks; do
for t in parse yaml bq_decode; do
	clang -g -O1 -std=c11 -D_GNU_SOURCE -DLAC_LIBFUZZER -DLAC_STDLIB_DIR="\"$src/stdlib\"" \
		-DLAC_SRC_STDLIB_DIR="\"$src/stdlib\"" -DLAC_EXAMPLES_DIR="\"$src/examples\"" \
		-DLAC_SRC_EXAMPLES_DIR="\"$src/examples\"" -DPACKAGE_VERSION='"fuzz"' \
		-fsanitize=fuzzer,address,undefined -I"$build" -I"$src/src" -I"$build/grammar" -I"$src/grammar" \
		$sources "$build/grammar/parser.c" "$build/grammar/lexer.c" "$src/tests/fuzz/fuzz_$t.c" \
		-o "$out/fuzz_$t" $libs -lm
done
mkdir -p "$out/corpus_parse" "$out/corpus_yaml" "$out/corpus_bq_decode"
cp "$src"/tests/corpus/bq/* "$out/corpus_bq_decode/"
cp "$src"/tests/corpus/lac/* "$out/corpus_parse/" 2>/dev/null || true
find "$src/examples" -name '*.lac' -exec cp {} "$out/corpus_parse/" \;
cp "$src"/tests/corpus/yaml/* "$out/corpus_yaml/" 2>/dev/null || true
find "$src/examples" -name '*.yaml' | while read -r f; do cp "$f" "$out/corpus_yaml/$(echo "$f" | tr / _)"; done
"$out/fuzz_parse" -max_total_time="$secs" -max_len=65536 "$out/corpus_parse"
"$out/fuzz_yaml" -max_total_time="$secs" -max_len=65536 "$out/corpus_yaml"
mkdir -p "$out/corpus_databricks" && cp "$src"/tests/corpus/databricks/* "$out/corpus_databricks/"
"$out/fuzz_databricks" -max_total_time="$secs" -max_len=1048576 "$out/corpus_databricks"
"$out/fuzz_bq_decode" -max_total_time="$secs" -max_len=65536 "$out/corpus_bq_decode"
