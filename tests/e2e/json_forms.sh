#!/bin/sh
# tests/e2e/json_forms.sh — the JSON forms of `lac compile`, `lac fmt` and
# `lac init` (SPEC §6: every command that prints data has one): each prints
# one JSON document with the documented keys and values, exit codes as in
# text mode, diagnostics in `lac check --format json`'s form; run and apply
# put their errors in that one document.  Also the `stdout` destination: a
# run prints its events as JSON lines on stdout (on stderr with --format json).
. "${LAC_SRCDIR:-.}/tests/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || { echo "no /usr/bin/python3: skipped"; exit 77; }
need sqlite3
unset SEGMENT_WRITE_KEY HOOK_TOKEN || true

# pycheck NAME SCRIPT [ARGS...]: run a Python check on $T/out (parsed as
# JSON into `d`); an assertion that fails is a failure of NAME.
pycheck() {
	name=$1 script=$2
	shift 2
	if "$PY" - "$T/out" "$@" >"$T/py" 2>&1 <<EOF
import json, os, sys
d = json.load(open(sys.argv[1]))
args = sys.argv[2:]
$script
EOF
	then pass; else
		fail "$name"
		sed 's/^/  /' "$T/py" >&2
		sed 's/^/  out: /' "$T/out" >&2
	fi
}

# ---- lac init --format json --------------------------------------------------------
expect_status "init --format json" 0 lac --format json init "$T/proj"
pycheck "init: directory, example, files" '
assert list(d) == ["directory", "example", "files"], list(d)
assert d["directory"] == args[0], d["directory"]
assert d["example"] == "petshop"
f = d["files"]
assert f == sorted(f), "files sorted"
for want in ("lac.yaml", "graph.yaml", "audiences/pets.lac", "data/warehouse.sql", "data/warehouse.db"):
    assert want in f, want
for name in f:
    assert os.path.isfile(os.path.join(args[0], name)), name
' "$T/proj"
tail -c 1 "$T/out" | od -An -c | grep -q '\\n' && pass || fail "init json ends with a newline"
# -q does not silence a JSON form the user asked for (as `lac run --format json`)
expect_status "init -q --format json" 0 lac -q --format json init "$T/subs" --example subscriptions
pycheck "init --example in json" 'assert d["example"] == "subscriptions"'
expect_status "init json, existing project" 1 lac --format json init "$T/proj"
pycheck "init json error is a JSON document" 'assert list(d) == ["error"] and "init never overwrites" in d["error"], d'

P="$T/proj"
NOW=--now=2026-01-15T12:00:00Z

# ---- lac compile --format json -----------------------------------------------------
lac -C "$P" compile "$NOW" cat_owners >"$T/cat.sql"
expect_status "compile --format json" 0 lac -C "$P" --format json compile "$NOW" cat_owners
pycheck "compile: one audience" '
assert list(d) == ["dialect", "emit", "output", "audiences"], list(d)
assert d["dialect"] == "sqlite" and d["emit"] == "membership" and d["output"] is None, d
[a] = d["audiences"]
assert list(a) == ["audience", "file", "line", "dialect", "sql", "path"], list(a)
assert a["audience"] == "cat_owners" and a["file"] == "audiences/pets.lac", a
assert a["line"] == 3 and a["dialect"] == "sqlite" and a["path"] is None, a
assert a["sql"] == open(args[0]).read(), "sql is the text form"
' "$T/cat.sql"

# every audience in file order, as in text mode
lac -C "$P" compile >"$T/all.sql"
expect_status "compile --format json, every audience" 0 lac -C "$P" --format json compile
pycheck "compile: every audience, same SQL as the text form" '
text = open(args[0]).read()
assert "\n".join(a["sql"] for a in d["audiences"]) == text
assert [a["audience"] for a in d["audiences"]] == ["vet_clients", "recent_buyers", "cat_owners", "multi_dog_owners", "petless_households"], d["audiences"]
' "$T/all.sql"

# -d all: one entry per audience and dialect; -o: the written files
expect_status "compile -d all -o --format json" 0 \
	lac -C "$P" --format json compile -d all -o "$T/sql" "$NOW" cat_owners recent_buyers
pycheck "compile -d all -o: entries and files" '
assert d["dialect"] == "all" and d["output"] == args[0], d
pairs = [(a["dialect"], a["audience"]) for a in d["audiences"]]
dialects = ["snowflake", "bigquery", "redshift", "databricks", "postgres", "sqlite"]
assert sorted(pairs) == sorted((x, y) for x in dialects for y in ("cat_owners", "recent_buyers")), pairs
assert len(set(pairs)) == len(pairs)
for a in d["audiences"]:
    assert a["path"] == "%s/%s/%s.sql" % (args[0], a["dialect"], a["audience"]), a["path"]
    assert open(a["path"]).read() == a["sql"], a["path"]
' "$T/sql"

expect_status "compile --emit run --format json" 0 lac -C "$P" --format json compile --emit run "$NOW" cat_owners
pycheck "compile --emit run" '
assert d["emit"] == "run"
assert "run id" in d["audiences"][0]["sql"]
'

# errors: the diagnostics as `lac check --format json` prints them, exit 1
cp -R "$P" "$T/broken"
printf 'audience broken {\n  where { with trait no_such_trait = 1 }\n}\n' >"$T/broken/audiences/broken.lac"
lac -C "$T/broken" --format json check >"$T/check.json" 2>/dev/null || true
expect_status "compile --format json with errors" 1 lac -C "$T/broken" --format json compile
expect_file_eq "compile json diagnostics = check json diagnostics" "$T/check.json" "$T/out"
pycheck "compile json diagnostics form" '
assert isinstance(d, list) and d, d
assert any(x["severity"] == "error" and x["file"].endswith("broken.lac") for x in d), d
'
expect_status "compile json unknown audience" 1 lac -C "$P" --format json compile nope
pycheck "unknown audience: the error as a JSON document" 'assert d == {"error": "unknown audience \x27nope\x27"}, d'
expect_status "run json, an audience never applied" 1 lac -C "$P" --format json run nope
pycheck "run: the error in its one JSON document" '
assert d == {"runs": [], "errors": [{"code": "unknown-audience", "message": "unknown audience \x27nope\x27", "audience": "nope"}]}, d
'
expect_status "state import json, no such file" 1 lac -C "$P" --format json state import "$T/no-such-export"
pycheck "state import: the error as a JSON document" 'assert list(d) == ["error"] and "no-such-export" in d["error"], d'
# usage errors before the command is known, --format json before or after
expect_status "json: unknown command" 64 lac --format json bogus
pycheck "unknown command: the error as a JSON document" 'assert d == {"error": "unknown command \x27bogus\x27"}, d'
expect_status "json after an unknown command" 64 lac bogus --format json
pycheck "unknown command, --format json after it" 'assert d == {"error": "unknown command \x27bogus\x27"}, d'
expect_status "json: unknown global option" 64 lac --format json --bogus
pycheck "unknown option: the error as a JSON document" 'assert d == {"error": "unknown option \x27--bogus\x27"}, d'
expect_status "json: no command" 64 lac --format json
pycheck "no command: the error as a JSON document" 'assert d == {"error": "no command given"}, d'
expect_status "text: unknown command" 64 lac bogus
expect_eq "text: nothing on stdout" "" "$(cat "$T/out")"

# ---- lac fmt --format json ---------------------------------------------------------
expect_status "fmt --check --format json, formatted project" 0 lac -C "$P" --format json fmt --check
pycheck "fmt --check json, nothing to change" '
assert list(d) == ["files", "changed", "errors", "diagnostics"], list(d)
assert d["changed"] == 0 and d["errors"] == 0 and d["diagnostics"] == []
assert len(d["files"]) == 2, d["files"]
for f in d["files"]:
    assert list(f) == ["path", "changed"] and f["changed"] is False, f
'
printf 'audience messy{name "M" where{with entity pets{type="cat"} (with trait x)}}\n' >"$T/messy.lac"
cp "$T/messy.lac" "$T/messy.orig"
expect_status "fmt --check --format json, a file would change" 1 \
	lac --format json fmt --check "$T/messy.lac" "$P/audiences/pets.lac"
pycheck "fmt --check json lists what would change" '
assert d["changed"] == 1 and d["errors"] == 0, d
assert [(f["path"], f["changed"]) for f in d["files"]] == [(args[0], True), (args[1], False)], d["files"]
' "$T/messy.lac" "$P/audiences/pets.lac"
expect_file_eq "fmt --check json wrote nothing" "$T/messy.orig" "$T/messy.lac"

expect_status "fmt --format json rewrites" 0 lac --format json fmt "$T/messy.lac"
pycheck "fmt json reports the rewrite" '
assert d["files"] == [{"path": args[0], "changed": True}] and d["changed"] == 1, d
' "$T/messy.lac"
lac fmt - <"$T/messy.orig" >"$T/messy.want"
expect_file_eq "fmt json rewrote the file" "$T/messy.want" "$T/messy.lac"
expect_status "fmt --format json again" 0 lac --format json fmt "$T/messy.lac"
pycheck "fmt json: idempotent" 'assert d["changed"] == 0 and d["files"][0]["changed"] is False, d'

# stdin: the formatted text goes into the entry, stdout stays one document
expect_status "fmt --format json -" 0 sh -c '"$LAC" --format json fmt - <"$1"' sh "$T/messy.orig"
pycheck "fmt json stdin" '
[f] = d["files"]
assert f["path"] == "<stdin>" and f["changed"] is True, f
assert f["text"] == open(args[0]).read(), f
' "$T/messy.want"

# syntax errors: the file is reported, the diagnostics in check's form, exit 1
printf 'audience bad {\n  where { with trait }\n}\n' >"$T/bad.lac"
expect_status "fmt --format json, syntax error" 1 lac --format json fmt "$T/bad.lac"
pycheck "fmt json syntax error" '
assert d["errors"] == 1 and d["changed"] == 0, d
assert d["files"][0]["path"] == args[0] and d["files"][0]["changed"] is False and "error" in d["files"][0], d
[x] = [x for x in d["diagnostics"] if x["severity"] == "error"][:1]
assert x["file"] == args[0] and x["code"].startswith("E") and "line" in x and "hints" in x, x
' "$T/bad.lac"
expect_status "fmt --format json outside a project" 1 lac -C "$T" --format json fmt
pycheck "fmt json without lac.yaml says why" '
assert d["files"] == [] and d["errors"] == 1 and d["diagnostics"], d
'

# ---- help, man page and format errors -----------------------------------------------
for cmd in compile fmt init; do
	lac help "$cmd" >"$T/help"
	grep -q -- '--format json' "$T/help" && pass || fail "lac help $cmd mentions --format json"
done
expect_status "graph --format svg" 64 lac -C "$P" --format svg graph
expect_eq "graph lists its formats" "lac: unknown format 'svg' (text, dot or json)
usage: lac graph [--format text|dot|json]" "$(cat "$T/err")"
expect_status "graph --format dot" 0 lac -C "$P" --format dot graph

# ---- the stdout destination --------------------------------------------------------
# petshop with its welcome activation sent to a `stdout` destination
lac -q init "$T/out_proj" >/dev/null
S="$T/out_proj"
sed -i 's|^destinations:$|destinations:\n  console: { type: stdout }|' "$S/lac.yaml"
sed -i '0,/destination events_file/s//destination console\n    send current/' "$S/audiences/pets.lac"
grep -q 'destination console' "$S/audiences/pets.lac" && pass || fail "the test project uses console"
lac -C "$S" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null # run runs what was applied
expect_status "run with a stdout destination" 0 lac -C "$S" -q "$NOW" run cat_owners
if grep -q "needs 'url'" "$T/err"; then fail "stdout destination asks for a url: $(cat "$T/err")"; else pass; fi
cp "$T/out" "$T/events"
"$PY" - "$T/events" "$SRC/examples/petshop/expected/cat_owners.members" >"$T/py" 2>&1 <<'EOF' && pass || { fail "stdout events"; cat "$T/py" >&2; }
import json, sys
lines = open(sys.argv[1]).read().splitlines()
members = open(sys.argv[2]).read().split()
evs = [json.loads(l) for l in lines]   # every line is one JSON event
assert len(evs) == len(members), (len(evs), members)
for e in evs:
    assert e["type"] == "track" and e["event"] == "Audience Entered", e
    assert e["properties"]["audience_key"] == "cat_owners", e
    assert e["context"]["personas"]["event_emitter_id"] == "welcome_cat", e
    assert e["messageId"] and e["timestamp"] == "2026-01-15T12:00:00Z", e
EOF
expect_status "status after the stdout run" 0 lac -C "$S" --format json status
pycheck "stdout run delivered" '
[a] = [a for a in d if a["audience"] == "cat_owners"]
assert a["status"] == "Live" and a["error"] is None, a
'

# with --format json the stdout destination writes to stderr: stdout is the
# one JSON document (SPEC §6)
sqlite3 "$S/data/warehouse.db" "INSERT INTO PETS VALUES ('x90','h05','Pix','cat',1,'2025-01-01')"
expect_status "run json with a stdout destination" 0 lac -C "$S" --format json --now 2026-01-15T13:00:00Z run cat_owners
pycheck "stdout: one document, the run and no error" '
assert list(d) == ["runs", "errors"] and d["errors"] == [], d
assert [(r["audience"], r["result"], r["entered"], r["delivered"]) for r in d["runs"]] == [("cat_owners", "Live", 1, 1)], d
'
expect_eq "stderr: the event" "Audience Entered" "$("$PY" -c '
import json, sys
print(" ".join(json.loads(l)["event"] for l in open(sys.argv[1]) if l.startswith("{")))' "$T/err")"

# a failed run and a warehouse that is not there: errors in the document
sqlite3 "$S/data/warehouse.db" "DROP TABLE PETS"
expect_status "run json, a failing run" 1 lac -C "$S" --format json --now 2026-01-15T14:00:00Z run cat_owners
pycheck "a failed run is an error of its audience" '
assert [(r["audience"], r["result"]) for r in d["runs"]] == [("cat_owners", "Failed")], d
[e] = d["errors"]
assert e["code"] == "run-failed" and e["audience"] == "cat_owners" and "no such table: PETS" in e["message"], e
'
mv "$S/data/warehouse.db" "$S/data/warehouse.bak"
expect_status "run json, no warehouse" 1 lac -C "$S" --format json run cat_owners
pycheck "no warehouse: a warehouse error" '
[e] = d["errors"]
assert d["runs"] == [] and e["code"] == "warehouse" and e["audience"] is None and "does not exist" in e["message"], d
'
expect_status "apply json, no warehouse" 1 lac -C "$S" --format json apply --auto-approve
pycheck "apply: the plan, the runs and the errors in one document" '
assert list(d) == ["changes", "summary", "runs", "errors"], list(d)
assert [e["code"] for e in d["errors"]] == ["error"] and "does not exist" in d["errors"][0]["message"], d
'
mv "$S/data/warehouse.bak" "$S/data/warehouse.db"

# kitchen-sink's `console` (type stdout): members leaving print Audience
# Exited lines; segment and hook lack their secrets and stay pending.
cp -R "$SRC/examples/kitchen-sink" "$T/ks"
rm -rf "$T/ks/.lac" "$T/ks/out" "$T/ks/data/warehouse.db"
sqlite3 "$T/ks/data/warehouse.db" <"$T/ks/data/warehouse.sql"
# (the exit status is 1: the unset secrets are errors)
lac -C "$T/ks" -q --now 2026-01-15T07:00:00Z apply --auto-approve --no-run >/dev/null 2>&1 || true
lac -C "$T/ks" -q --now 2026-01-15T08:00:00Z run ks_activations >"$T/out" 2>"$T/err" || true
if grep -q "console" "$T/err"; then fail "kitchen-sink: console destination errors: $(cat "$T/err")"; else pass; fi
sqlite3 "$T/ks/data/warehouse.db" "UPDATE LOYALTY_CARDS SET level = 'bronze'"
lac -C "$T/ks" -q --now 2026-01-15T09:00:00Z run ks_activations >"$T/out" 2>"$T/err" || true
if grep -q "console" "$T/err"; then fail "kitchen-sink: console destination errors: $(cat "$T/err")"; else pass; fi
grep '^{' "$T/out" >"$T/ks_events" || true
"$PY" - "$T/ks_events" >"$T/py" 2>&1 <<'EOF' && pass || { fail "kitchen-sink console events"; cat "$T/py" >&2; }
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
assert evs, "no event on stdout"
for e in evs:
    assert e["event"] == "Audience Exited", e
    assert e["context"]["personas"]["event_emitter_id"] == "on_exit", e
EOF

finish
