/*
 * cli.c — helpers every command shares: parsing its options, loading the
 * project, printing its diagnostics and JSON in the form the user asked for.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check.h"
#include "cmd/cli.h"

void cli_print_diags(const struct cli *c, struct project *p)
{
	diag_sort(&p->diags);
	if (c->format == OUT_JSON)
		diag_render_json(&p->diags, stdout);
	else
		diag_render_text(&p->diags, stderr, c->color);
}

void cli_print_new_diags(const struct cli *c, struct project *p, size_t from)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = from; i < p->diags.n; i++) {
		sb_reset(&sb);
		diag_format_one(&p->diags, &p->diags.items[i], &sb, c->color);
		fputs(sb.buf, stderr);
	}
	sb_release(&sb);
}

const char *cli_input_path(struct cli *c, const char *arg)
{
	if (!c->start_dir || !*arg || arg[0] == '/' || strcmp(arg, "-") == 0 || access(arg, F_OK) == 0)
		return arg;
	char *from_start = xasprintf("%s/%s", c->start_dir, arg);
	if (access(from_start, F_OK) != 0) {
		free(from_start);
		return arg;
	}
	c->owned = xrealloc(c->owned, (c->nowned + 1) * sizeof(*c->owned));
	c->owned[c->nowned++] = from_start;
	return from_start;
}

void cli_release(struct cli *c)
{
	for (size_t i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	free(c->owned);
	free(c->start_dir);
}

int cli_parse_now(const struct cli *c, struct lac_now *out)
{
	if (!c->now) {
		now_clock(out);
		return 0;
	}
	if (now_parse(c->now, out) == 0)
		return 0;
	return cli_usage_error(c, "--now takes an ISO-8601 UTC timestamp like "
			       "2025-01-31T08:30:00Z, not '%s'", c->now);
}

int cli_take_lock_timeout(void *arg, const char *value, struct strbuf *err)
{
	if (duration_parse(value, DURATION_LOCK_TIMEOUT, arg) == 0)
		return 0;
	sb_addf(err, "--lock-timeout takes a duration like 500ms, 30s, 5m, 1h or a number of seconds, not '%s'",
		value);
	return -1;
}

int cli_take_jobs(void *arg, const char *value, struct strbuf *err)
{
	int *jobs = arg;
	*jobs = project_parse_jobs(value);
	if (*jobs > 0)
		return 0;
	sb_addf(err, "--jobs takes a whole number from 1 to %d, not '%s'", PROJECT_MAX_JOBS, value);
	return -1;
}

int cli_take_name(void *arg, const char *value, struct strbuf *err)
{
	struct name_list *l = arg;
	if (!*value) {
		sb_addstr(err, "--select takes audience names, not an empty word");
		return -1;
	}
	VEC_PUSH(l->v, l->n, l->cap, value);
	return 0;
}

int cli_load_project(struct cli *c, struct project *p)
{
	project_init(p);
	/* check alone accepts a project that is only a data graph so far */
	p->audiences_optional = c->command && strcmp(c->command, "check") == 0;
	int rc = check_load(p, c->dir);
	/* check, compile and test open neither the state nor the project's
	 * warehouse: an unset ${VAR} in their paths is only an error for the
	 * commands that do */
	bool opens_paths = !c->command || (strcmp(c->command, "check") != 0 &&
					   strcmp(c->command, "compile") != 0 &&
					   strcmp(c->command, "test") != 0);
	if (rc == 0 && opens_paths)
		rc = project_require_paths(p);
	return rc == 0 && p->diags.nerrors == 0 ? 0 : -1;
}

int cli_open_project(struct cli *c, struct project *p)
{
	if (cli_load_project(c, p) == 0)
		return 0;
	cli_print_diags(c, p);
	project_release(p);
	return -1;
}

void cli_unknown_audience(const struct project *p, const char *name)
{
	char *msg = unknown_audience_error(p, name);
	fprintf(stderr, "lac: %s\n", msg);
	free(msg);
}

int cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;
	fputs("lac: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	const struct command *cmd = c && c->command ? command_find(c->command) : NULL;
	if (cmd)
		fprintf(stderr, "usage: lac %s\n", cmd->synopsis);
	else
		fputs("Try 'lac --help'.\n", stderr);
	return EXIT_USAGE;
}

int cli_parse_options(const struct cli *c, const struct opt_table *t, struct opt_args *args)
{
	struct strbuf err = STRBUF_INIT;
	int rc = opt_parse(t, c->argc - 1, c->argv + 1, args, &err);
	if (rc < 0)
		cli_usage_error(c, "%s", err.buf);
	sb_release(&err);
	return rc < 0 ? EXIT_USAGE : 0;
}

