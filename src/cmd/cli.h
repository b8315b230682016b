/*
 * cli.h — what main() hands every command: the global options and the
 * command's own arguments.  Each command lives in src/cmd/cmd_<name>.c.
 */
#ifndef LAC_CLI_H
#define LAC_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "base/time.h"
#include "cmd/options.h"
#include "project/project.h"

enum { EXIT_OK = 0, EXIT_ERRORS = 1, EXIT_CHANGES = 2, EXIT_USAGE = 64 };

enum output_format { OUT_TEXT, OUT_JSON };

struct cli {
	const char *dir;           /* the project directory: "." (lac has entered -C DIR) */
	const char *dir_arg;       /* -C DIR as written, for commands to print; "." */
	char *start_dir;           /* where lac was started, when it entered -C DIR */
	char **owned;              /* strings cli_input_path made, freed by cli_release */
	size_t nowned;
	enum output_format format; /* --format */
	bool format_given;
	const char *format_arg;    /* --format as written (commands with other formats, e.g. dot) */
	const char *now;           /* --now TIMESTAMP, or NULL */
	bool color;                /* resolved from --color and the terminal */
	bool quiet, verbose;
	const char *command;
	int argc;                  /* the command's own arguments; argv[0] is the command */
	char **argv;
};

struct command {
	const char *name;
	int (*run)(struct cli *c);
	const char *synopsis;      /* "check" */
	const char *summary;       /* one line for `lac --help` */
	const char *help;          /* the rest of `lac help NAME` */
};
const struct command *command_find(const char *name);
/* Append " (did you mean 'x'?)" when a command is spelled close to name. */
void command_add_did_you_mean(struct strbuf *sb, const char *name);
/* `lac --help` and `lac help NAME`. */
void command_print_main_help(FILE *out);
void command_print_help(const struct command *cmd, FILE *out);

/* Print "lac: <message>" and the command's synopsis to stderr; returns EXIT_USAGE. */
int cli_usage_error(const struct cli *c, const char *fmt, ...) LAC_PRINTF(2, 3);

/* "lac: unknown audience 'x'" on stderr, with a "did you mean" when one of
 * p's audiences is close. */
void cli_unknown_audience(const struct project *p, const char *name);
/* Parse the command's own words (after its name) with t.  0, or EXIT_USAGE
 * after printing the mistake as cli_usage_error does. */
int cli_parse_options(const struct cli *c, const struct opt_table *t, struct opt_args *args);
/* The reference time: --now (now_parse) or the clock.  0, or EXIT_USAGE after
 * printing the one message every command gives for a bad --now. */
int cli_parse_now(const struct cli *c, struct lac_now *out);
/* --lock-timeout DURATION (apply, run, daemon): a taker for OPT_TAKE that
 * stores milliseconds in an int64_t (duration_parse); a bad value is a
 * usage error. */
int cli_take_lock_timeout(void *arg, const char *value, struct strbuf *err);
#define OPT_LOCK_TIMEOUT(ms) OPT_TAKE("--lock-timeout", NULL, cli_take_lock_timeout, (ms), NULL)
/* --jobs N for run, apply and daemon: audience runs at once (0 when not
 * given: warehouse.jobs decides). */
int cli_take_jobs(void *arg, const char *value, struct strbuf *err);
#define OPT_JOBS(jobs) OPT_TAKE("--jobs", NULL, cli_take_jobs, (jobs), NULL)
/* --select AUDIENCE... for plan and apply: the names (argv's words, not
 * copied) in a list to free(v) after. */
struct name_list {
	const char **v;
	size_t n, cap;
};
int cli_take_name(void *arg, const char *value, struct strbuf *err);
#define OPT_SELECT(list) \
	OPT_TAKE_MANY("--select", cli_take_name, (list), "option '%s' needs an audience name")
/* An input file named on the command line (check, fmt, apply, state
 * import): relative to -C DIR, as lac runs there; one that is not there but
 * is from where lac was started is taken from there, so that
 * `lac -C proj check proj/audiences/a.lac` works as well. */
const char *cli_input_path(struct cli *c, const char *arg);
void cli_release(struct cli *c);
/* Print the diagnostics collected in p (text or JSON per --format). */
void cli_print_diags(const struct cli *c, struct project *p);
/* Print, as text on stderr, the diagnostics reported since p->diags.n was `from`
 * (e.g. by runs, after the load's diagnostics were printed). */
void cli_print_new_diags(const struct cli *c, struct project *p, size_t from);
/* Load the project in c->dir and print its diagnostics; returns 0 when it has no errors. */
int cli_load_project(struct cli *c, struct project *p);
/* cli_load_project for a command that stops on errors: 0, or -1 after
 * printing the diagnostics, with p released. */
int cli_open_project(struct cli *c, struct project *p);

int cmd_check(struct cli *c);
int cmd_fmt(struct cli *c);
int cmd_graph(struct cli *c);
int cmd_init(struct cli *c);
int cmd_daemon(struct cli *c);
int cmd_compile(struct cli *c);
int cmd_preview(struct cli *c);
int cmd_plan(struct cli *c);
int cmd_apply(struct cli *c);
int cmd_run(struct cli *c);
int cmd_status(struct cli *c);
int cmd_runs(struct cli *c);
int cmd_delivery(struct cli *c);
int cmd_consumers(struct cli *c);
int cmd_alerts(struct cli *c);
int cmd_test(struct cli *c);
/* `lac state SUBCOMMAND` (cmd_state.c) and its subcommands, each given the
 * words from the subcommand's name on (argv[0] is "show", ...). */
int cmd_state(struct cli *c);
int cmd_state_show(struct cli *c);
int cmd_state_export(struct cli *c);
int cmd_state_import(struct cli *c);
int cmd_state_unlock(struct cli *c);

#endif
