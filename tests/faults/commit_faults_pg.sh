#!/bin/sh
# tests/faults/commit_faults_pg.sh — as commit_faults.sh, on a PostgreSQL
# state: every row a run writes to the state failing once (a trigger on each
# of its tables counts the rows with a sequence, which no rollback takes
# back, and refuses the Nth), for every N the run has.  lac exits 0 or 1;
# once the state takes writes again, the next runs deliver every event of
# the change under one messageId, a line twice only after a delivery the
# state could not record (with a warning), and leave nothing queued or
# unfinished.  The run: a data change and a new activation with `send
# current`.  Skipped (77) without PostgreSQL.
. "${LAC_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

py=/usr/bin/python3
need "$py" sqlite3
pg_start
lib="$SRC/tests/e2e/run_lib.py"
auds="cat_owners multi_dog_owners cat_greetings"
STATE_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=fault_base"
export STATE_DSN
psql -q -d postgres -c "CREATE DATABASE fault_base" >/dev/null

# the petshop example, its state in schema lac_state, past its baseline
# run; then an audience whose activation sends its current members on its
# first run, applied, and the data change
lac init --example petshop "$T/base" >/dev/null
awk '
	/^state:/ { print "state:\n  type: postgres\n  dsn: \"${STATE_DSN}\"\n  schema: lac_state"; skip = 1; next }
	skip && /^[ \t]/ { next }
	{ skip = 0; print }
' "$SRC/examples/petshop/lac.yaml" >"$T/base/lac.yaml"
lac -C "$T/base" -q --now 2026-01-15T11:00:00Z apply --auto-approve --no-run >/dev/null
lac -C "$T/base" -q --now 2026-01-15T12:00:00Z run >/dev/null
cat "$SRC/tests/e2e/cat_greetings.lac" >>"$T/base/audiences/pets.lac"
lac -C "$T/base" -q --now 2026-01-15T12:30:00Z apply --auto-approve --no-run >/dev/null
sqlite3 "$T/base/data/warehouse.db" "INSERT INTO PETS VALUES ('x30','h02','Mia','cat',2,'2025-01-01'),
	('x31','h02','Odie','dog',3,'2025-01-01'), ('x32','h10','Pluto','dog',4,'2025-01-01');
	DELETE FROM PETS WHERE id IN ('x11','x13');"
# the fault: off (0) until a test sets the row to refuse
psql -q -v ON_ERROR_STOP=1 -d fault_base >/dev/null <<'SQL'
CREATE TABLE public.lac_fault_at (n bigint NOT NULL);
INSERT INTO public.lac_fault_at VALUES (0);
CREATE SEQUENCE public.lac_fault_rows;
CREATE FUNCTION public.lac_fault() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF nextval('public.lac_fault_rows') = (SELECT n FROM public.lac_fault_at) THEN
		RAISE EXCEPTION 'injected: the state refuses this write';
	END IF;
	RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
DO $$ DECLARE t text; BEGIN
	FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'lac_state' LOOP
		EXECUTE format('CREATE TRIGGER lac_fault BEFORE INSERT OR UPDATE OR DELETE ON lac_state.%I '
			'FOR EACH ROW EXECUTE FUNCTION public.lac_fault()', t);
	END LOOP;
END $$;
SQL
P="$T/p"
ev="$P/out/events.jsonl"
pgq() { psql -q -t -A -v ON_ERROR_STOP=1 -d fault_it -c "$1"; }
# fresh: the project and its state as they were before the change's run
fresh() {
	rm -rf "$P"
	cp -R "$T/base" "$P"
	psql -q -d postgres -c "DROP DATABASE IF EXISTS fault_it" -c "CREATE DATABASE fault_it TEMPLATE fault_base" >/dev/null
	STATE_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=fault_it"
}

# what the runs send without a fault
fresh
lac -C "$P" -q --now 2026-01-15T13:30:00Z run $auds >/dev/null
expected=$("$py" "$lib" summary "$ev")
expect_eq "no fault: the change's 4 events and 5 greetings" 9 "$(echo "$expected" | grep -c .)"
rows=$(pgq "SELECT last_value FROM public.lac_fault_rows")

# faulted N: the run with the Nth row written to the state refused, then
# two runs without the fault
faulted() {
	what="row $1 of $rows"
	fresh
	pgq "UPDATE public.lac_fault_at SET n = $1" >/dev/null
	set +e
	"$LAC" -C "$P" --now 2026-01-15T13:30:00Z run --jobs 1 $auds >"$T/fout" 2>"$T/ferr"
	rc=$?
	set -e
	expect_eq "$what: reached" t "$(pgq "SELECT last_value >= $1 FROM public.lac_fault_rows")"
	pgq "UPDATE public.lac_fault_at SET n = 0" >/dev/null
	case $rc in 0|1) pass ;; *) fail "$what: exit $rc"; cat "$T/ferr" >&2 ;; esac
	expect_status "$what: the next run" 0 lac -C "$P" --now 2026-01-15T14:00:00Z run $auds
	expect_status "$what: and the one after" 0 lac -C "$P" --now 2026-01-15T15:00:00Z run $auds
	expect_eq "$what: every event, once per messageId" "$expected" "$("$py" "$lib" unique "$ev")"
	if ! grep -q "delivering to 'events_file'" "$T/ferr"; then
		expect_eq "$what: no line twice" "$(wc -l <"$ev")" "$(sort -u "$ev" | wc -l)"
	fi
	expect_eq "$what: no run left unfinished" 0 "$(pgq "SELECT COUNT(*) FROM lac_state.runs WHERE result = 'Running'")"
	# (a chunk is deleted once its cursor reaches its end)
	expect_eq "$what: nothing left queued" 0 "$(pgq "SELECT (SELECT COUNT(*) FROM lac_state.outbox_chunks)
		+ (SELECT COUNT(*) FROM lac_state.outbox WHERE status = 'pending')")"
}

[ "$rows" -gt 10 ] && pass || fail "the run writes only $rows rows"
n=1
while [ "$n" -le "$rows" ]; do
	faulted "$n"
	n=$((n + 1))
done
finish
