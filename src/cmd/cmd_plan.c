/*
 * cmd_plan.c — `lac plan [--preview] [--sql-diff] [--validate] [--out FILE]
 * [--detailed-exitcode] [--select AUDIENCE...]`: what `lac apply` would
 * change (SPEC §6), for every audience or only the selected ones.
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

#include <jansson.h>

#include "base/file_write.h"
#include "base/json_print.h"
#include "base/start_dir.h"
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

/* The lines of text as a JSON array, each without prefix (when it has it). */
static json_t *lines_json(const char *text, const char *prefix)
{
	json_t *a = json_array();
	size_t plen = strlen(prefix);
	for (const char *p = text; p && *p;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n >= plen && strncmp(p, prefix, plen) == 0)
			p += plen, n -= plen;
		json_array_append_new(a, json_stringn(p, n));
		p += n + (e ? 1 : 0);
	}
	return a;
}

/* The command that applies the saved plan, to copy from where plan ran. */
static void print_saved_hint(const struct cli *c, const char *out)
{
	struct strbuf cmd = STRBUF_INIT;
	sb_addstr(&cmd, "lac ");
	if (strcmp(c->dir_arg, ".") != 0) {
		sb_addstr(&cmd, "-C ");
		sb_add_shell_word(&cmd, c->dir_arg);
		sb_addch(&cmd, ' ');
	}
	sb_addstr(&cmd, "apply ");
	sb_add_shell_word(&cmd, out);
	char *shown = start_dir_path(out);
	printf("\nSaved the plan to %s; `%s` applies exactly these changes.\n", shown, cmd.buf);
	free(shown);
	sb_release(&cmd);
}

int cmd_plan(struct cli *c)
{
	bool preview = false, sql_diff = false, detailed = false, validate = false;
	const char *out = NULL;
	struct name_list sel = { 0 };
	const struct opt opts[] = {
		OPT_FLAG("--preview", NULL, &preview),
		OPT_FLAG("--sql-diff", NULL, &sql_diff),
		OPT_FLAG("--detailed-exitcode", NULL, &detailed),
		OPT_FLAG("--validate", NULL, &validate),
		OPT_VALUE("--out", "-o", &out, "option '%s' needs a file"),
		OPT_SELECT(&sel),
	};
	const struct opt_table table = { OPT_TABLE(opts), .max_args = 0,
		.too_many = "plan takes no arguments (got '%s')" };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0) {
		free(sel.v);
		return EXIT_USAGE;
	}
	opt_args_release(&args);
	struct lac_now ln;
	if (cli_parse_now(c, &ln) != 0) {
		free(sel.v);
		return EXIT_USAGE;
	}
	const char *now = ln.sql;

	struct project p;
	if (cli_open_project(c, &p) != 0) {
		free(sel.v);
		return EXIT_ERRORS;
	}
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
	if (sel.n && plan_select(&pl, &p, sel.v, sel.n, &err) < 0) {
		fprintf(stderr, "lac: %s\n", err.buf);
		rc = EXIT_ERRORS;
		goto release;
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
	json_t *validated = NULL; /* --format json: what --validate found */
	if (validate) {
		struct strbuf report = STRBUF_INIT, scans = STRBUF_INIT;
		int bad = plan_validate(&p, &w, now, &report, &scans);
		fputs(report.buf ? report.buf : "", stderr);
		if (bad)
			rc = EXIT_ERRORS;
		else if (c->format != OUT_JSON && !c->quiet)
			printf("The warehouse accepts the SQL of every audience.\n%s\n", scans.buf);
		if (c->format == OUT_JSON)
			validated = json_pack("{s:b, s:o, s:o}", "ok", !bad, "errors",
					      lines_json(report.buf, "lac: "), "scans",
					      lines_json(scans.buf, ""));
		sb_release(&report);
		sb_release(&scans);
	}
	if (preview && plan_preview(&pl, &p, &w, st, now) > 0)
		rc = EXIT_ERRORS;

	if (c->format == OUT_JSON) {
		json_t *root = plan_json(&pl, preview, false);
		if (validated)
			json_object_set(root, "validate", validated);
		json_print_doc(stdout, root);
		json_decref(root);
	} else {
		plan_print_text(&pl, preview, sql_diff, c->color, stdout);
	}
	if (out) {
		char *json = plan_to_json(&pl, preview, true);
		if (write_plan_file(out, json) < 0)
			rc = EXIT_ERRORS;
		else if (c->format != OUT_JSON && !c->quiet)
			print_saved_hint(c, out);
		free(json);
	}
	if (rc == EXIT_OK && detailed && plan_has_changes(&pl))
		rc = EXIT_CHANGES;
	json_decref(validated);
release:
	plan_release(&pl);
out:
	if (have_wh)
		warehouse_close(&w);
	state_close(st);
	sb_release(&err);
	project_release(&p);
	free(sel.v);
	return rc;
}
