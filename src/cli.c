/*
 * cli.c — helpers every command shares: loading the project and printing
 * its diagnostics in the format the user asked for.
 */
#include <stdio.h>

#include "cli.h"

void cli_print_diags(const struct cli *c, struct project *p)
{
	diag_sort(&p->diags);
	if (c->format == OUT_JSON)
		diag_render_json(&p->diags, stdout);
	else
		diag_render_text(&p->diags, stderr, c->color);
}

int cli_load_project(struct cli *c, struct project *p)
{
	project_init(p);
	int rc = project_load(p, c->dir);
	return rc == 0 && p->diags.nerrors == 0 ? 0 : -1;
}
