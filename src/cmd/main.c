/*
 * main.c — the lac command line: the global options, then the command
 * (table and help in commands.c; each command's work in cmd_<name>.c; all
 * logic is in liblac).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"

static bool want_color(const char *when)
{
	if (strcmp(when, "always") == 0)
		return true;
	if (strcmp(when, "never") == 0)
		return false;
	const char *term = getenv("TERM");
	return isatty(STDERR_FILENO) && !getenv("NO_COLOR") && term && strcmp(term, "dumb") != 0;
}

/* Takes the value of an option written "--opt VALUE" or "--opt=VALUE". */
static const char *option_value(int argc, char **argv, int *i, const char *name, bool *matched)
{
	size_t n = strlen(name);
	*matched = false;
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=') {
		*matched = true;
		return argv[*i] + n + 1;
	}
	if (argv[*i][n] != '\0')
		return NULL;
	*matched = true;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

int main(int argc, char **argv)
{
	struct cli c = { .dir = ".", .format = OUT_TEXT };
	const char *color = "auto";
	bool help = false, version = false;
	char **rest = xcalloc((size_t)argc + 1, sizeof(*rest));
	int nrest = 0, rc;

	/* Global options may stand before or after the command; everything else
	 * is the command's own. */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		bool m;
		if (strcmp(a, "--") == 0) {
			while (i < argc)
				rest[nrest++] = argv[i++];
			break;
		}
		if (strcmp(a, "-C") == 0 || strcmp(a, "--directory") == 0) {
			if (i + 1 >= argc) { rc = cli_usage_error(&c, "option '%s' needs a directory", a); goto out; }
			c.dir = argv[++i];
		} else if (strncmp(a, "-C", 2) == 0 && a[2]) {
			c.dir = a + 2;
		} else if ((v = option_value(argc, argv, &i, "--format", &m)) || m) {
			if (!v) { rc = cli_usage_error(&c, "option '--format' needs a value"); goto out; }
			c.format_arg = v;
			c.format_given = true;
			c.format = strcmp(v, "json") == 0 ? OUT_JSON : OUT_TEXT;
		} else if ((v = option_value(argc, argv, &i, "--now", &m)) || m) {
			if (!v) { rc = cli_usage_error(&c, "option '--now' needs a timestamp"); goto out; }
			c.now = v;
		} else if ((v = option_value(argc, argv, &i, "--color", &m)) || m) {
			if (!v || (strcmp(v, "auto") && strcmp(v, "always") && strcmp(v, "never"))) {
				rc = cli_usage_error(&c, "option '--color' takes auto, always or never");
				goto out;
			}
			color = v;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			c.quiet = true;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			c.verbose = true;
		} else if (strcmp(a, "--version") == 0) {
			version = true;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			help = true;
		} else {
			rest[nrest++] = argv[i];
		}
	}
	c.color = want_color(color);

	if (version) {
		printf("lac %s\n", PACKAGE_VERSION);
		rc = EXIT_OK;
		goto out;
	}
	if (nrest == 0) {
		command_print_main_help(help ? stdout : stderr);
		rc = help ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	if (strcmp(rest[0], "help") == 0) {
		if (nrest < 2) {
			command_print_main_help(stdout);
			rc = EXIT_OK;
		} else if (command_find(rest[1])) {
			command_print_help(command_find(rest[1]), stdout);
			rc = EXIT_OK;
		} else {
			rc = cli_usage_error(&c, "unknown command '%s'", rest[1]);
		}
		goto out;
	}
	const struct command *cmd = command_find(rest[0]);
	if (!cmd) {
		rc = cli_usage_error(&c, "unknown command '%s'", rest[0]);
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
	c.argc = nrest;
	c.argv = rest;
	rc = cmd->run(&c);
out:
	free(rest);
	return rc;
}
