/*
 * cmd_daemon.c — `lac daemon [--once] [--max-sleep DURATION]`: the scheduler.
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
 * The daemon logs its start, every wake that ran nothing (an idle
 * heartbeat) and its shutdown: lines on stderr (none with -q), or with
 * --format json NDJSON lines on stdout next to the runs', {"type":
 * "run"|"error"|"heartbeat", ...} (docs/runs.md).  --once logs its runs and
 * errors only.
 *
 * An audience whose run lock another process holds is skipped (reported
 * "skipped (running: held by ...)") and tried again at the next wake;
 * --lock-timeout waits for it first.  A lost connection to a PostgreSQL
 * state stops the daemon (exit 1): its locks are gone.
 *
 * A clock that went back behind the last recorded run runs nothing: the
 * daemon says so and waits until the clock passes that run (a run at an
 * earlier time would diff and date its events out of order).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json_print.h"
#include "base/time.h"
#include "cmd/cli.h"
#include "cmd/daily_alerts.h"
#include "run/event.h"
#include "run/run.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct daemon_pass {
	const struct run_pass_state *ps;
	const struct run_applied *ra;
	bool quiet;
	int64_t now;
	int64_t next;             /* the earliest next due time (0 when nothing is scheduled) */
	size_t due;               /* audiences found due */
};

/* ---- the daemon's log ------------------------------------------------------------------- */

static json_t *time_json(int64_t t)
{
	char buf[32];
	if (!t)
		return json_null();
	time_format_iso(t, buf);
	return json_string(buf);
}

/* A heartbeat: status "started", "idle" (a wake that ran nothing) or
 * "stopped"; next is the next due time (0: none scheduled or not known). */
static void log_heartbeat(const struct cli *c, const char *status, int64_t now, int64_t next)
{
	if (c->format == OUT_JSON) {
		json_t *j = json_pack("{s:s, s:s, s:o, s:o, s:I}", "type", "heartbeat", "status", status,
				      "time", time_json(now), "next_run_at", time_json(next),
				      "pid", (json_int_t)getpid());
		json_print_line(stdout, j);
		json_decref(j);
		fflush(stdout);
		return;
	}
	if (c->quiet)
		return;
	char buf[32];
	if (strcmp(status, "idle") != 0)
		fprintf(stderr, "lac: daemon %s (pid %ld)\n", status, (long)getpid());
	else if (next)
		fprintf(stderr, "lac: daemon idle; next run at %s\n", (time_format_iso(next, buf), buf));
	else
		fprintf(stderr, "lac: daemon idle; no audience is scheduled\n");
}

/* An error of the daemon itself (not of a run: that is the run's line):
 * said on stderr as ever, and an error line with --format json. */
static void log_error(const struct cli *c, int64_t now, const char *msg)
{
	fprintf(stderr, "lac: %s\n", msg);
	if (c->format != OUT_JSON)
		return;
	json_t *j = json_pack("{s:s, s:o, s:s}", "type", "error", "time", time_json(now), "message", msg);
	json_print_line(stdout, j);
	json_decref(j);
	fflush(stdout);
}

/* An applied, enabled audience whose schedule says it is due, or with an
 * unfinished run; notes when each applied audience is due next. */
static bool is_due(void *arg, const struct ast_audience *a)
{
	struct daemon_pass *d = arg;
	const struct run_pass_audience *pa = run_pass_state_find(d->ps, a->name);
	if (!pa)
		return false;
	bool due = run_pass_due(a, pa, d->now);
	d->due += due;
	/* when it is due next: what the state recorded (`every N` counts from
	 * the end of its last run), or, for one that runs now, the schedule's
	 * next firing (its run records the exact time) */
	int64_t scheduled = pa->sa.enabled ? run_next_time(a, d->now) : 0;
	int64_t t = scheduled > 0 && !due && pa->sa.next_run > 0 ? pa->sa.next_run : scheduled;
	if (t > 0 && (d->next == 0 || t < d->next))
		d->next = t;
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
		       int jobs, int *failures, size_t *ran)
{
	struct run_pass_state ps;
	if (run_pass_state_load(st, &ps) < 0) {
		char *msg = xasprintf("cannot read the applied audiences: %s", state_errmsg(st));
		log_error(c, now, msg);
		free(msg);
		(*failures)++;
		*ran = 0;
		return 0;
	}
	struct daemon_pass d = { &ps, ra, c->quiet, now, 0, 0 };
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
		char *msg = xasprintf(RUN_LEGACY_MESSAGE, ra->legacy[i]);
		log_error(c, now, msg);
		free(msg);
		(*failures)++;
	}
	size_t n;
	const struct ast_audience **all = run_every_audience(p, &n);
	*failures += run_audiences(p, w, st, all, n, &b, &err);
	free(all);
	sb_release(&err);
	run_pass_state_release(&ps);
	*ran = d.due;
	return d.next;
}

/* --max-sleep: a duration like 30s, 5m or 1h, or a bare number of seconds
 * (its first form); at least a second. */
static int take_max_sleep(void *arg, const char *value, struct strbuf *err)
{
	long *max_sleep = arg;
	int64_t ms;
	if (duration_parse(value, DURATION_BARE_SECONDS, &ms) != 0 || ms < 1000) {
		sb_addf(err, "--max-sleep takes a duration of a second or more, like 30s, 5m or 1h "
			"(or a number of seconds), not '%s'", value);
		return -1;
	}
	*max_sleep = (long)(ms / 1000);
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
	if (!once)
		log_heartbeat(c, "started", clock_secs(), 0);
	bool behind = false; /* the clock is behind the last run: said once, until it passes */
	while (!stop_requested) {
		struct project p;
		struct run_applied ra = { 0 };
		struct strbuf err = STRBUF_INIT;
		struct warehouse w;
		struct state *st = NULL;
		int64_t now = c->now ? ln.secs : clock_secs(), next = 0, last = 0;
		bool lost = false;
		size_t ran = 0;
		/* lac.yaml for the settings; the audiences are the applied ones */
		project_init(&p);
		project_init(&ra.files);
		bool ok = project_load_settings(&p, c->dir) == 0 && project_require_paths(&p) == 0;
		if (!ok)
			cli_print_diags(c, &p);
		if (ok && warehouse_open_project(&p, WH_READ | WH_WRITE, &w, &err) != 0) {
			log_error(c, now, err.buf);
			ok = false;
		} else if (ok) {
			if (state_open_project(&st, &p, STATE_RW, &err) != 0) {
				log_error(c, now, err.buf);
				ok = false;
			} else {
				project_release(&ra.files);
				if (run_applied_load(&p, st, c->dir, &ra, &err) != 0) {
					cli_print_diags(c, &p);
					log_error(c, now, err.buf);
					ok = false;
				} else {
					run_applied_warn_files(&ra, c->quiet);
					/* --now (with --once) is checked by each run instead */
					last = c->now ? 0 : state_latest_run_start(st);
					if (last > now)
						next = last + 1;
					else
						next = run_due(c, &p, &ra, &w, st, now, lock_timeout_ms, jobs,
							       &failures, &ran);
					/* the first wake of a UTC day evaluates its alerts */
					if (!state_lost(st))
						daily_alerts(c, &p, st, now);
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
			log_error(c, now, "the connection to the PostgreSQL state was lost; the daemon stops");
			if (!once)
				log_heartbeat(c, "stopped", clock_secs(), 0);
			return EXIT_ERRORS;
		}
		if (ok && (last > now || behind)) {
			char at[32], then[32];
			time_format_iso(now, at);
			time_format_iso(last, then);
			if (last > now && !behind)
				fprintf(stderr, "lac: the clock (%s) is behind the last run (%s); waiting until it "
					"passes\n", at, then);
			else if (last <= now)
				fprintf(stderr, "lac: the clock (%s) has passed the last run; running again\n", at);
			behind = last > now;
		}
		/* behind, even --once waits: its one pass is made when the clock has passed */
		if (once && !behind)
			return ok && failures == 0 ? EXIT_OK : EXIT_ERRORS;
		if (ok && ran == 0)
			log_heartbeat(c, "idle", now, next);
		/* sleep until the next due time, waking at least every max_sleep to
		 * pick up newly applied definitions */
		int64_t wait = next > now ? next - now : max_sleep;
		if (wait > max_sleep)
			wait = max_sleep;
		for (int64_t s = 0; s < wait && !stop_requested; s++)
			sleep(1);
	}
	log_heartbeat(c, "stopped", clock_secs(), 0);
	return failures == 0 ? EXIT_OK : EXIT_ERRORS;
}
