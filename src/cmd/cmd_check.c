/*
 * cmd_check.c — `lac check [FILE...]`: load and type-check the project,
 * print diagnostics; with FILEs, the whole project is still loaded (an
 * audience's names resolve against the graph and the other files) but only
 * the named files' diagnostics are printed.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"

/* Mark in keep[] the project sources that are the named files.  0, or -1
 * after saying which file cannot be read or is not one of the project's. */
static int mark_named(const struct project *p, const struct opt_args *files, bool *keep)
{
	int rc = 0;
	for (size_t i = 0; i < files->n; i++) {
		char *want = realpath(files->v[i], NULL);
		if (!want) {
			fprintf(stderr, "lac: cannot read '%s': %s\n", files->v[i], strerror(errno));
			rc = -1;
			continue;
		}
		bool found = false;
		for (uint32_t f = 1; f < p->sources.n; f++) {
			char *have = realpath(p->sources.items[f].path, NULL);
			if (have && strcmp(have, want) == 0)
				found = keep[f] = true;
			free(have);
		}
		free(want);
		if (!found) {
			fprintf(stderr, "lac: '%s' is not a file of the project (lac.yaml, the data graph "
				"or an audience file)\n", files->v[i]);
			rc = -1;
		}
	}
	return rc;
}

/* The audiences in the files kept (all files when keep is NULL). */
static size_t count_audiences(const struct project *p, const bool *keep, size_t *nfiles)
{
	size_t naud = 0;
	*nfiles = 0;
	for (size_t i = 0; i < p->nfiles; i++) {
		if (keep && !keep[p->files[i]->file_id])
			continue;
		naud += p->files[i]->naudiences;
		++*nfiles;
	}
	return naud;
}

int cmd_check(struct cli *c)
{
	const struct opt_table table = { .unknown = "unknown option '%s' for check" };
	struct opt_args files;
	if (cli_parse_options(c, &table, &files) != 0)
		return EXIT_USAGE;
	for (size_t i = 0; i < files.n; i++)
		files.v[i] = cli_input_path(c, files.v[i]);
	struct project p;
	int ok = cli_load_project(c, &p) == 0;
	bool *keep = NULL;
	size_t other_errors = 0, nchecked;
	if (files.n) {
		keep = xcalloc(p.sources.n + 1, sizeof(*keep));
		if (mark_named(&p, &files, keep) != 0) {
			free(keep);
			opt_args_release(&files);
			project_release(&p);
			return EXIT_ERRORS;
		}
		size_t before = p.diags.nerrors;
		diag_keep_files(&p.diags, keep);
		other_errors = before - p.diags.nerrors;
		ok = p.diags.nerrors == 0 && other_errors == 0;
	}
	cli_print_diags(c, &p);
	if (other_errors)
		fprintf(stderr, "lac: %zu error%s in other files of the project (`lac check` lists "
			"them)\n", other_errors, other_errors == 1 ? "" : "s");
	size_t naud = count_audiences(&p, keep, &nchecked);
	if (files.n)
		nchecked = files.n; /* lac.yaml and graph files count too */
	if (c->format == OUT_TEXT && !c->quiet) {
		if (ok)
			fprintf(stderr, "ok: %zu audience%s in %zu file%s checked%s\n", naud,
				naud == 1 ? "" : "s", nchecked, nchecked == 1 ? "" : "s",
				p.diags.nwarnings ? " (with warnings)" : "");
		else
			fprintf(stderr, "%zu error%s, %zu warning%s\n", p.diags.nerrors,
				p.diags.nerrors == 1 ? "" : "s", p.diags.nwarnings,
				p.diags.nwarnings == 1 ? "" : "s");
	}
	free(keep);
	opt_args_release(&files);
	project_release(&p);
	return ok ? EXIT_OK : EXIT_ERRORS;
}
