/*
 * cmd_daemon.c — `lac daemon [--once] [--max-sleep SECONDS]`: the scheduler.
 * Runs every applied, enabled audience when its schedule says it is due
 * (UTC), one at a time, then sleeps until the next one is due.
 *
 * Each run prints its report (run_report.c): a line, or with --format json
 * one JSON object a line (NDJSON), the same object as `lac run` prints.
 *
 * GitOps: the daemon runs what `lac apply` recorded.  An audience whose file
 * no longer matches the applied definition is skipped with a warning until
 * it is applied, so a merged-but-unapplied change never runs by surprise.
 */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check/check.h"
#include "cmd/cli.h"
#include "run/event.h"
#include "run/run.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* One pass over the project's audiences: run the due ones.  Returns the
 * earliest next due time (0 when nothing is scheduled) and counts failures. */
static int64_t run_due(struct cli *c, struct project *p, struct warehouse *w, struct state *st,
		       int64_t now, int *failures)
{
	int64_t next = 0;
	for (size_t i = 0; i < p->nfiles && !stop_requested; i++) {
		for (size_t j = 0; j < p->files[i]->naudiences && !stop_requested; j++) {
			const struct ast_audience *a = p->files[i]->audiences[j];
			struct state_audience sa;
			if (state_get_audience(st, a->name, &sa) != 0)
				continue; /* never applied */
			char *hash = run_audience_hash(p, a);
			bool current = str_eq(hash, sa.hash);
			free(hash);
			if (!current) {
				fprintf(stderr, "lac: warning: audience '%s' changed since it was applied; "
					"run 'lac apply' to run the new definition\n", a->name);
			} else if (sa.enabled && run_is_due(a, &sa, now)) {
				struct run_options o = { .now = c->now, .deliver = true, .quiet = c->quiet };
				struct run_report r = { 0 };
				int rc = run_audience(p, w, st, a, &o, &r);
				if (rc != 0)
					(*failures)++;
				if (c->format == OUT_JSON) {
					/* NDJSON: one report a line, as soon as the run ends */
					json_t *rj = run_report_json(a->name, &r);
					cli_print_json_line(rj);
					json_decref(rj);
				} else if (!c->quiet) {
					run_report_print("", a->name, &r);
				}
				if (r.error)
					fprintf(stderr, "lac: %s\n", r.error);
				run_report_release(&r);
				fflush(stdout);
			}
			int64_t t = sa.enabled ? run_next_time(a, now) : 0;
			if (t > 0 && (next == 0 || t < next))
				next = t;
			state_audience_release(&sa);
		}
	}
	return next;
}

static int take_max_sleep(void *arg, const char *value, struct strbuf *err)
{
	long *max_sleep = arg;
	char *end;
	*max_sleep = strtol(value, &end, 10);
	if (*end || *max_sleep < 1) {
		sb_addstr(err, "--max-sleep takes a whole number of seconds");
		return -1;
	}
	return 0;
}

int cmd_daemon(struct cli *c)
{
	bool once = false;
	long max_sleep = 300;
	/* abbreviations and the missing value's message are getopt_long's, as before */
	const struct opt opts[] = {
		OPT_FLAG("--once", NULL, &once),
		OPT_TAKE("--max-sleep", NULL, take_max_sleep, &max_sleep, "unknown option '%s'"),
	};
	const struct opt_table table = { OPT_TABLE(opts), .abbrev = true };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0)
		return EXIT_USAGE;
	size_t nargs = args.n;
	opt_args_release(&args);
	if (nargs)
		return cli_usage_error(c, "daemon takes no arguments");
	if (c->now && !once)
		return cli_usage_error(c, "--now only makes sense with --once");
	/* checked once, up front, by the parser every command uses */
	struct lac_now ln;
	if (cli_parse_now(c, &ln) != 0)
		return EXIT_USAGE;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	int failures = 0;
	while (!stop_requested) {
		struct project p;
		struct strbuf err = STRBUF_INIT;
		struct warehouse w;
		struct state *st = NULL;
		int64_t now = 0, next = 0;
		bool ok = cli_load_project(c, &p) == 0;
		if (!ok)
			cli_print_diags(c, &p);
		now = c->now ? ln.secs : (int64_t)time(NULL);
		if (ok && run_open_warehouse(&p, &w, &err) != 0) {
			fprintf(stderr, "lac: %s\n", err.buf);
			ok = false;
		} else if (ok) {
			if (state_open_project(&st, &p, STATE_RW, &err) != 0) {
				fprintf(stderr, "lac: %s\n", err.buf);
				ok = false;
			} else {
				next = run_due(c, &p, &w, st, now, &failures);
				state_close(st);
			}
			warehouse_close(&w);
		}
		sb_release(&err);
		project_release(&p);
		if (once)
			return ok && failures == 0 ? EXIT_OK : EXIT_ERRORS;
		/* sleep until the next due time, waking at least every max_sleep to
		 * pick up newly applied definitions */
		int64_t wait = next > now ? next - now : max_sleep;
		if (wait > max_sleep)
			wait = max_sleep;
		for (int64_t s = 0; s < wait && !stop_requested; s++)
			sleep(1);
	}
	return failures == 0 ? EXIT_OK : EXIT_ERRORS;
}
