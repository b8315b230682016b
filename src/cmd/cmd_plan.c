/*
 * cmd_plan.c — `lac plan [--preview] [--sql-diff] [--validate] [--out FILE]
 * [--detailed-exitcode]`: what `lac apply` would change (SPEC §6).
 *
 * Writes nothing anywhere (SPEC §5): the state DB is opened read-only and
 * never created, the warehouse is opened read-only and only when --preview
 * or --validate asks for it, destinations are never touched.  The one file
 * written is the one --out names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file_write.h"
#include "cmd/cli.h"
#include "plan/plan.h"

/* The plan is only its owner's to read (0600), and whole or not there. */
static int write_plan_file(const char *path, const char *json)
{
	if (file_write_private(path, json, strlen(json)) == 0)
		return 0;
	fprintf(stderr, "lac: cannot write the plan to %s: %s\n", path, strerror(errno));
	return -1;
}

int cmd_plan(struct cli *c)
{
	bool preview = false, sql_diff = false, detailed = false, validate = false;
	const char *out = NULL;
	const struct opt opts[] = {
		OPT_FLAG("--preview", NULL, &preview),
		OPT_FLAG("--sql-diff", NULL, &sql_diff),
		OPT_FLAG("--detailed-exitcode", NULL, &detailed),
		OPT_FLAG("--validate", NULL, &validate),
		OPT_VALUE("--out", "-o", &out, "option '%s' needs a file"),
	};
	const struct opt_table table = { OPT_TABLE(opts), .max_args = 0,
		.too_many = "plan takes no arguments (got '%s')" };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0)
		return EXIT_USAGE;
	opt_args_release(&args);
	struct lac_now ln;
	if (cli_parse_now(c, &ln) != 0)
		return EXIT_USAGE;
	const char *now = ln.sql;

	struct project p;
	if (cli_open_project(c, &p) != 0)
		return EXIT_ERRORS;
	if (p.diags.n && c->format != OUT_JSON)
		cli_print_diags(c, &p);  /* warnings */

	struct strbuf err = STRBUF_INIT;
	struct state *st = NULL;
	struct plan pl;
	int rc = EXIT_OK;
	bool have_wh = false;
	struct warehouse w;

	if (state_open_project(&st, &p, STATE_RO, &err) < 0 ||
	    plan_compute(&pl, &p, st, &err) < 0) {
		fprintf(stderr, "lac: %s\n", err.buf);
		rc = EXIT_ERRORS;
		goto out;
	}
	if (preview || validate) {
		if (warehouse_open_project(&p, WH_READ, &w, &err) != 0) {
			if (p.diags.n)
				cli_print_diags(c, &p);
			fprintf(stderr, "lac: %s\n", err.buf);
			rc = EXIT_ERRORS;
			goto release;
		}
		warehouse_set_context(&w, "plan", NULL, NULL);
		have_wh = true;
	}
	if (validate) {
		struct strbuf report = STRBUF_INIT, scans = STRBUF_INIT;
		int bad = plan_validate(&p, &w, now, &report, &scans);
		fputs(report.buf ? report.buf : "", stderr);
		if (bad)
			rc = EXIT_ERRORS;
		else if (c->format != OUT_JSON && !c->quiet)
			printf("The warehouse accepts the SQL of every audience.\n%s\n", scans.buf);
		sb_release(&report);
		sb_release(&scans);
	}
	if (preview && plan_preview(&pl, &p, &w, st, now) > 0)
		rc = EXIT_ERRORS;

	if (c->format == OUT_JSON) {
		char *json = plan_to_json(&pl, preview, false);
		fputs(json, stdout);
		free(json);
	} else {
		plan_print_text(&pl, preview, sql_diff, c->color, stdout);
	}
	if (out) {
		char *json = plan_to_json(&pl, preview, true);
		if (write_plan_file(out, json) < 0)
			rc = EXIT_ERRORS;
		else if (c->format != OUT_JSON && !c->quiet)
			printf("\nSaved the plan to %s; `lac apply %s` applies exactly these changes.\n",
			       out, out);
		free(json);
	}
	if (rc == EXIT_OK && detailed && plan_has_changes(&pl))
		rc = EXIT_CHANGES;
release:
	plan_release(&pl);
out:
	if (have_wh)
		warehouse_close(&w);
	state_close(st);
	sb_release(&err);
	project_release(&p);
	return rc;
}
