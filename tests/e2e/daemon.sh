#!/bin/sh
# tests/e2e/daemon.sh — `lac daemon --once`: runs exactly the applied audiences
# that are due at --now, skips ones changed since apply, and runs nothing early.
. "${LAC_SRCDIR:-.}/tests/lib.sh"

cp -R "$SRC/examples/petshop" "$T/p"
rm -rf "$T/p/.lac" "$T/p/out" "$T/p/data/warehouse.db"
sqlite3 "$T/p/data/warehouse.db" < "$T/p/data/warehouse.sql"

expect_status "daemon before apply runs nothing" 0 lac -C "$T/p" daemon --once --now 2026-01-15T12:00:00Z
expect_eq "nothing applied, nothing run" "" "$(cat "$T/out")"

expect_status "apply" 0 lac -C "$T/p" -q apply --auto-approve --now 2026-01-15T12:00:00Z

# 12:20: nothing is due yet (every 30 minutes is the shortest schedule here)
expect_status "daemon at 12:20" 0 lac -C "$T/p" daemon --once --now 2026-01-15T12:20:00Z
expect_eq "nothing due at 12:20" "" "$(cat "$T/out")"

# 12:30: recent_buyers (every 30 minutes) is due, cat_owners (every 1 hour) is not
expect_status "daemon at 12:30" 0 lac -C "$T/p" daemon --once --now 2026-01-15T12:30:00Z
expect_eq "only recent_buyers ran at 12:30" "recent_buyers" "$(cut -d: -f1 "$T/out")"

# a change that was not applied: a warning, and the applied definition runs
sed -i 's/type = "cat"/type = "cat" and age >= 0/' "$T/p/audiences/pets.lac"
expect_status "daemon at 13:30" 0 lac -C "$T/p" daemon --once --now 2026-01-15T13:30:00Z
expect_eq "unapplied change warned" "lac: warning: audience 'cat_owners' differs from what was applied; running the applied definition (see 'lac plan')" "$(grep cat_owners "$T/err")"
expect_eq "cat_owners ran its applied definition" "cat_owners
recent_buyers" "$(cut -d: -f1 "$T/out" | sort)"

# a broken .lac file and a broken graph stop nothing
echo 'audience broken {' >>"$T/p/audiences/pets.lac"
expect_status "daemon with a broken file" 0 lac -C "$T/p" daemon --once --now 2026-01-15T14:00:00Z
expect_eq "broken file warned" "lac: warning: the project's files have errors (see 'lac check'); running the applied definitions" "$(grep "files have errors" "$T/err")"
expect_eq "runs despite the broken file" "recent_buyers" "$(cut -d: -f1 "$T/out")"
echo 'bogus: [' >>"$T/p/graph.yaml"
expect_status "daemon with a broken graph" 0 lac -C "$T/p" daemon --once --now 2026-01-15T14:30:00Z
expect_eq "runs despite the broken graph" "cat_owners
recent_buyers" "$(cut -d: -f1 "$T/out" | sort)"
for cmd in status "runs cat_owners" "delivery cat_owners"; do
	expect_status "$cmd with broken files" 0 lac -C "$T/p" $cmd
done
expect_status "run with broken files" 0 lac -C "$T/p" --now 2026-01-15T15:00:00Z run recent_buyers

expect_status "daemon usage" 64 lac -C "$T/p" daemon --bogus
expect_status "--now needs --once" 64 lac -C "$T/p" daemon --now 2026-01-15T12:00:00Z
finish
