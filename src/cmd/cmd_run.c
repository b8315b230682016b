/*
 * cmd_run.c — `lac run [AUDIENCE...]`: run applied audiences now (SPEC §5,
 * §6) and print one line per run (or, with --format json, one object: the
 * run reports of run_report.c and the errors, json_errors.h).  What
 * runs is the applied definition (run_applied.c), never the files.  With no
 * names every applied, enabled audience runs, whatever its schedule, each
 * after the audiences it reads `using membership`.  Exit 1 when any run
 * failed.  --dry-run shows what the runs would send instead, opening the
 * state and the warehouse read-only (cmd_run_dry.c).
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json_print.h"
#include "check/check.h"
#include "cmd/cli.h"
#include "cmd/daily_alerts.h"
#include "cmd/json_errors.h"
#include "cmd/run_dry.h"
#include "run/run.h"
#include "sql/gen.h"
#include "state/state.h"
#include "warehouse/warehouse.h"

/* Diagnostics: as text on stderr; with --format json also in errors (from
 * index from on), since stdout carries the one document. */
static void show_diags(const struct cli *c, struct project *p, json_t *errors, size_t from)
{
	struct cli text = *c;
	text.format = OUT_TEXT;
	if (from == 0)
		cli_print_diags(&text, p);
	else
		cli_print_new_diags(&text, p, from);
	if (c->format == OUT_JSON)
		json_errors_add_diags(errors, &p->diags, from);
}

/* "lac: message" on stderr, and the entry of errors. */
static void run_error(json_t *errors, const char *code, const char *audience, const char *fmt, ...)
	LAC_PRINTF(4, 5);
static void run_error(json_t *errors, const char *code, const char *audience, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "lac: %s\n", msg);
	json_errors_add(errors, code, msg, audience);
	free(msg);
}

static bool in_list(const struct ast_audience *const *l, size_t n, const struct ast_audience *a)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] == a)
			return true;
	return false;
}

int cmd_run(struct cli *c)
{
	bool no_deliver = false, dry_run = false, allow_past = false, force = false;
	int64_t lock_timeout_ms = 0;
	int jobs = 0;
	int rc = EXIT_OK;
	bool dry_done = false;
	const struct opt opts[] = {
		OPT_FLAG("--no-deliver", NULL, &no_deliver),
		OPT_FLAG("--dry-run", NULL, &dry_run),
		OPT_FLAG("--allow-past", NULL, &allow_past),
		OPT_FLAG("--force", NULL, &force),
		OPT_LOCK_TIMEOUT(&lock_timeout_ms),
		OPT_JOBS(&jobs),
	};
	const struct opt_table table = { OPT_TABLE(opts) };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0)
		return EXIT_USAGE;
	bool deliver = !no_deliver;
	const char **names = args.v;
	size_t nnames = args.n;
	struct lac_now ln;
	if (cli_parse_now(c, &ln) != 0) {
		opt_args_release(&args);
		return EXIT_USAGE;
	}

	/* lac.yaml for the settings; the audiences and the graph are the
	 * applied ones (SPEC §5), so a broken file stops nothing */
	struct project p;
	struct run_applied ra = { 0 };
	struct warehouse w = { 0 };
	struct state *st = NULL;
	struct strbuf err = STRBUF_INIT;
	json_t *arr = json_array(), *errors = json_array();
	const struct ast_audience **want = NULL;
	size_t nwant = 0, capwant = 0;
	project_init(&p);
	project_init(&ra.files);
	if (project_load_settings(&p, c->dir) != 0 || project_require_paths(&p) != 0) {
		show_diags(c, &p, errors, 0);
		rc = EXIT_ERRORS;
		goto out;
	}
	/* a dry run writes nothing: not even a new state */
	if (state_open_project(&st, &p, dry_run ? STATE_RO : STATE_RW, &err) < 0) {
		run_error(errors, "state", NULL, "%s", err.buf);
		rc = EXIT_ERRORS;
		goto out;
	}
	if (!st && dry_run && !nnames) {
		/* no state yet: as with an empty one, nothing would run */
		if (c->format != OUT_JSON && !c->quiet)
			fputs("lac: nothing to run: no audience is applied (run 'lac apply')\n", stderr);
		rc = run_dry(c, &p, &w, NULL, NULL, 0);
		dry_done = true;
		goto out;
	}
	if (!st) {
		run_error(errors, "state", NULL, "nothing has been applied yet; run 'lac apply' first");
		rc = EXIT_ERRORS;
		goto out;
	}
	project_release(&ra.files);
	if (run_applied_load(&p, st, c->dir, &ra, &err) != 0) {
		show_diags(c, &p, errors, 0);
		run_error(errors, "state", NULL, "%s", err.buf);
		rc = EXIT_ERRORS;
		goto out;
	}
	run_applied_warn_files(&ra, c->quiet);
	for (size_t i = 0; i < nnames; i++) {
		const struct ast_audience *a = project_audience(&p, names[i]);
		if (run_applied_is_legacy(&ra, names[i])) {
			run_error(errors, "legacy-definition", names[i], RUN_LEGACY_MESSAGE, names[i]);
			rc = EXIT_ERRORS;
		} else if (!a && project_audience(&ra.files, names[i])) {
			run_error(errors, "not-applied", names[i],
				  "audience '%s' has not been applied; run 'lac apply' first", names[i]);
			rc = EXIT_ERRORS;
		} else if (!a) {
			char *msg = unknown_audience_error(&p, names[i]);
			run_error(errors, "unknown-audience", names[i], "%s", msg);
			free(msg);
			rc = EXIT_ERRORS;
		} else if (!in_list(want, nwant, a)) {
			VEC_PUSH(want, nwant, capwant, a);
		}
	}
	if (!nnames) {
		for (size_t i = 0; i < ra.nlegacy; i++) {
			run_error(errors, "legacy-definition", ra.legacy[i], RUN_LEGACY_MESSAGE,
				  ra.legacy[i]);
			rc = EXIT_ERRORS;
		}
		for (size_t f = 0; f < p.nfiles; f++)
			for (size_t k = 0; k < p.files[f]->naudiences; k++)
				if (p.files[f]->audiences[k]->enabled != 0)
					VEC_PUSH(want, nwant, capwant, p.files[f]->audiences[k]);
	}
	if (rc != EXIT_OK)
		goto out;
	if (!nwant && c->format != OUT_JSON && !c->quiet) {
		/* a note, not a report: stdout stays empty for scripts */
		size_t napplied = 0;
		for (size_t f = 0; f < p.nfiles; f++)
			napplied += p.files[f]->naudiences;
		fputs(napplied ? "lac: nothing to run: every applied audience is disabled\n"
			       : "lac: nothing to run: no audience is applied (run 'lac apply')\n", stderr);
	}
	for (size_t i = 0; i < nwant; i++)
		run_applied_warn(&ra, want[i], c->quiet);
	if (nwant && warehouse_open_project(&p, dry_run ? WH_READ : WH_READ | WH_WRITE, &w, &err) != 0) {
		if (p.diags.n)
			show_diags(c, &p, errors, 0);
		run_error(errors, "warehouse", NULL, "%s", err.buf);
		rc = EXIT_ERRORS;
		goto out;
	}
	if (dry_run) {
		/* its own document (cmd_run_dry.c) */
		rc = run_dry(c, &p, &w, st, want, nwant);
		dry_done = true;
		goto out;
	}
	struct run_batch b = {
		/* an audience another process is running fails (or is waited for) */
		.run = { .now = c->now, .allow_past = allow_past, .deliver = deliver, .quiet = c->quiet,
			 .lock_command = "run", .lock_timeout_ms = lock_timeout_ms, .skip_unchanged = !force },
		.form = c->format == OUT_JSON ? RUN_REPORTS_JSON : RUN_REPORTS_TEXT,
		.reports = arr, .prefix = "",
		.progress = isatty(STDERR_FILENO) && !c->quiet,
		.warnings = true,
		.diag_errors_fail = true, /* e.g. a destination's ${VAR} is unset */
		.failure = RUN_FAILURE_BEFORE_REPORT,
		.jobs = jobs,
	};
	if (run_audiences(&p, &w, st, want, nwant, &b, &err) != 0)
		rc = EXIT_ERRORS;
	/* the day's alerts, once per UTC day (SPEC §5 Alerts) */
	daily_alerts(c, &p, st, ln.secs);
	json_errors_add_runs(errors, arr);
	if (p.diags.n)
		show_diags(c, &p, errors, 0);
out:
	if (c->format == OUT_JSON && !dry_done) {
		/* one document, whatever happened (SPEC §6) */
		json_t *doc = json_pack("{s:O, s:O}", "runs", arr, "errors", errors);
		json_print_doc(stdout, doc);
		json_decref(doc);
	}
	json_decref(arr);
	json_decref(errors);
	if (st)
		state_close(st);
	if (w.ops)
		warehouse_close(&w);
	sb_release(&err);
	free(want);
	opt_args_release(&args);
	run_applied_release(&ra);
	project_release(&p);
	return rc;
}
