#!/bin/sh
# tests/fuzz/build.sh — build the libFuzzer targets with clang (ASan + UBSan +
# libFuzzer) from a configured build tree:
#   sh tests/fuzz/build.sh BUILD_DIR [TARGET...]     (run `make` in BUILD_DIR first)
# Every target of tests/fuzz/targets unless some are named.  The library is
# compiled once into BUILD_DIR/fuzz/obj/ (again only where a source, or any
# header, is newer than its object); each target is BUILD_DIR/fuzz/fuzz_<t>,
# with BUILD_DIR/fuzz/<t>.dict, its dictionary (lac.dict gains every keyword
# of grammar/keywords.def).  Exits 77 when clang or its libFuzzer runtime is
# missing.  campaign.sh fuzzes the targets; smoke.sh (make check) briefly.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: build.sh BUILD_DIR [TARGET...]}" && pwd)
shift
command -v clang >/dev/null || { echo "build.sh: clang is needed for libFuzzer" >&2; exit 77; }
out=$build/fuzz
mkdir -p "$out/obj"
# libFuzzer's runtime comes with clang's compiler-rt (Debian: libclang-rt-dev
# or the clang package's own); without it nothing can be linked
probe=$out/probe
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$probe.c"
clang -fsanitize=fuzzer "$probe.c" -o "$probe" 2>/dev/null || {
	echo "build.sh: clang has no libFuzzer runtime (-fsanitize=fuzzer)" >&2
	rm -f "$probe.c"
	exit 77
}
rm -f "$probe" "$probe.c"
pkgs="yaml-0.1 sqlite3 libcurl jansson libpq libcrypto"
libs=$(pkg-config --libs $pkgs)
cflags="-g -O1 -std=c11 -D_GNU_SOURCE -DLAC_LIBFUZZER -DLAC_STDLIB_DIR=\"$src/stdlib\"
	-DLAC_SRC_STDLIB_DIR=\"$src/stdlib\" -DLAC_EXAMPLES_DIR=\"$src/examples\"
	-DLAC_SRC_EXAMPLES_DIR=\"$src/examples\"
	-fsanitize=fuzzer-no-link,address,undefined -I$build -I$src/src -I$build/grammar -I$src/grammar $(pkg-config --cflags $pkgs)"
# every library source (src/<folder>/, the command line's src/cmd/ left out)
# and the generated grammar from the build tree, each compiled once
newest_h=$(ls -t "$src"/src/*/*.h "$src"/grammar/*.h "$src"/grammar/*.def "$build"/grammar/*.h | head -n 1)
objs=
for c in $(ls "$src"/src/*/*.c | grep -v '/src/cmd/') "$build/grammar/parser.c" "$build/grammar/lexer.c"; do
	o=$out/obj/$(echo "${c#"$src"/}" | sed 's#^.*/\(src\|grammar\)/#\1/#; s#/#_#g; s#\.c$#.o#')
	if [ ! -e "$o" ] || [ "$c" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
		# shellcheck disable=SC2086
		clang $cflags -c "$c" -o "$o"
	fi
	objs="$objs $o"
done
rm -f "$out/liblacfuzz.a"
# shellcheck disable=SC2086
ar rcs "$out/liblacfuzz.a" $objs
wanted=${*:-$(grep -v '^#' "$src/tests/fuzz/targets" | awk '{print $1}')}
for t in $wanted; do
	row=$(grep -v '^#' "$src/tests/fuzz/targets" | awk -v t="$t" '$1 == t')
	[ -n "$row" ] || { echo "build.sh: no target '$t' in tests/fuzz/targets" >&2; exit 1; }
	# shellcheck disable=SC2086
	clang $cflags -fsanitize=fuzzer "$src/tests/fuzz/fuzz_$t.c" "$out/liblacfuzz.a" \
		-o "$out/fuzz_$t" $libs -lm
	dict=$(echo "$row" | awk '{print $4}')
	cp "$src/tests/fuzz/$dict" "$out/$t.dict"
	if [ "$dict" = lac.dict ]; then
		sed -n 's/^KW("\([^"]*\)".*/"\1"/p' "$src/grammar/keywords.def" >>"$out/$t.dict"
	fi
done
