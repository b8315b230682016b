/*
 * main.c — the lac command line: the global options, then the command
 * (table and help in commands.c; each command's work in cmd_<name>.c; all
 * logic is in liblac).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/progress.h"
#include "base/start_dir.h"
#include "base/verbose.h"
#include "cmd/cli.h"
#include "cmd/json_errors.h"
#include "deliver/dest.h"
#include "warehouse/warehouse.h"

static bool want_color(const char *when)
{
	if (strcmp(when, "always") == 0)
		return true;
	if (strcmp(when, "never") == 0)
		return false;
	const char *term = getenv("TERM");
	return isatty(STDERR_FILENO) && !getenv("NO_COLOR") && term && strcmp(term, "dumb") != 0;
}

/* --format: any word here; main checks it once the command is known. */
static int take_format(void *arg, const char *value, struct strbuf *err)
{
	struct cli *c = arg;
	c->format_arg = value;
	c->format_given = true;
	c->format = strcmp(value, "json") == 0 ? OUT_JSON : OUT_TEXT;
	return 0;
}

static int take_color(void *arg, const char *value, struct strbuf *err)
{
	if (strcmp(value, "auto") && strcmp(value, "always") && strcmp(value, "never")) {
		sb_addstr(err, "option '--color' takes auto, always or never");
		return -1;
	}
	*(const char **)arg = value;
	return 0;
}

/* Output that could not be written (a full disk under `lac compile >
 * FILE`) is a failure, never a success with a cut file; werr is a failed
 * write's errno already known.  A reader that went away (EPIPE, `| head`)
 * is not a failure. */
static int output_written(int rc, int werr)
{
	if ((fflush(stdout) != 0 || ferror(stdout)) && !werr)
		werr = errno ? errno : EIO;
	if (!werr || werr == EPIPE)
		return rc;
	fprintf(stderr, "lac: cannot write the output: %s\n", strerror(werr));
	return rc ? rc : EXIT_ERRORS;
}

/* -C DIR: lac runs as if started in DIR (like git -C, make -C and
 * terraform -chdir), so relative paths in arguments and in what lac prints
 * are DIR's.  A directory it cannot enter is left to the command, which
 * reports the project missing there (init creates it). */
static void enter_directory(struct cli *c)
{
	c->dir_arg = c->dir;
	if (strcmp(c->dir, ".") == 0)
		return;
	char *here = getcwd(NULL, 0);
	if (!here)
		return;
	/* directories named in the environment stay where they were */
	static const char *const dir_vars[] = { "LAC_STDLIB_DIR", "LAC_EXAMPLES_DIR" };
	char *abs[ARRAY_LEN(dir_vars)] = { NULL };
	for (size_t i = 0; i < ARRAY_LEN(dir_vars); i++) {
		const char *v = getenv(dir_vars[i]);
		if (v && *v && v[0] != '/')
			abs[i] = xasprintf("%s/%s", here, v);
	}
	if (chdir(c->dir) != 0) {
		free(here);
		for (size_t i = 0; i < ARRAY_LEN(dir_vars); i++)
			free(abs[i]);
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(dir_vars); i++)
		if (abs[i]) {
			setenv(dir_vars[i], abs[i], 1);
			free(abs[i]);
		}
	c->start_dir = here;
	c->dir = ".";
	start_dir_entered(c->dir_arg);
}

static int unknown_command(const struct cli *c, const char *name)
{
	struct strbuf msg = STRBUF_INIT;
	sb_addf(&msg, "unknown command '%s'", name);
	command_add_did_you_mean(&msg, name);
	int rc = cli_usage_error(c, "%s", msg.buf);
	sb_release(&msg);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli c = { .dir = ".", .format = OUT_TEXT };
	const char *color = "auto";
	bool help = false, version = false;
	int rc, werr = 0;

	/* Global options may stand before or after the command; everything else
	 * (from "--" on, all of it) is the command's own. */
	const struct opt globals[] = {
		OPT_VALUE("--directory", "-C", &c.dir, "option '%s' needs a directory"),
		OPT_TAKE("--format", NULL, take_format, &c, "option '%s' needs a value"),
		OPT_VALUE("--now", NULL, &c.now, "option '%s' needs a timestamp"),
		OPT_TAKE("--color", NULL, take_color, &color, "option '--color' takes auto, always or never"),
		OPT_FLAG("--quiet", "-q", &c.quiet),
		OPT_FLAG("--verbose", "-v", &c.verbose),
		OPT_FLAG("--version", NULL, &version),
		OPT_FLAG("--help", "-h", &help),
	};
	const struct opt_table table = { OPT_TABLE(globals), .pass_unknown = true,
					 .keep_rest = true };
	struct opt_args rest;
	struct strbuf err = STRBUF_INIT;
	if (opt_parse(&table, argc - 1, argv + 1, &rest, &err) < 0) {
		rc = cli_usage_error(&c, "%s", err.buf);
		sb_release(&err);
		return rc;
	}
	sb_release(&err);
	size_t nrest = rest.n;
	/* from here on, with --format json (before or after the command), even a
	 * usage error is a JSON document on stdout (SPEC §6) */
	if (c.format == OUT_JSON)
		json_errors_begin();
	c.color = want_color(color);
	/* -v's log lines and the progress line would garble each other */
	verbose_enable(c.verbose && !c.quiet);
	progress_enable(isatty(STDERR_FILENO) && !c.quiet && !c.verbose);

	if (version) {
		printf("lac %s\n", PACKAGE_VERSION);
		rc = EXIT_OK;
		goto out;
	}
	if (nrest == 0) {
		if (!help && c.format == OUT_JSON)
			rc = cli_usage_error(&c, "no command given");
		else
			command_print_main_help(help ? stdout : stderr);
		rc = help ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	if (strcmp(rest.v[0], "help") == 0) {
		if (nrest < 2) {
			command_print_main_help(stdout);
			rc = EXIT_OK;
		} else if (strcmp(rest.v[1], "help") == 0) {
			fputs("usage: lac help [COMMAND]\n\n"
			      "list the commands, or show one command's usage and help.\n", stdout);
			rc = EXIT_OK;
		} else if (command_find(rest.v[1])) {
			command_print_help(command_find(rest.v[1]), stdout);
			rc = EXIT_OK;
		} else {
			rc = unknown_command(&c, rest.v[1]);
		}
		goto out;
	}
	const struct command *cmd = command_find(rest.v[0]);
	if (!cmd && rest.v[0][0] == '-' && rest.v[0][1] && strcmp(rest.v[0], "--") != 0) {
		/* an option main does not know, where a command was expected */
		rc = cli_usage_error(&c, "unknown option '%s'", rest.v[0]);
		goto out;
	}
	if (!cmd) {
		rc = unknown_command(&c, rest.v[0]);
		goto out;
	}
	c.command = cmd->name;
	if (help) {
		command_print_help(cmd, stdout);
		rc = EXIT_OK;
		goto out;
	}
	/* graph alone also draws DOT; the message lists what this command accepts */
	bool graph = strcmp(cmd->name, "graph") == 0;
	if (c.format_given && strcmp(c.format_arg, "json") && strcmp(c.format_arg, "text") &&
	    !(graph && strcmp(c.format_arg, "dot") == 0)) {
		rc = cli_usage_error(&c, "unknown format '%s' (%s)", c.format_arg,
				     graph ? "text, dot or json" : "text or json");
		goto out;
	}
	/* a global option, checked once for every command */
	struct lac_now now;
	if (c.now && cli_parse_now(&c, &now) != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	enter_directory(&c);
	c.argc = (int)nrest;
	c.argv = (char **)rest.v;
	/* stdout is for the one JSON document: events go to stderr */
	if (c.format == OUT_JSON)
		dest_stdout_stream(stderr);
	/* SIGINT/SIGTERM cancel a running warehouse statement before lac ends
	 * (SPEC §1.1); the daemon sets its own handlers (stop after the run) */
	warehouse_cancel_on_signals();
	rc = cmd->run(&c);
out:
	werr = json_errors_end(rc);
	opt_args_release(&rest);
	cli_release(&c);
	return output_written(rc, werr);
}
