/*
 * cmd_run.c — `lac run [AUDIENCE...]`: run applied audiences now (SPEC §5,
 * §6) and print one line per run (or a JSON array; run_report.c).  What
 * runs is the applied definition (run_applied.c), never the files.  With no
 * names every applied, enabled audience runs, whatever its schedule, each
 * after the audiences it reads `using membership`.  Exit 1 when any run
 * failed.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json_print.h"
#include "check/check.h"
#include "cmd/cli.h"
#include "run/run.h"
#include "sql/gen.h"
#include "state/state.h"
#include "warehouse/warehouse.h"

static bool in_list(const struct ast_audience *const *l, size_t n, const struct ast_audience *a)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] == a)
			return true;
	return false;
}

int cmd_run(struct cli *c)
{
	bool no_deliver = false, force = false;
	int64_t lock_timeout_ms = 0;
	int jobs = 0;
	int rc = EXIT_OK;
	const struct opt opts[] = {
		OPT_FLAG("--no-deliver", NULL, &no_deliver),
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
	json_t *arr = json_array();
	const struct ast_audience **want = NULL;
	size_t nwant = 0, capwant = 0;
	project_init(&p);
	project_init(&ra.files);
	if (project_load_settings(&p, c->dir) != 0 || project_require_paths(&p) != 0) {
		cli_print_diags(c, &p);
		rc = EXIT_ERRORS;
		goto out;
	}
	if (state_open_project(&st, &p, STATE_RW, &err) != 0) {
		fprintf(stderr, "lac: %s\n", err.buf);
		rc = EXIT_ERRORS;
		goto out;
	}
	project_release(&ra.files);
	if (run_applied_load(&p, st, c->dir, &ra, &err) != 0) {
		cli_print_diags(c, &p);
		fprintf(stderr, "lac: %s\n", err.buf);
		rc = EXIT_ERRORS;
		goto out;
	}
	run_applied_warn_files(&ra, c->quiet);
	for (size_t i = 0; i < nnames; i++) {
		const struct ast_audience *a = project_audience(&p, names[i]);
		if (run_applied_is_legacy(&ra, names[i])) {
			fprintf(stderr, "lac: " RUN_LEGACY_MESSAGE "\n", names[i]);
			rc = EXIT_ERRORS;
		} else if (!a && project_audience(&ra.files, names[i])) {
			fprintf(stderr, "lac: audience '%s' has not been applied; run 'lac apply' first\n",
				names[i]);
			rc = EXIT_ERRORS;
		} else if (!a) {
			fprintf(stderr, "lac: unknown audience '%s'\n", names[i]);
			rc = EXIT_ERRORS;
		} else if (!in_list(want, nwant, a)) {
			VEC_PUSH(want, nwant, capwant, a);
		}
	}
	if (!nnames) {
		for (size_t i = 0; i < ra.nlegacy; i++) {
			fprintf(stderr, "lac: " RUN_LEGACY_MESSAGE "\n", ra.legacy[i]);
			rc = EXIT_ERRORS;
		}
		for (size_t f = 0; f < p.nfiles; f++)
			for (size_t k = 0; k < p.files[f]->naudiences; k++)
				if (p.files[f]->audiences[k]->enabled != 0)
					VEC_PUSH(want, nwant, capwant, p.files[f]->audiences[k]);
	}
	if (rc != EXIT_OK)
		goto out;
	for (size_t i = 0; i < nwant; i++)
		run_applied_warn(&ra, want[i], c->quiet);
	if (nwant && warehouse_open_project(&p, WH_READ | WH_WRITE, &w, &err) != 0) {
		if (p.diags.n)
			cli_print_diags(c, &p);
		fprintf(stderr, "lac: %s\n", err.buf);
		rc = EXIT_ERRORS;
		goto out;
	}
	struct run_batch b = {
		/* an audience another process is running fails (or is waited for) */
		.run = { .now = c->now, .deliver = deliver, .quiet = c->quiet, .lock_command = "run",
			 .lock_timeout_ms = lock_timeout_ms, .skip_unchanged = !force },
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
	if (p.diags.n) {
		struct cli quiet_json = *c;
		quiet_json.format = OUT_TEXT; /* diagnostics go to stderr as text */
		cli_print_diags(&quiet_json, &p);
	}
	if (c->format == OUT_JSON) {
		json_print_doc(stdout, arr);
	}
out:
	json_decref(arr);
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
