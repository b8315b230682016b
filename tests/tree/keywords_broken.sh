#!/bin/sh
# tests/tree/keywords_broken.sh — tests/tree/keywords.sh catches each way
# grammar/keywords.def and grammar/parser.y can drift apart: it is run on
# copies of the two files, each broken in one way, and must fail saying why
# (and pass on the copies as they are).
. "${LAC_SRCDIR:-.}/tests/lib.sh"

B=$T/b

# fresh: unbroken copies in $B
fresh() {
	rm -rf "$B"
	mkdir "$B"
	cp "$SRC/grammar/keywords.def" "$SRC/grammar/parser.y" "$B/"
}

# edit FILE SED_SCRIPT: change one of the copies
edit() {
	sed "$2" "$B/$1" >"$B/$1.new"
	mv "$B/$1.new" "$B/$1"
}

# check: run keywords.sh on the copies; its output in $T/out, status in $rc
check() {
	set +e
	LAC_SRCDIR=$SRC sh "$SRC/tests/tree/keywords.sh" "$B/keywords.def" "$B/parser.y" >"$T/out" 2>&1
	rc=$?
	set -e
}

# expect_broken NAME MESSAGE: keywords.sh fails on the copies and says MESSAGE
expect_broken() {
	check
	if [ "$rc" -ne 0 ] && grep -qF -- "$2" "$T/out"; then pass; else
		fail "$1: keywords.sh exit $rc, wanted a failure saying: $2"
		sed 's/^/  /' "$T/out" >&2
	fi
}

fresh
check
expect_eq "the unbroken copies pass" 0 "$rc"

fresh
edit keywords.def '/^KW("within", WITHIN,/d'
expect_broken "a token missing from keywords.def" \
	'%token WITHIN has no "alias" and is not in keywords.def'

fresh
edit keywords.def '$a\
KW("zebra", ZEBRA, UNRESERVED)'
expect_broken "a keyword that is no token" "keyword ZEBRA (keywords.def) is not a %token of parser.y"

# a keyword only in the name lists, in a comment and in an action does nothing
fresh
edit keywords.def '$a\
KW("zebra", ZEBRA, UNRESERVED)'
edit parser.y 's/^%token <str> WITHIN WITHOUT$/& ZEBRA/
s/^	  IDENT | ACTIVATION/	  IDENT | ZEBRA | ACTIVATION/
s/^	  MANUAL	/	  MANUAL	{ \/* ZEBRA *\/ $$ = (struct schedule){ .every = "ZEBRA"[0] }; }\
	| MANUAL	/'
expect_broken "a keyword used by no rule" "keyword ZEBRA is used in no rule of parser.y but the name lists"

fresh
edit parser.y 's/^\(	| TRAITS | TRIGGER | TRUE | VALUES | WEEK | WEEKS\) | WHERE$/\1/'
expect_broken "an unreserved keyword left out of col_ident" \
	"UNRESERVED keyword WHERE is missing from col_ident"

fresh
edit keywords.def 's/^KW("having", HAVING, RESERVED)$/KW("having", HAVING, UNRESERVED)/'
expect_broken "a category changed in keywords.def only" \
	"UNRESERVED keyword HAVING is missing from col_ident"

fresh
edit keywords.def 's/^KW("where", WHERE, UNRESERVED)$/KW("where", WHERE, RESERVED)/'
expect_broken "a reserved keyword in col_ident" \
	"col_ident takes WHERE, which is not an UNRESERVED keyword"

fresh
edit parser.y 's/^\(	| NOT | OR\) | STARTS\( | USING\)/\1\2/'
expect_broken "a keyword that is no name" "keyword STARTS is missing from slug_ident and name_ident"

fresh
edit keywords.def 's/^KW("folder", FOLDER, UNRESERVED)$/KW("folder" FOLDER, UNRESERVED)/'
expect_broken "a malformed keywords.def line" 'a KW(...) line is not KW("text", TOKEN, RESERVED|UNRESERVED)'

finish
