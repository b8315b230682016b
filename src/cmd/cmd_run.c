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
	int rc = EXIT_OK;
	const struct opt opts[] = { OPT_FLAG("--no-deliver", NULL, &no_deliver) };
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
	const struct ast_audience **ord = NULL;
	size_t nord = run_order(want, nwant, &ord);

	struct warehouse w = { 0 };
	struct state *st = NULL;
	struct strbuf err = STRBUF_INIT;
	json_t *arr = json_array();
	if (rc != EXIT_OK)
		goto out;
	if (run_open_warehouse(&p, &w, &err) != 0) {
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
	bool tty = isatty(STDERR_FILENO) && !c->quiet;
	struct run_options o = { .now = c->now, .deliver = deliver, .progress = tty, .quiet = c->quiet };
	for (size_t i = 0; i < nord; i++) {
		const struct ast_audience *a = ord[i];
		struct run_report rep;
		if (tty)
			fprintf(stderr, "lac: running %s (%zu/%zu)...\r", a->name, i + 1, nord);
		size_t ndiags = p.diags.n;
		run_audience(&p, &w, st, a, &o, &rep);
		if (tty)
			fprintf(stderr, "\033[K");
		if (rep.result == RUN_FAILED) {
			rc = EXIT_ERRORS;
			fprintf(stderr, "lac: %s: %s\n", a->name, rep.error ? rep.error : "the run failed");
		}
		if (p.diags.n > ndiags && p.diags.nerrors)
			rc = EXIT_ERRORS; /* e.g. a destination's ${VAR} is unset */
		if (rep.warning && !c->quiet)
			fprintf(stderr, "lac: warning: %s: %s\n", a->name, rep.warning);
		if (c->format == OUT_JSON)
			json_array_append_new(arr, run_report_json(a->name, &rep));
		else if (!c->quiet || rep.result == RUN_FAILED)
			run_report_print("", a->name, &rep);
		run_report_release(&rep);
	}
	if (p.diags.n) {
		struct cli quiet_json = *c;
		quiet_json.format = OUT_TEXT; /* diagnostics go to stderr as text */
		cli_print_diags(&quiet_json, &p);
	}
	if (c->format == OUT_JSON) {
		cli_print_json(arr);
	}
out:
	json_decref(arr);
	if (st)
		state_close(st);
	if (w.ops)
		warehouse_close(&w);
	sb_release(&err);
	free(ord);
	free(want);
	opt_args_release(&args);
	project_release(&p);
	return rc;
}
