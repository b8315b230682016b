#!/bin/sh
# tests/tree/include_layers.sh — every project #include points down the
# layer list of docs/architecture.md (or stays in its own folder), so no
# include cycle can join files of different folders.  grammar/ counts as
# src/lang/; tests and benches may include anything.  A <name>_private.h
# header is for the files of its own folder only.
. "${LAC_SRCDIR:-.}/tests/lib.sh"

LAYERS="base net graph lang project check sql warehouse state deliver run alert plan cmd"

rank() {
	i=0
	for l in $LAYERS; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo -1
}

bad=0
files=$(cd "$SRC" && find src grammar -type f \( -name '*.c' -o -name '*.h' -o -name '*.y' -o -name '*.l' -o -name '*.def' \) | sort)
[ -n "$files" ] || { fail "no sources found under $SRC/src"; finish; }
for f in $files; do
	case $f in
	grammar/*) from=lang ;;
	src/*/*) from=${f#src/}; from=${from%%/*} ;;
	*) echo "$f: not in a layer folder (src/<layer>/)"; bad=$((bad + 1)); continue ;;
	esac
	fr=$(rank "$from")
	[ "$fr" -ge 0 ] || { echo "$f: folder '$from' is not a layer"; bad=$((bad + 1)); continue; }
	# the quoted includes; config.h and the grammar's own headers are build products
	for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$SRC/$f"); do
		case $inc in
		config.h|parser.h|lexer.h|scanner.h|keywords.def) to=lang; [ "$inc" = config.h ] && continue ;;
		*/*) to=${inc%%/*} ;;
		*) echo "$f: #include \"$inc\" names no folder (write \"<layer>/$inc\")"; bad=$((bad + 1)); continue ;;
		esac
		tr=$(rank "$to")
		case $inc in
		*_private.h) [ "$to" = "$from" ] || { echo "$f: #include \"$inc\": a private header of another folder"; bad=$((bad + 1)); } ;;
		esac
		if [ "$tr" -lt 0 ]; then
			echo "$f: #include \"$inc\": '$to' is not a layer"; bad=$((bad + 1))
		elif [ "$tr" -gt "$fr" ]; then
			echo "$f: #include \"$inc\" points up ($from -> $to)"; bad=$((bad + 1))
		fi
	done
done
[ "$bad" -eq 0 ] && pass || fail "$bad include(s) break the layer order"
finish
