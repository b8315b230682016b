#!/bin/sh
# tests/e2e/fmt.sh — `lac fmt` on real files: --check exit codes and the
# names it prints, --diff's unified diff (applied with patch), in-place rewrite, stdin to stdout, idempotence on every
# example, files already formatted are not touched (same mtime), files with
# syntax errors are left alone, unknown options are usage errors.
. "$(dirname "$0")/../lib.sh"

# ---- a small project: one file formatted, one not -------------------------------
mkdir -p "$T/p/audiences/sub"
cat >"$T/p/lac.yaml" <<'EOF'
version: 1
name: fmt-test
graph: graph.yaml
audiences: audiences
EOF
: >"$T/p/graph.yaml"    # not a valid graph: fmt does not care
cat >"$T/p/audiences/good.lac" <<'EOF'
# formatted already
audience good {
  name "Good"
  where {
    with trait vip = true  # a comment
  }
}
EOF
printf 'audience messy{name "M" where{with entity pets{type="cat"} (with trait x)}}\n' \
	>"$T/p/audiences/sub/messy.lac"
cat >"$T/messy.want" <<'EOF'
audience messy {
  name "M"
  where {
    with entity pets { type = "cat" }
    with trait x
  }
}
EOF
cp "$T/p/audiences/good.lac" "$T/good.orig"
cp "$T/p/audiences/sub/messy.lac" "$T/messy.orig"
touch -t 202001010000 "$T/p/audiences/good.lac"
before=$(ls -l --time-style=+%s "$T/p/audiences/good.lac")

# --check: lists the file that would change, writes nothing, exit 1
expect_status "check with changes exits 1" 1 lac -C "$T/p" fmt --check
# the project's paths: lac runs in -C DIR
expect_eq "check lists the messy file" "audiences/sub/messy.lac" "$(cat "$T/out")"
expect_file_eq "check writes nothing" "$T/messy.orig" "$T/p/audiences/sub/messy.lac"

# --diff: the same exit status, a unified diff instead of names, nothing
# written; patch(1) applying it gives what fmt writes
expect_status "diff with changes exits 1" 1 lac -C "$T/p" fmt --diff
expect_file_eq "diff writes nothing" "$T/messy.orig" "$T/p/audiences/sub/messy.lac"
cp "$T/out" "$T/messy.diff"
expect_eq "diff headers name the file" "--- audiences/sub/messy.lac
+++ audiences/sub/messy.lac
@@ -1 +1,7 @@" "$(head -n 3 "$T/messy.diff")"
expect_eq "diff: the one old line" "-$(cat "$T/messy.orig")" "$(grep '^-[^-]' "$T/messy.diff")"
if command -v patch >/dev/null 2>&1; then
	cp "$T/messy.orig" "$T/patched.lac"
	patch -s "$T/patched.lac" "$T/messy.diff"
	expect_file_eq "the diff applied gives the formatted file" "$T/messy.want" "$T/patched.lac"
else
	echo "no patch: its check is skipped"
fi
expect_status "diff --format json" 1 lac -C "$T/p" --format json fmt --diff
expect_eq "diff in the JSON entry" "$(cat "$T/messy.diff")" \
	"$(/usr/bin/python3 -c 'import json, sys; d = json.load(sys.stdin); print("".join(f.get("diff", "") for f in d["files"]), end="")' <"$T/out")"
printf 'audience n { name "N" }' >"$T/nonl.lac"
expect_status "diff of a file without a last newline" 1 lac fmt --diff "$T/nonl.lac"
expect_eq "said as diff says it" "-audience n { name \"N\" }
\\ No newline at end of file" "$(grep -A1 '^-audience' "$T/out")"

# rewrite in place, only the file that changed
chmod 640 "$T/p/audiences/sub/messy.lac"
expect_status "fmt rewrites" 0 lac -C "$T/p" fmt
expect_file_eq "messy file formatted" "$T/messy.want" "$T/p/audiences/sub/messy.lac"
expect_file_eq "good file unchanged" "$T/good.orig" "$T/p/audiences/good.lac"
expect_eq "good file not touched (mtime)" "$before" "$(ls -l --time-style=+%s "$T/p/audiences/good.lac")"
expect_eq "mode kept" "-rw-r-----" "$(ls -l "$T/p/audiences/sub/messy.lac" | cut -c1-10)"
expect_eq "no temporary file left" "" "$(find "$T/p" -name '.*fmt-*')"

# now everything is formatted
expect_status "check when formatted exits 0" 0 lac -C "$T/p" fmt --check
expect_eq "check prints nothing when formatted" "" "$(cat "$T/out")"
expect_status "diff when formatted exits 0" 0 lac -C "$T/p" fmt --diff
expect_eq "diff prints nothing when formatted" "" "$(cat "$T/out")"

# explicit files
cp "$T/messy.orig" "$T/one.lac"
expect_status "check one file" 1 lac fmt --check "$T/one.lac"
expect_status "format one file" 0 lac fmt "$T/one.lac"
expect_file_eq "one file formatted" "$T/messy.want" "$T/one.lac"

# a directory: the .lac files under it, in path order; others are not read
mkdir -p "$T/tree/sub"
cp "$T/messy.orig" "$T/tree/sub/b.lac"
cp "$T/messy.want" "$T/tree/a.lac"
printf 'not lac\n' >"$T/tree/notes.txt"
expect_status "check a directory" 1 lac fmt --check "$T/tree"
expect_eq "... names the file to change" "$T/tree/sub/b.lac" "$(cat "$T/out")"
expect_status "format a directory" 0 lac fmt "$T/tree"
expect_file_eq "... formats the file under it" "$T/messy.want" "$T/tree/sub/b.lac"
cp "$T/messy.orig" "$T/tree/sub/b.lac"
expect_status "and from -C, relative to it" 1 lac -C "$T/tree" fmt --check sub/
expect_eq "... named from there" "sub/b.lac" "$(cat "$T/out")"
cp "$T/messy.want" "$T/tree/sub/b.lac"
# a directory below it that cannot be read fails the check (as another user:
# root reads anything)
as_user=
[ "$(id -u)" = 0 ] && as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
chmod 755 "$T" && chmod -R a+rX "$T/tree" && chmod 000 "$T/tree/sub"
if $as_user "$LAC" --version >/dev/null 2>&1; then
	expect_status "an unreadable directory under it" 1 $as_user "$LAC" fmt --check "$T/tree"
	has "... is named" "lac: cannot read the directory '$T/tree/sub': Permission denied" "$T/err"
else
	echo "note: cannot run lac as another user here; the unreadable directory case is not tested"
fi
chmod 755 "$T/tree/sub"

# stdin to stdout
expect_status "stdin" 0 sh -c "\"\$LAC\" fmt - <\"$T/messy.orig\""
expect_file_eq "stdin formatted to stdout" "$T/messy.want" "$T/out"

# a syntax error: diagnostics, exit 1, the file untouched
printf 'audience broken { where { with trait } \n' >"$T/broken.lac"
cp "$T/broken.lac" "$T/broken.orig"
expect_status "syntax error exits 1" 1 lac fmt "$T/broken.lac"
expect_file_eq "syntax error leaves the file" "$T/broken.orig" "$T/broken.lac"
if grep -q 'E100' "$T/err"; then pass; else fail "syntax error diagnostics printed"; cat "$T/err" >&2; fi
# ... while the other files given are still formatted
cp "$T/messy.orig" "$T/two.lac"
expect_status "syntax error in one of two" 1 lac fmt "$T/broken.lac" "$T/two.lac"
expect_file_eq "the good one is formatted" "$T/messy.want" "$T/two.lac"

# usage errors
expect_status "unknown option" 64 lac fmt --frobnicate
expect_status "missing file" 1 lac fmt "$T/nope.lac"
expect_status "no project" 1 lac -C "$T/nowhere" fmt

# ---- every example: formatting is idempotent, and fmt --check agrees --------
n=0
for f in $(find "$SRC/examples" -name '*.lac' | sort); do
	n=$((n + 1))
	if ! lac fmt - <"$f" >"$T/ex1.lac"; then fail "fmt $f"; continue; fi
	if ! lac fmt - <"$T/ex1.lac" >"$T/ex2.lac"; then fail "fmt twice $f"; continue; fi
	expect_file_eq "idempotent: $f" "$T/ex1.lac" "$T/ex2.lac"
	expect_status "check after fmt: $f" 0 lac fmt --check "$T/ex1.lac"
done
if [ "$n" -gt 0 ]; then pass; else fail "no examples found"; fi

finish
