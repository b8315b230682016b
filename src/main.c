/*
 * main.c — the lac command line: global options, the command table, help.
 * Each command's work is in src/cmd_<name>.c; all logic is in liblac.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct command commands[] = {
	{ "check", cmd_check, "check",
	  "type-check the data graph and every audience; print diagnostics",
	  "Reads lac.yaml, the data graph and every .lac file, and reports every problem\n"
	  "with file:line:col, the source line and a caret.  Exit 0 when there are no\n"
	  "errors (warnings allowed), 1 otherwise.  --format json prints the diagnostics\n"
	  "as a JSON array on stdout.  Connects nowhere and needs no secrets.\n" },
	{ "compile", cmd_compile, "compile [-d DIALECT|all] [-o DIR] [--emit membership|run] [AUDIENCE...]",
	  "print the SQL of audiences for a warehouse dialect",
	  "Dialects: snowflake, bigquery, redshift, databricks, postgres, sqlite (default:\n"
	  "the project's warehouse type), or all.  One SELECT per audience returning its\n"
	  "members, headed by a comment with the audience's file:line.  -o DIR writes\n"
	  "DIR/<dialect>/<audience>.sql.  Output is byte-identical for the same input;\n"
	  "the reference time is the dialect's current time unless --now is given.\n"
	  "--format json prints one object: dialect, emit, output and an entry per\n"
	  "audience and dialect (audience, file, line, dialect, sql, path).\n" },
	{ "preview", cmd_preview, "preview AUDIENCE [--limit N|--all] [--entities PATH]",
	  "count and list an audience's members in the warehouse",
	  "Runs the audience's SQL on the project's warehouse (SQLite or PostgreSQL) and\n"
	  "prints the member count and the first N members (default 10; --all for every\n"
	  "one), sorted.  --entities PATH adds the matched entities of that path.\n"
	  "--now TS fixes the reference time; --format json prints one JSON object.\n" },
	{ "fmt", cmd_fmt, "fmt [--check] [FILE...]",
	  "format .lac files canonically (comments kept)",
	  "Rewrites each file (default: every audience file of the project) in the one\n"
	  "canonical layout.  --check writes nothing, lists the files that would change\n"
	  "and exits 1 if any would.  Formatting is idempotent and keeps the meaning.\n"
	  "--format json prints one object instead: files (path, changed), changed,\n"
	  "errors and diagnostics; the exit status is the same.\n" },
	{ "graph", cmd_graph, "graph [--format text|dot|json]",
	  "show the data graph as a tree, as DOT for graphviz, or as JSON",
	  "Prints the profile, its relationships (with join kinds) and the entities they\n"
	  "reach.  `lac graph --format dot | dot -Tsvg > graph.svg` draws it.\n" },
	{ "plan", cmd_plan, "plan [--preview] [--sql-diff] [--validate] [--out FILE] [--detailed-exitcode]",
	  "show what apply would create, change and delete; writes nothing",
	  "Compares the audiences and activations in the files with the ones applied\n"
	  "(the state DB) and prints a Terraform-style summary: + create, ~ change (with\n"
	  "the changed lines), - delete, enable/disable.  Writes nothing anywhere, not\n"
	  "even the state DB.  --preview counts members and the events each activation\n"
	  "would send (read-only on the warehouse); --sql-diff shows the changed SQL;\n"
	  "--validate has the warehouse check (EXPLAIN) every statement; --out FILE saves\n"
	  "the plan for `lac apply FILE`; --format json prints it for machines.\n"
	  "--detailed-exitcode: 0 no changes, 2 changes, 1 errors.\n" },
	{ "apply", cmd_apply, "apply [PLANFILE] [--auto-approve] [--no-run]",
	  "record the files' definitions in the state and run what is due",
	  "Shows the plan and asks for 'yes' on a terminal (elsewhere pass\n"
	  "--auto-approve).  A PLANFILE from `lac plan --out` applies only if neither\n"
	  "the state nor the files changed since.  Then runs audiences that are new or\n"
	  "newly enabled at once and the others when their schedule is due, unless\n"
	  "--no-run.  Applying the same files twice changes nothing.\n" },
	{ "run", cmd_run, "run [--no-deliver] [AUDIENCE...]",
	  "run audiences now and deliver their activation events",
	  "With no names, runs every enabled audience (whatever its schedule), each after\n"
	  "the audiences it reads `using membership`.  A run materializes the audience's\n"
	  "new snapshot in the warehouse, diffs it against the previous one, writes the\n"
	  "activation events to the outbox, swaps snapshots and delivers (--no-deliver\n"
	  "leaves the events queued).  A crashed run is completed first.  Prints one line\n"
	  "per audience (--format json: an array of run reports); exit 1 if any failed.\n" },
	{ "status", cmd_status, "status",
	  "audiences: enabled, schedule, last and next run, members, status",
	  "Reads the state database (never changes it).  --format json for tools.\n" },
	{ "runs", cmd_runs, "runs AUDIENCE",
	  "the last runs of an audience with their stats, newest first",
	  "Start, duration, result, change summary, step timings and delivery counts of\n"
	  "the last 50 runs.  --format json for tools.\n" },
	{ "delivery", cmd_delivery, "delivery AUDIENCE",
	  "delivery overview per activation of an audience",
	  "Per activation: events from audience, filtered at destination, pending retry,\n"
	  "failed delivery, successful delivery (and invalid), over the kept runs.\n" },
	{ "consumers", cmd_consumers, "consumers AUDIENCE",
	  "audiences whose conditions reference an audience",
	  "Lists every audience with a `part of audience AUDIENCE` condition, with its\n"
	  "file:line.  --format json prints an array.\n" },
	{ "daemon", cmd_daemon, "daemon [--once] [--max-sleep SECONDS]",
	  "run applied audiences when their schedules say they are due (UTC)",
	  "The scheduler: loops over the applied, enabled audiences, runs each one that\n"
	  "is due (one at a time), then sleeps until the next one is due (at most\n"
	  "--max-sleep seconds, default 300, to pick up newly applied definitions).\n"
	  "An audience whose file changed since `lac apply` is skipped with a warning.\n"
	  "--once makes one pass and exits (for cron); --now goes with --once.\n"
	  "SIGINT/SIGTERM stop it after the current run.\n" },
	{ "init", cmd_init, "init [DIR] [--example NAME]",
	  "start a new project from an example (petshop by default)",
	  "Copies an example project (petshop, subscriptions, owly, kitchen-sink) into\n"
	  "DIR (default: the -C directory) and builds its SQLite warehouse from\n"
	  "data/warehouse.sql.  Never overwrites an existing lac.yaml.  --format json\n"
	  "prints one object: directory, example and the files created.\n" },
};

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void print_main_help(FILE *out)
{
	fprintf(out,
		"usage: lac [-C DIR] [--format text|json] [--now TS] [--color auto|always|never]\n"
		"           [-q] [-v] COMMAND [ARGS...]\n\n"
		"lac, the Linked Audiences Compiler: audience definitions kept in git become\n"
		"warehouse SQL and activation events.\n\n"
		"Commands:\n");
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\nGlobal options:\n"
		"  -C DIR             run as if started in DIR (the project directory)\n"
		"  --format FORMAT    text (default) or json, for every command that prints data\n"
		"  --now TIMESTAMP    the reference time of runs and previews (UTC)\n"
		"  --color WHEN       auto (default), always or never\n"
		"  -q, --quiet        print only errors\n"
		"  -v, --verbose      print more detail\n"
		"  --version          print the version\n"
		"  -h, --help         this help; `lac help COMMAND` for one command\n\n"
		"Exit status: 0 success, 1 errors, 2 changes present (plan --detailed-exitcode),\n"
		"64 usage errors.  See `man lac` and docs/ for the language and the data graph.\n");
}

static void print_command_help(const struct command *cmd, FILE *out)
{
	fprintf(out, "usage: lac %s\n\n%s.\n\n%s", cmd->synopsis, cmd->summary, cmd->help);
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
		print_main_help(help ? stdout : stderr);
		rc = help ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	if (strcmp(rest[0], "help") == 0) {
		if (nrest < 2) {
			print_main_help(stdout);
			rc = EXIT_OK;
		} else if (command_find(rest[1])) {
			print_command_help(command_find(rest[1]), stdout);
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
		print_command_help(cmd, stdout);
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
