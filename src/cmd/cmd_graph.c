/*
 * cmd_graph.c — `lac graph [--format text|dot|json]`: load lac.yaml and the
 * data graph (not the audiences) and print the graph.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "graph/graph_print.h"

int cmd_graph(struct cli *c)
{
	const struct opt_table table = { .max_args = 0,
		.too_many = "graph takes no arguments (got '%s')" };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0)
		return EXIT_USAGE;
	opt_args_release(&args);
	const char *fmt = c->format_given ? c->format_arg : "text";
	if (strcmp(fmt, "text") && strcmp(fmt, "dot") && strcmp(fmt, "json"))
		return cli_usage_error(c, "unknown format '%s' (text, dot or json)", fmt);
	struct project p;
	project_init(&p);
	int rc = project_load_settings_and_graph(&p, c->dir);
	if (rc || p.diags.nerrors || !p.graph_ok) {
		cli_print_diags(c, &p);
		project_release(&p);
		return EXIT_ERRORS;
	}
	if (p.diags.n) {
		diag_sort(&p.diags);
		diag_render_text(&p.diags, stderr, c->color);
	}
	struct strbuf sb = STRBUF_INIT;
	if (strcmp(fmt, "dot") == 0)
		graph_print_dot(&p.graph, &sb);
	else if (strcmp(fmt, "json") == 0)
		graph_print_json(&p.graph, &sb);
	else
		graph_print_tree(&p.graph, &sb);
	fputs(sb.buf, stdout);
	sb_release(&sb);
	project_release(&p);
	return EXIT_OK;
}
