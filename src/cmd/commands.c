/*
 * commands.c — the command table: each command's name, entry point,
 * synopsis and help text, and `lac --help` / `lac help NAME`.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"

static const struct command commands[] = {
	{ "check", cmd_check, "check [FILE...]",
	  "type-check the data graph and every audience; print diagnostics",
	  "Reads lac.yaml, the data graph and every .lac file, and reports every problem\n"
	  "with file:line:col, the source line and a caret.  Exit 0 when there are no\n"
	  "errors (warnings allowed), 1 otherwise.  --format json prints the diagnostics\n"
	  "as a JSON array on stdout.  Connects nowhere and needs no secrets.\n"
	  "With FILEs (lac.yaml, graph or .lac files of the project), the whole project\n"
	  "is still loaded but only those files' diagnostics are printed; errors in\n"
	  "other files are counted on one line, and also make the exit status 1.\n" },
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
	  "Runs the audience's SQL on the project's warehouse (any type, read-only) and\n"
	  "prints the member count and the first N members (default 10; --all for every\n"
	  "one), sorted.  --entities PATH adds the matched entities of that path.\n"
	  "--now TS fixes the reference time; --format json prints one JSON object.\n" },
	{ "test", cmd_test, "test [NAME...]",
	  "run the audience tests (*.test.yaml) on fixture rows",
	  "Runs every *.test.yaml file under the audience directories (or those whose\n"
	  "test or audience is a NAME given): each loads its fixture rows (maps, or CSV\n"
	  "files with a header) into the data graph's tables of a temporary SQLite\n"
	  "warehouse, never the project's own, and compares the audience's members at\n"
	  "its `now` with `expect: members`.  With `then:`, the audience runs on a\n"
	  "temporary state, the rows change, it runs again (queueing, never delivering)\n"
	  "and that run's events must match `then: expect: events`.  Exit 0 when all\n"
	  "pass, 1 when one fails or a test file has errors (shown as diagnostics).\n"
	  "--format json prints one object: warehouse, tests (test, file, audience, now,\n"
	  "result, members, missing, unexpected, error; with then: events,\n"
	  "missing_events, unexpected_events), passed and failed.\n"
	  "See docs/testing-audiences.md.\n" },
	{ "fmt", cmd_fmt, "fmt [--check] [--diff] [FILE...]",
	  "format .lac files canonically (comments kept)",
	  "Rewrites each file (default: every audience file of the project) in the one\n"
	  "canonical layout.  --check writes nothing, lists the files that would change\n"
	  "and exits 1 if any would; --diff does the same but shows the changes as a\n"
	  "unified diff (`patch -p0` applies it).  Formatting is idempotent and keeps\n"
	  "the meaning.  FILE '-' formats standard input to standard output; a\n"
	  "directory stands for the .lac files under it.\n"
	  "--format json prints one object instead: files (path, changed,\n"
	  "with --diff the diff), changed, errors and diagnostics; the exit status is\n"
	  "the same.\n" },
	{ "graph", cmd_graph, "graph [--format text|dot|json]",
	  "show the data graph as a tree, as DOT for graphviz, or as JSON",
	  "Prints the profile, its relationships (with join kinds) and the entities they\n"
	  "reach.  `lac graph --format dot | dot -Tsvg > graph.svg` draws it.\n" },
	{ "plan", cmd_plan, "plan [--preview] [--sql-diff] [--validate] [--out FILE] [--detailed-exitcode] [--select AUDIENCE...]",
	  "show what apply would create, change and delete; writes nothing",
	  "Compares the audiences and activations in the files with the ones applied\n"
	  "(the state DB) and prints a Terraform-style summary: + create, ~ change (with\n"
	  "the changed lines), - delete, enable/disable.  Writes nothing anywhere, not\n"
	  "even the state DB.  --preview counts members and the events each activation\n"
	  "would send (read-only on the warehouse); --sql-diff shows the changed SQL;\n"
	  "--validate has the warehouse check (EXPLAIN) every statement; --out FILE saves\n"
	  "the plan for `lac apply FILE`; --format json prints it for machines.\n"
	  "--detailed-exitcode: 0 no changes, 2 changes, 1 errors.  --select AUDIENCE...\n"
	  "plans only the named audiences (with their activations), like Terraform's\n"
	  "-target; a plan saved with it keeps the selection.\n" },
	{ "apply", cmd_apply, "apply [PLANFILE] [--auto-approve] [--no-run] [--lock-timeout DURATION] [--jobs N] [--select AUDIENCE...]",
	  "record the files' definitions in the state and run what is due",
	  "Shows the plan and asks for 'yes' on a terminal (elsewhere pass\n"
	  "--auto-approve).  A PLANFILE from `lac plan --out` applies only if neither\n"
	  "the state nor the files changed since.  Then runs audiences that are new or\n"
	  "newly enabled at once and the others when their schedule is due, unless\n"
	  "--no-run.  Applying the same files twice changes nothing.\n"
	  "Takes the lock 'apply' (--lock-timeout DURATION, like 500ms, 30s or 5m, waits\n"
	  "for it; default: fail at once); an audience another process is running is\n"
	  "reported skipped.  --jobs N runs up to N audiences at once (as `lac run`).\n"
	  "--select AUDIENCE... applies and runs only the named audiences; the others'\n"
	  "changes wait for a later apply.\n" },
	{ "run", cmd_run, "run [--no-deliver] [--dry-run] [--allow-past] [--force] [--lock-timeout DURATION] [--jobs N] [AUDIENCE...]",
	  "run audiences now and deliver their activation events",
	  "Runs the definitions `lac apply` recorded (never edited files; an audience\n"
	  "never applied is an error).  With no names, runs every applied, enabled\n"
	  "audience (whatever its schedule), each after the audiences it reads `using\n"
	  "membership`.  A run materializes the audience's new snapshot in the\n"
	  "warehouse, diffs it against the previous one, writes the activation events\n"
	  "to the outbox, swaps snapshots and delivers (--no-deliver leaves the events\n"
	  "queued).  A crashed run is completed first.  Prints one line\n"
	  "per audience (--format json: one object, runs and errors; a stdout\n"
	  "destination then writes to stderr); exit 1 if any failed.\n"
	  "A run takes the lock 'run:AUDIENCE'; held by another process, the run fails\n"
	  "unless --lock-timeout DURATION (500ms, 30s, 5m) waits for it.\n"
	  "--dry-run shows what the next runs would send instead (per activation the\n"
	  "events, filtered and invalid counts and a sample of the events), from the\n"
	  "applied definitions and the state's baselines, writing nothing at all.\n"
	  "A run whose time (--now or the clock) is before the audience's last run\n"
	  "fails, naming both, unless --allow-past.\n"
	  "--jobs N runs up to N audiences at once, each in its own process with its\n"
	  "own warehouse session (default: `jobs:` under `warehouse:` in lac.yaml, or\n"
	  "4; 1 runs them one after the other; a SQLite warehouse always runs one at a\n"
	  "time); reports keep the --jobs 1 order.\n"
	  "An audience none of whose tables changed since its last successful run\n"
	  "(where the warehouse can tell; no window or within/before/after) is\n"
	  "reported 'Skipped (inputs unchanged)' without a query; --force runs it.\n" },
	{ "status", cmd_status, "status",
	  "audiences: enabled, schedule, last and next run, members, status",
	  "Reads the state database (never changes it).  --format json for tools.\n" },
	{ "runs", cmd_runs, "runs AUDIENCE",
	  "the last runs of an audience with their stats, newest first",
	  "Start, duration, result, change summary, step timings and delivery counts of\n"
	  "the last 50 runs.  --format json for tools.\n" },
	{ "delivery", cmd_delivery,
	  "delivery AUDIENCE [--events [--status S] [--limit N] | --retry |\n"
	  "       --discard (--failed|--pending|--message-id ID) --reason TEXT] [--activation A]",
	  "delivery overview per activation of an audience",
	  "Per activation: events from audience, filtered at destination, pending retry,\n"
	  "failed delivery, successful delivery (and invalid), over the kept runs, with\n"
	  "samples of invalid, failed, pending (their last error) and discarded events.\n"
	  "--events lists the queued events with their messageIds (--status pending,\n"
	  "failed or invalid; --limit N).  --retry delivers the pending and failed events\n"
	  "now.  --discard gives up the failed ones, the pending ones or one messageId,\n"
	  "with --reason TEXT (counted as failed, kept in the state).  --activation A\n"
	  "limits each to one activation.  --format json for tools.\n" },
	{ "consumers", cmd_consumers, "consumers AUDIENCE",
	  "audiences whose conditions reference an audience",
	  "Lists every audience with a `part of audience AUDIENCE` condition, with its\n"
	  "file:line.  --format json prints an array.\n" },
	{ "alerts", cmd_alerts, "alerts",
	  "the alerts that fired, with what each channel said",
	  "Lists the fired alerts (oldest first): when, audience, alert, kind, the\n"
	  "figures of the two days compared and the change in percent, and per channel\n"
	  "sent or failed with the reason.  Alerts are evaluated once per UTC day by\n"
	  "run, apply and the daemon (docs/alerts.md).  --format json for tools.\n" },
	{ "daemon", cmd_daemon, "daemon [--once] [--max-sleep DURATION] [--lock-timeout DURATION] [--jobs N]",
	  "run applied audiences when their schedules say they are due (UTC)",
	  "The scheduler: loops over the applied, enabled audiences, runs each one that\n"
	  "is due (up to --jobs N at once, as `lac run`), then sleeps until the next\n"
	  "one is due (at most --max-sleep, like 30s or 5m, default 5m, to pick up\n"
	  "newly applied definitions).  A due audience whose inputs did not change is\n"
	  "reported 'Skipped (inputs unchanged)', as with `lac run`.\n"
	  "An audience whose file changed since `lac apply` runs its applied definition,\n"
	  "with a warning that the file differs (`lac apply` records the change).\n"
	  "--once makes one pass and exits (for cron); --now goes with --once.\n"
	  "SIGINT/SIGTERM stop it after the current runs.  An audience another process\n"
	  "is running is skipped until the next wake (--lock-timeout DURATION waits for\n"
	  "it first); a lost connection to a PostgreSQL state stops the daemon.\n"
	  "It logs its start, each wake that ran nothing and its shutdown on stderr;\n"
	  "--format json writes NDJSON on stdout instead, a line per run, error and\n"
	  "heartbeat: {\"type\": \"run\"|\"error\"|\"heartbeat\", ...}.\n" },
	{ "state", cmd_state, "state show|export FILE|import FILE|unlock LOCK_ID",
	  "inspect the state, move it to another backend, or break a lock",
	  "show: where the state is (the file, or the PostgreSQL server, database and\n"
	  "schema; never a password), its schema version, the applied audiences with\n"
	  "their snapshot generation, the events still to deliver per activation, the\n"
	  "locks held, and whether it was moved.  Reads only.\n"
	  "export FILE: every row of the state in one consistent read, as JSON Lines\n"
	  "(a header line naming this state, one line per row, and a last line\n"
	  "{\"end\": true, \"rows\": N} that proves the file whole), written to FILE with\n"
	  "mode 0600 ('-' is refused).\n"
	  "import FILE: writes an export into the state lac.yaml names now, which must\n"
	  "be empty (no applied audiences, runs or queued events), in one transaction\n"
	  "under the lock 'apply' (--lock-timeout DURATION waits for it), then marks\n"
	  "the state the export came from as moved:\n"
	  "lac refuses to write to it from then on.  The export must come from a lac\n"
	  "with the same state schema.  Snapshot generations and queued events move\n"
	  "with it: nothing is resent.  See docs/gitops.md, \"Moving state\".\n"
	  "unlock LOCK_ID: frees the lock 'apply' or 'run:AUDIENCE' held by another\n"
	  "process, after taking the lock 'apply' itself (unless LOCK_ID is apply;\n"
	  "--lock-timeout DURATION waits for it).\n"
	  "PostgreSQL state: the holder's session is ended, which releases its locks.\n"
	  "SQLite state: a lock already ends with its process, so only the record of a\n"
	  "holder that is gone is cleared; a holder still running is reported (exit 1).\n"
	  "--format json prints one object for each (unlock: lock, result (not held,\n"
	  "released, held) and held_by).\n" },
	{ "init", cmd_init, "init [DIR] [--example NAME]",
	  "start a new project from an example (petshop by default)",
	  "Copies an example project (petshop, subscriptions, owly, kitchen-sink) into\n"
	  "DIR (default: the -C directory), all but expected/, out/, .lac/ and *.db\n"
	  "files, and builds its SQLite warehouse from data/warehouse.sql.  Refuses a\n"
	  "DIR with a lac.yaml; keeps any other file already there (a README.md).\n"
	  "--format json prints one object: directory, example and the files created.\n" },
};

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

void command_add_did_you_mean(struct strbuf *sb, const char *name)
{
	const char *names[ARRAY_LEN(commands)];
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		names[i] = commands[i].name;
	sb_add_did_you_mean(sb, name, names, ARRAY_LEN(commands));
}

void command_print_main_help(FILE *out)
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
		"  -C, --directory DIR  run as if started in DIR (the project directory)\n"
		"  --format FORMAT      text (default) or json, for every command that prints\n"
		"                       data\n"
		"  --now TIMESTAMP      the reference time of runs and previews (UTC)\n"
		"  --color WHEN         auto (default), always or never\n"
		"  -q, --quiet          print only errors (and no progress line)\n"
		"  -v, --verbose        log each warehouse statement of a run with its duration\n"
		"                       and each delivery request and retry on stderr\n"
		"  --version            print the version\n"
		"  -h, --help           this help; `lac help COMMAND` for one command\n\n"
		"Exit status: 0 success, 1 errors, 2 changes present (plan --detailed-exitcode),\n"
		"64 usage errors.  See `man lac` and docs/ for the language and the data graph.\n");
}

void command_print_help(const struct command *cmd, FILE *out)
{
	fprintf(out, "usage: lac %s\n\n%s.\n\n%s", cmd->synopsis, cmd->summary, cmd->help);
}
