#!/bin/sh
# tests/e2e/getting_started.sh — docs/getting-started.md is followed as
# written: its ```sh blocks run in order in one shell (so `cd` carries over)
# with ./lac and lac the binary under test, all but the setup steps CI runs
# itself (git clone, ./scripts/setup, make check); /tmp/petshop becomes a
# temporary directory and examples/ the source tree's (read only, nothing
# is written there).  Step 5's mistake is made as the text says, and the
# diagnostic the guide shows must be the one lac prints.
. "${LAC_SRCDIR:-.}/tests/lib.sh"

G="$SRC/docs/getting-started.md"
mkdir "$T/w" "$T/bin"
ln -s "$SRC/examples" "$T/w/examples"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$LAC" >"$T/bin/lac"
chmod +x "$T/bin/lac"
cp "$T/bin/lac" "$T/w/lac"

# the commands of the ```sh blocks, in order; a marker before step 5's check
awk '
	/^## 5\./ { step5 = 1 }
	/^```sh$/ { inblock = 1; if (step5 && !marked) { print "#STEP5"; marked = 1 }; next }
	/^```/ { inblock = 0; next }
	inblock { print }
' "$G" >"$T/cmds"
[ -s "$T/cmds" ] && pass || fail "no sh blocks in getting-started.md"

{
	echo 'set -e'
	echo "PATH=$T/bin:\$PATH"
	echo "cd $T/w"
	while IFS= read -r line; do
		case $line in
		'git clone'*|'./scripts/setup'*|'make check'*) continue ;;
		'#STEP5')
			# "Change `type` to `typ` and check again"; the check then fails
			echo "sed -i 's/{ type = \"cat\" }/{ typ = \"cat\" }/' audiences/pets.lac"
			echo 'set +e'
			continue ;;
		esac
		if printf '%s' "$line" | grep -q '| dot ' && ! command -v dot >/dev/null 2>&1; then
			line=${line%%|*} # no graphviz here: the DOT text alone
		fi
		printf '%s\n' "$line" | sed "s|/tmp/petshop|$T/petshop|g; s|^lac --format json check\$|& >$T/step5.json|"
	done <"$T/cmds"
	echo 'exit 0 # step 5 ends on a check that fails on purpose'
} >"$T/run.sh"

if (sh -x "$T/run.sh" >"$T/out" 2>"$T/err"); then pass; else
	fail "getting-started.md's commands failed"
	tail -n 20 "$T/err" >&2
fi
[ -f "$T/petshop/lac.yaml" ] && [ -f "$T/petshop/data/warehouse.db" ] && pass || fail "step 3 made no project"

# the diagnostic the guide shows is lac's
sed -n '/^audiences\/pets.lac:[0-9]*:[0-9]*: error\[E201\]/,/^```$/p' "$G" | sed '$d' >"$T/want"
(cd "$T/petshop" && "$LAC" --color never check) >/dev/null 2>"$T/diag" || true
head -n 4 "$T/diag" >"$T/got"
expect_file_eq "step 5's diagnostic" "$T/want" "$T/got"
"${PYTHON3:-python3}" -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d[0]["code"] == "E201", d' \
	"$T/step5.json" && pass || fail "step 5's JSON diagnostics"
[ -z "$(find "$SRC/examples" -newer "$T/cmds" -print -quit)" ] && pass || fail "the guide wrote into examples/"

finish
