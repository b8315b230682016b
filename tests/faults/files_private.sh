#!/bin/sh
# tests/faults/files_private.sh — files lac writes that hold definitions,
# state or personal data are its owner's alone, whatever the umask: the
# state DB, `state export` files, `plan --out` files and the file
# destination's output are 0600 (also a plan file that replaces a readable
# one).  A ${VAR} used in a path may not hold "..": the state path and a
# file destination's path are refused naming the variable (E006).
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need sqlite3
umask 022
P="$T/p"
lac init --example petshop "$P" >/dev/null
mode() { stat -c %a "$1"; }

lac -C "$P" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
lac -C "$P" -q --now 2026-01-15T12:00:00Z run >/dev/null
sqlite3 "$P/data/warehouse.db" "INSERT INTO PETS VALUES ('x30','h02','Mia','cat',2,'2025-01-01');"
lac -C "$P" -q --now 2026-01-15T13:00:00Z run >/dev/null
expect_eq "state DB" 600 "$(mode "$P/.lac/state.db")"
expect_eq "file destination output" 600 "$(mode "$P/out/events.jsonl")"
lac -C "$P" -q state export "$T/export.json" >/dev/null
expect_eq "state export" 600 "$(mode "$T/export.json")"
lac -C "$P" -q plan --out "$T/plan.json" >/dev/null
expect_eq "plan file" 600 "$(mode "$T/plan.json")"
chmod 644 "$T/plan.json"
lac -C "$P" -q plan --out "$T/plan.json" >/dev/null
expect_eq "plan file written over a readable one" 600 "$(mode "$T/plan.json")"
expect_status "the plan file applies" 0 lac -C "$P" -q --now 2026-01-15T13:30:00Z apply --auto-approve --no-run "$T/plan.json"

# ---- ${VAR} with ".." in a path ------------------------------------------------
sed -i 's|path: .lac/state.db|path: "${STATE_DIR}/state.db"|; s|path: out/events.jsonl|path: "${OUT_DIR}/events.jsonl"|' \
	"$P/lac.yaml"
STATE_DIR=../elsewhere OUT_DIR=out expect_status "state path climbing: refused" 1 lac -C "$P" status
expect_eq "state path climbing: the error names the variable" \
	"lac.yaml:11:9: error[E006]: environment variable 'STATE_DIR' used in a path must not contain '..'" \
	"$(head -n 1 "$T/err")"
expect_eq "state path climbing: nothing made there" no "$(test -e "$T/elsewhere" && echo yes || echo no)"
mkdir -p "$P/st" && cp "$P/.lac/state.db" "$P/st/state.db"
sqlite3 "$P/data/warehouse.db" "INSERT INTO PETS VALUES ('x40','h10','Tom','cat',2,'2025-01-01');"
STATE_DIR=st OUT_DIR=../../escaped expect_status "output path climbing: the run fails" 1 \
	lac -C "$P" --now 2026-01-15T14:00:00Z run cat_owners
expect_eq "output path climbing: the error names the variable" 1 \
	"$(grep -c "error\[E006\]: environment variable 'OUT_DIR' used in a path must not contain '..'" "$T/err")"
expect_eq "output path climbing: nothing written there" no "$(test -e "$T/escaped" && echo yes || echo no)"
STATE_DIR=st OUT_DIR=a..b expect_status "a name with '..' inside is a name" 0 \
	lac -C "$P" -q --now 2026-01-15T15:00:00Z run cat_owners
expect_eq "a name with '..' inside: written there" 1 "$(cat "$P/a..b/events.jsonl" | wc -l)"
finish
