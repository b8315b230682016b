/*
 * cmd_check.c — `lac check`: load and type-check the project, print diagnostics.
 */
#include <stdio.h>

#include "cmd/cli.h"

int cmd_check(struct cli *c)
{
	/* anything at all, options too, is an argument too many */
	const struct opt_table table = { .pass_unknown = true, .max_args = 0,
		.too_many = "check takes no arguments (got '%s')" };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0)
		return EXIT_USAGE;
	opt_args_release(&args);
	struct project p;
	int ok = cli_load_project(c, &p) == 0;
	cli_print_diags(c, &p);
	if (c->format == OUT_TEXT && !c->quiet) {
		size_t naud = 0;
		for (size_t i = 0; i < p.nfiles; i++)
			naud += p.files[i]->naudiences;
		if (ok)
			fprintf(stderr, "ok: %zu audience%s in %zu file%s checked%s\n", naud,
				naud == 1 ? "" : "s", p.nfiles, p.nfiles == 1 ? "" : "s",
				p.diags.nwarnings ? " (with warnings)" : "");
		else
			fprintf(stderr, "%zu error%s, %zu warning%s\n", p.diags.nerrors,
				p.diags.nerrors == 1 ? "" : "s", p.diags.nwarnings,
				p.diags.nwarnings == 1 ? "" : "s");
	}
	project_release(&p);
	return ok ? EXIT_OK : EXIT_ERRORS;
}
