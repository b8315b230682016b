#!/bin/sh
# tests/e2e/docs.sh — the documentation runner: the examples of the docs are
# run, so a doc that drifts from the product fails the suite.
#
#   sh tests/e2e/docs.sh [FILE.md...]     (default: $DOC_FILES, under $SRC)
#
# Only fenced blocks tagged ```sh test or ```lac test run; every other block
# is left alone.  A tagged block belongs to the example named by the nearest
# preceding `<!-- example: NAME -->` comment (an example under examples/); a
# tagged block with none before it is a failure.  Each markdown file gets its
# own fresh copy of each example it names (`lac -q init DIR --example NAME`),
# and its blocks run there in order, so a later block sees the files an
# earlier one left (each block is its own shell: variables and `cd` do not
# carry over).
#   sh test   the commands run with `sh -ex` in the copy (the trace shows
#             which command failed), `lac` on PATH being the binary under
#             test; the block passes when sh exits 0 (as with any set -e, a
#             failure before `&&` or `||` does not stop it).
#   lac test  the block is written as a new .lac file into the copy's
#             audiences directory (lac.yaml's `audiences`, a directory or a
#             list whose first item is one) and `lac check` must exit 0.  A
#             failing block's file is removed again so it fails only once.
# A failure prints FILE:LINE of the block's opening fence and its output.
#
# Run without arguments it first runs itself on the fixtures under
# tests/docs/ (good.md must pass; bad.md must fail at exactly the blocks
# marked `<!-- expect: fail -->`), so a runner that cannot fail is caught.
. "${LAC_SRCDIR:-.}/tests/lib.sh"

# The markdown files run by default, relative to $SRC; extend the list here.
DOC_FILES='docs/*.md'

# The docs must not depend on the secrets of whoever runs the suite.
unset SEGMENT_WRITE_KEY HOOK_TOKEN || true
export LAC

# `lac` on PATH for the blocks, honouring LAC_VALGRIND like tests/lib.sh.
mkdir "$T/bin"
cat >"$T/bin/lac" <<'EOF'
#!/bin/sh
if [ "${LAC_VALGRIND:-0}" = 1 ]; then
	exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "$LAC" "$@"
fi
exec "$LAC" "$@"
EOF
chmod +x "$T/bin/lac"
PATH=$T/bin:$PATH
export PATH

tab=$(printf '\t')

# blocks FILE DIR: write each tagged block's body to DIR/block.N and print
# one line per block, "N<TAB>LINE<TAB>KIND<TAB>EXAMPLE" ("-" when no example
# comment precedes it).  Fences follow CommonMark: up to 3 spaces of indent,
# ``` or ~~~ (3 or more), closed by the same character at least as long; the
# fence's indent is removed from the body lines (fences inside list items).
blocks() {
	awk -v dir="$2" '
	BEGIN { ex = "-"; open = 0; n = 0 }
	function run_len(s, ch,    k) {
		k = 0
		while (substr(s, k + 1, 1) == ch) k++
		return k
	}
	{
		line = $0
		match(line, /^ */)
		ind = RLENGTH
		rest = substr(line, ind + 1)
		if (open) {
			if (ind <= 3 && substr(rest, 1, 1) == fch && run_len(rest, fch) >= flen &&
			    substr(rest, run_len(rest, fch) + 1) ~ /^[ \t]*$/) {
				open = 0
				if (body != "") close(body)
				next
			}
			if (body != "") {
				k = 0
				while (k < find && substr(line, k + 1, 1) == " ") k++
				print substr(line, k + 1) > body
			}
			next
		}
		if (line ~ /^[ \t]*<!--[ \t]*example:[ \t]*[^ \t]+[ \t]*-->[ \t]*$/) {
			ex = line
			sub(/^[ \t]*<!--[ \t]*example:[ \t]*/, "", ex)
			sub(/[ \t]*-->[ \t]*$/, "", ex)
			next
		}
		fch = substr(rest, 1, 1)
		if (ind <= 3 && (fch == "`" || fch == "~") && run_len(rest, fch) >= 3) {
			open = 1
			flen = run_len(rest, fch)
			find = ind
			info = substr(rest, flen + 1)
			gsub(/[ \t]+/, " ", info)
			sub(/^ /, "", info)
			sub(/ $/, "", info)
			body = ""
			if (info == "sh test" || info == "lac test") {
				n++
				body = dir "/block." n
				printf "" > body
				split(info, word, " ")
				print n "\t" NR "\t" word[1] "\t" ex
			}
		}
	}' "$1"
}

# copy_of DIR EXAMPLE: make DIR a fresh copy of EXAMPLE once; later calls
# reuse it.  Fails (with the reason in DIR.err) when the copy cannot be made.
copy_of() {
	if [ -d "$1" ]; then return 0; fi
	if [ -f "$1.err" ]; then return 1; fi
	case $2 in
	'' | *[!a-z0-9_-]*)
		echo "'$2' is not an example name" >"$1.err"
		return 1
		;;
	esac
	if lac -q init "$1" --example "$2" >"$1.err" 2>&1 </dev/null; then
		rm -f "$1.err"
		return 0
	fi
	rm -rf "$1"
	return 1
}

# audiences_dir COPY: the directory lac.yaml's `audiences` names (its first
# item when it is a flow list), relative to the copy.
audiences_dir() {
	sed -n 's/^audiences:[[:space:]]*//p' "$1/lac.yaml" |
		sed 's/[[:space:]]#.*//; s/^\[[[:space:]]*//; s/[],].*//; s/^"//; s/"[[:space:]]*$//; s/[[:space:]]*$//'
}

# block_failed WHERE WHAT OUTPUT_FILE
block_failed() {
	fail "$1: $2"
	sed 's/^/  | /' "$3" >&2
}

# run_file MD INDEX: every tagged block of one markdown file.
run_file() {
	md=$1
	shown=${md#"$SRC"/}
	work=$T/docs/$2
	mkdir -p "$work"
	blocks "$md" "$work" >"$work/manifest"
	while IFS=$tab read -r n line kind ex <&3; do
		where=$shown:$line
		body=$work/block.$n
		out=$work/out.$n
		if [ "$ex" = - ]; then
			fail "$where: $kind test block with no <!-- example: NAME --> comment before it"
			continue
		fi
		copy=$work/$ex
		if ! copy_of "$copy" "$ex"; then
			block_failed "$where" "no copy of example '$ex'" "$copy.err"
			continue
		fi
		case $kind in
		sh)
			if (cd "$copy" && sh -ex "$body") >"$out" 2>&1 </dev/null; then
				pass
			else
				block_failed "$where" "sh test block failed (exit $?)" "$out"
			fi
			;;
		lac)
			aud=$(audiences_dir "$copy")
			if [ -z "$aud" ] || [ ! -d "$copy/$aud" ]; then
				fail "$where: example '$ex' has no audiences directory in lac.yaml"
				continue
			fi
			lacfile=$copy/$aud/doc-$(printf '%s' "$shown" | tr -c 'A-Za-z0-9_\n' '-')-$line.lac
			cp "$body" "$lacfile"
			if (cd "$copy" && lac --color never check) >"$out" 2>&1 </dev/null; then
				pass
			else
				block_failed "$where" "lac test block does not pass lac check" "$out"
				rm -f "$lacfile"
			fi
			;;
		esac
	done 3<"$work/manifest"
}

# self_test: the runner passes good.md and fails bad.md exactly where marked.
self_test() {
	fx=$SRC/tests/docs
	if sh "$SRC/tests/e2e/docs.sh" "$fx/good.md" >"$T/self.out" 2>"$T/self.err"; then
		pass
	else
		fail "self-test: tests/docs/good.md does not pass"
		sed 's/^/  | /' "$T/self.err" >&2
	fi
	want=$(grep -c '<!-- expect: pass -->' "$fx/good.md")
	expect_eq "self-test: good.md runs every marked block" "$want passed, 0 failed" "$(tail -n 1 "$T/self.out")"

	if sh "$SRC/tests/e2e/docs.sh" "$fx/bad.md" >"$T/self.out" 2>"$T/self.err"; then
		fail "self-test: tests/docs/bad.md passes"
	else
		pass
	fi
	# the fence follows its marker line
	want=$(grep -n '<!-- expect: fail -->' "$fx/bad.md" | sed 's/:.*//' |
		while read -r l; do echo "FAIL: tests/docs/bad.md:$((l + 1)):"; done)
	got=$(grep '^FAIL: ' "$T/self.err" | sed 's/^\(FAIL: [^:]*:[0-9]*:\).*/\1/')
	expect_eq "self-test: bad.md fails where marked" "$want" "$got"
}

mkdir "$T/docs"
if [ $# -eq 0 ]; then
	export LAC_SRCDIR="$SRC"
	self_test
	cd "$SRC"
	# shellcheck disable=SC2086 # the list is split and globbed on purpose
	set -- $DOC_FILES
fi
before=$((npass + nfail))
i=0
for md in "$@"; do
	i=$((i + 1))
	if [ -f "$md" ]; then run_file "$md" "$i"; else fail "$md: no such file"; fi
done
[ $((npass + nfail)) -gt "$before" ] || fail "no tagged block in $*"

finish
