#!/bin/sh
# tests/fuzz/build.sh — build the libFuzzer targets with clang (ASan + UBSan +
# libFuzzer) from a configured build tree, then fuzz each for a while:
#   sh tests/fuzz/build.sh BUILD_DIR [SECONDS]      (run `make` in BUILD_DIR first)
# Seeds come from tests/corpus/<corpus>, the examples and, for keys, RSA keys
# openssl makes here (never kept in the tree); new crashes are written as
# crash-* files in the current directory.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: build.sh BUILD_DIR [SECONDS]}" && pwd)
secs=${2:-60}
command -v clang >/dev/null || { echo "clang is needed for libFuzzer" >&2; exit 1; }
out=$build/fuzz
mkdir -p "$out"
libs=$(pkg-config --cflags --libs yaml-0.1 sqlite3 libcurl jansson libpq libcrypto)
# target:corpus folder:largest input
targets="parse:lac:65536 yaml:yaml:65536 keys:keys:16384 answers:answers:65536
	databricks:databricks:1048576 bq_decode:bq:65536 snowflake:snowflake:1048576"
# every library source (src/<folder>/, the command line's src/cmd/ left out);
# the generated grammar from the build tree
sources=$(ls "$src"/src/*/*.c | grep -v '/src/cmd/')
for row in $targets; do
	t=${row%%:*}
	clang -g -O1 -std=c11 -D_GNU_SOURCE -DLAC_LIBFUZZER -DLAC_STDLIB_DIR="\"$src/stdlib\"" \
		-DLAC_SRC_STDLIB_DIR="\"$src/stdlib\"" -DLAC_EXAMPLES_DIR="\"$src/examples\"" \
		-DLAC_SRC_EXAMPLES_DIR="\"$src/examples\"" -DPACKAGE_VERSION='"fuzz"' \
		-fsanitize=fuzzer,address,undefined -I"$build" -I"$src/src" -I"$build/grammar" -I"$src/grammar" \
		$sources "$build/grammar/parser.c" "$build/grammar/lexer.c" "$src/tests/fuzz/fuzz_$t.c" \
		-o "$out/fuzz_$t" $libs -lm
	corpus=${row#*:}
	corpus=${corpus%%:*}
	mkdir -p "$out/corpus_$t"
	cp "$src"/tests/corpus/"$corpus"/* "$out/corpus_$t/" 2>/dev/null || true
done
find "$src/examples" -name '*.lac' -exec cp {} "$out/corpus_parse/" \;
find "$src/examples" -name '*.yaml' | while read -r f; do cp "$f" "$out/corpus_yaml/$(echo "$f" | tr / _)"; done
if command -v openssl >/dev/null; then
	openssl genrsa 2048 2>/dev/null >"$out/corpus_keys/gen_pkcs1.pem" || true
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null >"$out/corpus_keys/gen_pkcs8.pem" || true
	openssl pkcs8 -topk8 -passout pass:pw -in "$out/corpus_keys/gen_pkcs8.pem" 2>/dev/null \
		>"$out/corpus_keys/gen_enc.pem" || true
fi
for row in $targets; do
	t=${row%%:*}
	"$out/fuzz_$t" -max_total_time="$secs" -max_len="${row##*:}" "$out/corpus_$t"
done
