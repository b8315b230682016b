#!/bin/sh
# tests/tree/keywords.sh [KEYWORDS_DEF PARSER_Y] — grammar/keywords.def and
# grammar/parser.y agree (as PostgreSQL's check_keywords.pl holds kwlist.h
# to gram.y):
#   - every keyword is a %token of the grammar and does a job in a rule
#     other than the name lists;
#   - every %token without a quoted alias is a keyword (token_name() names
#     it in messages from keywords.def);
#   - col_ident takes exactly the UNRESERVED keywords, and slug_ident and
#     name_ident together take every keyword.
# The two paths default to the source tree's; tests/tree/keywords_broken.sh
# passes broken copies to show each check fails.
. "${LAC_SRCDIR:-.}/tests/lib.sh"

KW_DEF=${1:-$SRC/grammar/keywords.def}
GRAM=${2:-$SRC/grammar/parser.y}
bad=0

# problem MESSAGE: one disagreement, printed and counted
problem() { echo "$*"; bad=$((bad + 1)); }

# keywords.def: "TOKEN CATEGORY" per KW(...) line
grep -c '^KW(' "$KW_DEF" >"$T/nkw" || true
sed -n 's/^KW("[^"]*", *\([A-Z_][A-Z0-9_]*\), *\(RESERVED\|UNRESERVED\))$/\1 \2/p' "$KW_DEF" >"$T/kw"
[ "$(wc -l <"$T/kw")" -eq "$(cat "$T/nkw")" ] ||
	problem "$KW_DEF: a KW(...) line is not KW(\"text\", TOKEN, RESERVED|UNRESERVED)"
[ -s "$T/kw" ] || { fail "no keywords in $KW_DEF"; finish; }
cut -d' ' -f1 "$T/kw" | sort -u >"$T/kw_all"
sed -n 's/ UNRESERVED$//p' "$T/kw" | sort -u >"$T/kw_unreserved"

# the grammar's %token lines: every name, and the names without an alias
grep '^%token' "$GRAM" | sed 's/^%token[[:space:]]*\(<[^>]*>\)\{0,1\}//' >"$T/tokens"
sed 's/"[^"]*"//g' "$T/tokens" | tr -s ' \t' '\n\n' | grep -E '^[A-Z_][A-Z0-9_]*$' |
	sort -u >"$T/tok_all"
sed 's/[A-Z_][A-Z0-9_]*[[:space:]]*"[^"]*"//g' "$T/tokens" | tr -s ' \t' '\n\n' |
	grep -E '^[A-Z_][A-Z0-9_]*$' | sort -u >"$T/tok_bare"

# the rules, without comments, actions, strings and character literals:
# "RULE TOKEN" for each token a rule's alternatives name
awk '/^%%/ { part++; next } part == 1' "$GRAM" | awk '
	{
		out = ""
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1); n = substr($0, i + 1, 1)
			if (st == "comment") { if (c == "*" && n == "/") { st = ""; i++ } continue }
			if (st == "str" || st == "chr") {
				if (c == "\\") i++
				else if ((st == "str" && c == "\"") || (st == "chr" && c == "'\''")) st = ""
				continue
			}
			if (c == "/" && n == "*") { st = "comment"; i++; continue }
			if (c == "/" && n == "/") break
			if (c == "\"") { st = "str"; continue }
			if (c == "'\''") { st = "chr"; continue }
			if (c == "{") { depth++; continue }
			if (c == "}") { depth--; continue }
			if (depth == 0) out = out c
		}
		gsub(/:/, " : ", out)
		nw = split(out, w, /[^A-Za-z0-9_:]+/)
		for (k = 1; k <= nw; k++) {
			if (w[k] == ":") rule = prev
			else if (w[k] ~ /^[A-Z_][A-Z0-9_]*$/ && rule != "") print rule, w[k]
			if (w[k] != "") prev = w[k]
		}
	}' >"$T/uses"
grep -Ev '^(col_ident|slug_ident|name_ident) ' "$T/uses" | cut -d' ' -f2 | sort -u >"$T/used"
sed -n 's/^col_ident //p' "$T/uses" | grep -vx IDENT | sort -u >"$T/col"
sed -n 's/^\(slug_ident\|name_ident\) //p' "$T/uses" | grep -vx IDENT | sort -u >"$T/name"

for t in $(comm -23 "$T/kw_all" "$T/tok_all"); do
	problem "keyword $t (keywords.def) is not a %token of parser.y"
done
for t in $(comm -13 "$T/kw_all" "$T/tok_bare"); do
	problem "%token $t has no \"alias\" and is not in keywords.def (messages could not name it)"
done
for t in $(comm -23 "$T/kw_all" "$T/used"); do
	problem "keyword $t is used in no rule of parser.y but the name lists"
done
for t in $(comm -23 "$T/kw_unreserved" "$T/col"); do
	problem "UNRESERVED keyword $t is missing from col_ident"
done
for t in $(comm -13 "$T/kw_unreserved" "$T/col"); do
	problem "col_ident takes $t, which is not an UNRESERVED keyword"
done
for t in $(comm -23 "$T/kw_all" "$T/name"); do
	problem "keyword $t is missing from slug_ident and name_ident"
done
for t in $(comm -13 "$T/kw_all" "$T/name"); do
	problem "slug_ident or name_ident takes $t, which is not a keyword"
done

[ "$bad" -eq 0 ] && pass || fail "$bad disagreement(s) between $KW_DEF and $GRAM"
finish
