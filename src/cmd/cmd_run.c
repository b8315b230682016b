/*
 * cmd_run.c — `lac run [AUDIENCE...]`: run audiences now (SPEC §5, §6) and
 * print one line per run (or a JSON array; run_report.c).  With no names every enabled
 * audience runs, whatever its schedule, each after the audiences it reads
 * `using membership`.  Exit 1 when any run failed.
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
	bool no_deliver = false;
	int64_t lock_timeout_ms = 0;
	int rc = EXIT_OK;
	const struct opt opts[] = {
		OPT_FLAG("--no-deliver", NULL, &no_deliver),
		OPT_LOCK_TIMEOUT(&lock_timeout_ms),
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

	struct project p;
	if (cli_load_project(c, &p) != 0) {
		cli_print_diags(c, &p);
		project_release(&p);
		opt_args_release(&args);
		return EXIT_ERRORS;
	}
	const struct ast_audience **want = NULL;
	size_t nwant = 0, capwant = 0;
	for (size_t i = 0; i < nnames; i++) {
		const struct ast_audience *a = project_audience(&p, names[i]);
		if (!a) {
			fprintf(stderr, "lac: unknown audience '%s'\n", names[i]);
			rc = EXIT_ERRORS;
		} else if (!in_list(want, nwant, a)) {
			VEC_PUSH(want, nwant, capwant, a);
		}
	}
	if (!nnames)
		for (size_t f = 0; f < p.nfiles; f++)
			for (size_t k = 0; k < p.files[f]->naudiences; k++)
				if (p.files[f]->audiences[k]->enabled != 0)
					VEC_PUSH(want, nwant, capwant, p.files[f]->audiences[k]);

	struct warehouse w = { 0 };
	struct state *st = NULL;
	struct strbuf err = STRBUF_INIT;
	json_t *arr = json_array();
	if (rc != EXIT_OK)
		goto out;
	if (warehouse_open_project(&p, WH_READ | WH_WRITE, &w, &err) != 0) {
		if (p.diags.n)
			cli_print_diags(c, &p);
		fprintf(stderr, "lac: %s\n", err.buf);
		rc = EXIT_ERRORS;
		goto out;
	}
	if (state_open_project(&st, &p, STATE_RW, &err) != 0) {
		fprintf(stderr, "lac: %s\n", err.buf);
		rc = EXIT_ERRORS;
		goto out;
	}
	struct run_batch b = {
		/* an audience another process is running fails (or is waited for) */
		.run = { .now = c->now, .deliver = deliver, .quiet = c->quiet, .lock_command = "run",
			 .lock_timeout_ms = lock_timeout_ms },
		.form = c->format == OUT_JSON ? RUN_REPORTS_JSON : RUN_REPORTS_TEXT,
		.reports = arr, .prefix = "",
		.progress = isatty(STDERR_FILENO) && !c->quiet,
		.warnings = true,
		.diag_errors_fail = true, /* e.g. a destination's ${VAR} is unset */
		.failure = RUN_FAILURE_BEFORE_REPORT,
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
	project_release(&p);
	return rc;
}
