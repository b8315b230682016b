/*
 * cmd_daemon.c — `lac daemon [--once] [--max-sleep SECONDS]`: the scheduler.
 * Runs every applied, enabled audience when its schedule says it is due
 * (UTC), up to --jobs at once in dependency order, then sleeps until the
 * next one is due.
 *
 * Each run prints its report (run_report.c): a line, or with --format json
 * one JSON object a line (NDJSON), the same object as `lac run` prints.
 *
 * GitOps: the daemon runs what `lac apply` recorded, compiled from the
 * state (run_applied.c): where the files differ it warns and runs the
 * applied definition; broken files stop nothing; an audience an older lac
 * applied (no stored definition) is refused until `lac apply` stores it.
 *
 * An audience whose run lock another process holds is skipped (reported
 * "skipped (running: held by ...)") and tried again at the next wake;
 * --lock-timeout waits for it first.  A lost connection to a PostgreSQL
 * state stops the daemon (exit 1): its locks are gone.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "run/event.h"
#include "run/run.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct daemon_pass {
	struct state *st;
	const struct run_applied *ra;
	bool quiet;
	int64_t now;
	int64_t next;             /* the earliest next due time (0 when nothing is scheduled) */
};

/* An applied, enabled audience whose schedule says it is due; notes when
 * each applied audience is due next. */
static bool is_due(void *arg, const struct ast_audience *a)
{
	struct daemon_pass *d = arg;
	struct state_audience sa;
	if (state_get_audience(d->st, a->name, &sa) != 0)
		return false;
	bool due = sa.enabled && run_is_due(a, &sa, d->now);
	int64_t t = sa.enabled ? run_next_time(a, d->now) : 0;
	if (t > 0 && (d->next == 0 || t < d->next))
		d->next = t;
	state_audience_release(&sa);
	return due;
}

/* Before a due audience's report: whether its files differ from what was applied. */
static void warn_differs(void *arg, const struct ast_audience *a)
{
	struct daemon_pass *d = arg;
	run_applied_warn(d->ra, a, d->quiet);
}

/* One pass over the applied audiences: run the due ones.  Returns the
 * earliest next due time (0 when nothing is scheduled) and counts failures. */
static int64_t run_due(struct cli *c, struct project *p, const struct run_applied *ra,
		       struct warehouse *w, struct state *st, int64_t now, int64_t lock_timeout_ms,
		       int jobs, int *failures)
{
	struct daemon_pass d = { st, ra, c->quiet, now, 0 };
	struct run_batch b = {
		/* an audience another process is running is skipped until the next wake */
		.run = { .now = c->now, .deliver = true, .quiet = c->quiet, .lock_command = "daemon",
			 .lock_timeout_ms = lock_timeout_ms, .skip_running = true,
			 .skip_unchanged = true },
		.due = is_due, .due_arg = &d, .before = warn_differs,
		.jobs = jobs,
		/* NDJSON: one report a line, as soon as the run ends */
		.form = c->format == OUT_JSON ? RUN_REPORTS_NDJSON : RUN_REPORTS_TEXT,
		.prefix = "",
		.flush = true,
		.failure = RUN_FAILURE_AFTER_REPORT,
		.stop = &stop_requested,
	};
	struct strbuf err = STRBUF_INIT; /* unused: w is open, so never -1 */
	for (size_t i = 0; i < ra->nlegacy; i++) {
		fprintf(stderr, "lac: " RUN_LEGACY_MESSAGE "\n", ra->legacy[i]);
		(*failures)++;
	}
	size_t n;
	const struct ast_audience **all = run_every_audience(p, &n);
	*failures += run_audiences(p, w, st, all, n, &b, &err);
	free(all);
	sb_release(&err);
	return d.next;
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
	int64_t lock_timeout_ms = 0;
	int jobs = 0;
	/* abbreviations and the missing value's message are getopt_long's, as before */
	const struct opt opts[] = {
		OPT_FLAG("--once", NULL, &once),
		OPT_TAKE("--max-sleep", NULL, take_max_sleep, &max_sleep, "unknown option '%s'"),
		OPT_LOCK_TIMEOUT(&lock_timeout_ms),
		OPT_JOBS(&jobs),
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
		struct run_applied ra = { 0 };
		struct strbuf err = STRBUF_INIT;
		struct warehouse w;
		struct state *st = NULL;
		int64_t now = c->now ? ln.secs : (int64_t)time(NULL), next = 0;
		bool lost = false;
		/* lac.yaml for the settings; the audiences are the applied ones */
		project_init(&p);
		project_init(&ra.files);
		bool ok = project_load_settings(&p, c->dir) == 0 && project_require_paths(&p) == 0;
		if (!ok)
			cli_print_diags(c, &p);
		if (ok && warehouse_open_project(&p, WH_READ | WH_WRITE, &w, &err) != 0) {
			fprintf(stderr, "lac: %s\n", err.buf);
			ok = false;
		} else if (ok) {
			if (state_open_project(&st, &p, STATE_RW, &err) != 0) {
				fprintf(stderr, "lac: %s\n", err.buf);
				ok = false;
			} else {
				project_release(&ra.files);
				if (run_applied_load(&p, st, c->dir, &ra, &err) != 0) {
					cli_print_diags(c, &p);
					fprintf(stderr, "lac: %s\n", err.buf);
					ok = false;
				} else {
					run_applied_warn_files(&ra, c->quiet);
					next = run_due(c, &p, &ra, &w, st, now, lock_timeout_ms, jobs, &failures);
					lost = state_lost(st);
				}
				state_close(st);
			}
			warehouse_close(&w);
		}
		sb_release(&err);
		run_applied_release(&ra);
		project_release(&p);
		if (lost) {
			/* its locks went with the connection: never go on unlocked */
			fprintf(stderr, "lac: the connection to the PostgreSQL state was lost; the daemon stops\n");
			return EXIT_ERRORS;
		}
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
