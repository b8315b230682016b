/*
 * cmd_consumers.c — `lac consumers AUDIENCE`: the audiences whose conditions
 * reference it (`part of audience AUDIENCE`), with their file:line.  Text,
 * or JSON with --format json.
 */
#include <jansson.h>
#include <stdio.h>

#include "base/json_print.h"
#include "check/check.h"
#include "cmd/state_view.h"
#include "sql/gen.h"

int cmd_consumers(struct cli *c)
{
	const char *name = view_audience_arg(c, "consumers");
	if (!name)
		return EXIT_USAGE;
	struct project p;
	if (view_load(c, &p) < 0)
		return EXIT_ERRORS;
	const struct ast_audience *target = project_audience(&p, name);
	if (!target) {
		cli_unknown_audience(&p, name);
		project_release(&p);
		return EXIT_ERRORS;
	}
	json_t *arr = json_array();
	size_t n = 0;
	for (size_t f = 0; f < p.nfiles; f++)
		for (size_t k = 0; k < p.files[f]->naudiences; k++) {
			const struct ast_audience *a = p.files[f]->audiences[k];
			bool uses = false;
			for (size_t i = 0; i < a->nrefs; i++)
				uses |= a->refs[i] == target;
			if (!uses)
				continue;
			n++;
			if (c->format == OUT_JSON)
				json_array_append_new(arr, json_pack("{s:s, s:s, s:i}", "audience", a->name,
					"file", sql_audience_path(&p, a), "line", (int)a->loc.line));
			else
				printf("%s\t%s:%u\n", a->name, sql_audience_path(&p, a), a->loc.line);
		}
	if (c->format == OUT_JSON)
		json_print_doc(stdout, arr);
	else if (!n && !c->quiet)
		fprintf(stderr, "lac: no audience references '%s'\n", name);
	json_decref(arr);
	project_release(&p);
	return EXIT_OK;
}
