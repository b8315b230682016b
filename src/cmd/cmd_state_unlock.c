/*
 * cmd_state_unlock.c — `lac state unlock LOCK_ID`: free a lock that another
 * process holds (SPEC §1.2; docs/gitops.md "Locks").
 *
 * It takes the apply lock itself first (unless LOCK_ID is apply), so that no
 * apply starts in the middle.  PostgreSQL: the holder's session is ended,
 * which releases its locks (and stops that process at its next state
 * statement).  SQLite: a lock already dies with its process, so a holder
 * that is gone has left only its record, which is cleared; a live holder
 * is reported, exit 1: stop that process instead.
 */
#include <stdio.h>
#include <string.h>

#include "base/json_print.h"
#include "cmd/cli.h"
#include "cmd/state_view.h"
#include "state/state.h"

/* The answer, as text or one JSON object: lock, result ("not held",
 * "released" or "held") and held_by (null when it was not held). */
static void print_result(const struct cli *c, const char *id, int found, const char *holder)
{
	static const char *const results[] = { "not held", "released", "held" };
	if (c->format == OUT_JSON) {
		json_t *j = json_object();
		json_object_set_new(j, "lock", json_string(id));
		json_object_set_new(j, "result", json_string(results[found]));
		json_object_set_new(j, "held_by", *holder ? json_string(holder) : json_null());
		json_print_doc(stdout, j);
		json_decref(j);
	}
	if (found == STATE_LOCK_HOLDER_ALIVE)
		fprintf(stderr, "lac: lock '%s' is %s, which is still running; stop that process "
			"(its lock ends with it)\n", id, holder);
	else if (c->format != OUT_JSON && !c->quiet && found == STATE_LOCK_BROKEN)
		printf("Lock '%s' released: it was %s (its session was ended).\n", id, holder);
	else if (c->format != OUT_JSON && !c->quiet)
		printf("Lock '%s' is not held.\n", id);
}

int cmd_state_unlock(struct cli *c)
{
	int64_t lock_timeout_ms = 0;
	const struct opt opts[] = { OPT_LOCK_TIMEOUT(&lock_timeout_ms) };
	const struct opt_table table = { OPT_TABLE(opts), .max_args = 1,
		.too_many = "state unlock takes one lock id (got '%s' and '%s')" };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0)
		return EXIT_USAGE;
	const char *id = args.v[0];
	if (!id || !state_lock_id_valid(id)) {
		int rc = id ? cli_usage_error(c, "'%s' is not a lock id: apply or run:AUDIENCE", id)
			 : cli_usage_error(c, "state unlock needs a lock id: apply or run:AUDIENCE");
		opt_args_release(&args);
		return rc;
	}
	struct project p;
	/* the files or, when they are broken, what was applied: a lock is
	 * broken most when something else is already wrong */
	if (view_load(c, &p) < 0) {
		opt_args_release(&args);
		return EXIT_ERRORS;
	}
	struct strbuf err = STRBUF_INIT, holder = STRBUF_INIT;
	struct state *st = NULL;
	int rc = EXIT_ERRORS;
	if (state_open_project(&st, &p, STATE_RW, &err) < 0) {
		fprintf(stderr, "lac: %s\n", err.buf);
		goto out;
	}
	if (strcmp(id, "apply") != 0) {
		int lk = state_lock(st, "apply", "state unlock", lock_timeout_ms, &err);
		if (lk != 0) {
			fprintf(stderr, "lac: %s%s\n", lk > 0 ? "lock 'apply' is " : "", err.buf);
			goto out;
		}
	}
	int found = state_break_lock(st, id, &holder, &err);
	if (found < 0) {
		fprintf(stderr, "lac: %s\n", err.buf);
		goto out;
	}
	print_result(c, id, found, holder.buf);
	rc = found == STATE_LOCK_HOLDER_ALIVE ? EXIT_ERRORS : EXIT_OK;
out:
	state_close(st);
	sb_release(&err);
	sb_release(&holder);
	project_release(&p);
	opt_args_release(&args);
	return rc;
}
