/*
 * project.h — a loaded project: lac.yaml settings, the data graph and the
 * parsed audience files, with the arena, sources and diagnostics they share.
 */
#ifndef LAC_PROJECT_H
#define LAC_PROJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/ast.h"
#include "base/diag.h"
#include "graph/graph.h"

/* A scalar setting from lac.yaml.  The value is kept as written; ${VAR}
 * references are expanded only when a command needs the value
 * (setting_expand), so check/compile/fmt/graph run without secrets. */
struct setting {
	const char *key;
	const char *value;         /* as written, may contain ${VAR}; NULL for a mapping */
	struct setting *children;  /* for a nested mapping such as headers: { ... } */
	size_t nchildren;
	struct loc loc;
};

struct destination {
	const char *name;
	const char *type;          /* file | stdout | webhook | segment | warehouse | a stdlib preset */
	struct setting *settings;  /* every key but type, in file order */
	size_t nsettings;
	bool supports_values_changed; /* may take `membership or values changed` (SPEC §3.5) */
	struct loc loc;
	const char *tls_ca_file;   /* an HTTP destination's tls: {ca_file} (project dir joined), or NULL */
};
const struct setting *destination_setting(const struct destination *d, const char *key);

/* An alert channel of lac.yaml's alerts: { channels: ... } (SPEC §5 Alerts):
 * a Slack incoming webhook or an email sent over SMTP with STARTTLS. */
enum alert_channel_type { ALERT_CHANNEL_SLACK, ALERT_CHANNEL_EMAIL };
struct alert_channel {
	const char *name;
	enum alert_channel_type type;
	struct setting *settings;  /* every key but type, in file order (${VAR} as written) */
	size_t nsettings;
	struct loc loc;
};
const struct setting *alert_channel_setting(const struct alert_channel *c, const char *key);

enum warehouse_type { WH_SQLITE, WH_POSTGRES, WH_REDSHIFT, WH_SNOWFLAKE, WH_BIGQUERY, WH_DATABRICKS };

/* warehouse.path of a sqlite warehouse that names none (the loader fills it in,
 * so every reader of the field sees a path). */
#define PROJECT_DEFAULT_WAREHOUSE_PATH "data/warehouse.db"
/* The warehouse schema of lac's own tables when lac.yaml names none. */
#define PROJECT_DEFAULT_WAREHOUSE_SCHEMA "lac"
/* warehouse.timeout when lac.yaml names none: 1h per statement (SPEC §1.1). */
#define PROJECT_DEFAULT_WAREHOUSE_TIMEOUT_MS (3600LL * 1000)
/* warehouse.jobs when lac.yaml names none: audience runs at once (SPEC §6). */
#define PROJECT_DEFAULT_WAREHOUSE_JOBS 4
/* The most audience runs at once (warehouse.jobs, --jobs): each is a
 * process with its own warehouse session and state connection. */
#define PROJECT_MAX_JOBS 64
/* An HTTP destination's max_in_flight (requests at once) and max_rate
 * (events a second) are at most these. */
#define PROJECT_MAX_IN_FLIGHT 100
#define PROJECT_MAX_RATE 1000000

struct project {
	struct arena arena;
	struct source_set sources;
	struct diag_sink diags;

	char *dir;                 /* project directory (from -C), "." by default */
	const char *name;
	int version;
	const char **graph_files;
	size_t ngraph_files;
	const char **audience_paths; /* directories (recursive *.lac) or files */
	size_t naudience_paths;
	struct loc graph_loc, audiences_loc;

	struct {
		enum warehouse_type type;
		const char *path;        /* sqlite: relative to the project dir; default PROJECT_DEFAULT_WAREHOUSE_PATH */
		const char *schema;      /* default PROJECT_DEFAULT_WAREHOUSE_SCHEMA */
		int64_t timeout_ms;      /* per statement; default PROJECT_DEFAULT_WAREHOUSE_TIMEOUT_MS
					  * (a ${VAR} timeout: read by warehouse_open_project) */
		int jobs;                /* audience runs at once; default PROJECT_DEFAULT_WAREHOUSE_JOBS */
		struct setting *settings; /* every other key of its type (wh_kind.c: dsn, account, ...) */
		size_t nsettings;
		struct loc loc;
		/* tls: {ca_file} of an HTTP warehouse (one with `endpoint`), a path
		 * relative to the project dir; NULL: the top-level one, if any */
		const char *tls_ca_file;
	} warehouse;
	/* tls: {ca_file: PATH} at the top of lac.yaml: the CA bundle every HTTPS
	 * connection (destinations, HTTP warehouses) verifies against instead of
	 * the system's, unless its own tls says otherwise; NULL: the system's */
	const char *tls_ca_file;
	struct {
		enum state_type { STATE_SQLITE, STATE_POSTGRES } type;
		const char *path;        /* sqlite: default ".lac/state.db" */
		const char *dsn;         /* postgres: as written (${VAR} expanded by the opener) */
		struct loc dsn_loc;
		const char *schema;      /* postgres: default "lac_state" */
	} state;
	int retention_days;          /* state.retention_days: undelivered events are retried this long; default 7 */
	struct destination *destinations;
	size_t ndestinations;
	struct alert_channel *alert_channels;
	size_t nalert_channels;

	struct graph graph;
	bool graph_ok;               /* loaded without errors */

	struct ast_file **files;     /* parsed .lac files, in path order */
	size_t nfiles;
	/* set before loading by `lac check`: a project without .lac files (a
	 * data graph being written) is checked, with W005, instead of E010 */
	bool audiences_optional;

	const char **secrets;        /* every value setting_expand substituted (to redact) */
	size_t nsecrets;

	/* state.path and warehouse.path are expanded when the project is
	 * loaded; one whose ${VAR} is unset keeps its text here (NULL when
	 * resolved) so that only a command that opens it fails, with E007. */
	struct unresolved_path {
		const char *as_written;
		struct loc loc;
		bool reported;
	} state_unresolved, warehouse_unresolved;
};

/* Load lac.yaml from dir, then the graph and every audience file (parsed,
 * not checked: check_load runs the checker too).  Problems go to p->diags;
 * returns 0 if there were no errors. */
int project_load(struct project *p, const char *dir);
/* Only lac.yaml (for `lac run` and `lac daemon`, which take the graph and
 * the audiences from the applied definitions). */
int project_load_settings(struct project *p, const char *dir);
/* Only lac.yaml + graph (for `lac graph`). */
int project_load_settings_and_graph(struct project *p, const char *dir);
void project_init(struct project *p);
void project_release(struct project *p);

const struct destination *project_destination(const struct project *p, const char *name);
const struct alert_channel *project_alert_channel(const struct project *p, const char *name);
/* Expand ${VAR} in a setting value.  On an unset variable reports E007 at
 * loc (naming the variable, never any value) and returns NULL.  The result
 * lives in the project arena. */
const char *setting_expand(struct project *p, const char *value, struct loc loc);
/* After setting_expand returned NULL: its latest E007 as one line for an
 * error message, "FILE:LINE:COL: environment variable 'X' is not set
 * (WHAT)", appended to err (a command that opens a connection fails with
 * it, whether or not it prints the diagnostics). */
void setting_unset_error(const struct project *p, const char *what, struct strbuf *err);
/* The CA file an HTTPS connection verifies against: the destination's (d)
 * or the HTTP warehouse's (d NULL) own tls, else lac.yaml's top-level tls;
 * NULL: the system's CA store. */
const char *project_ca_file(const struct project *p, const struct destination *d);
/* A path setting's ${VAR} values may not hold a ".." component (they would
 * climb out of the directory the file names): 0, or -1 after reporting
 * E006 at loc, naming the variable (never its value). */
int project_check_path_refs(struct project *p, const char *value, struct loc loc);
/* Replace, in place, every value that setting_expand took from the
 * environment with "[redacted]": for messages that come back from libpq,
 * libcurl or a server, which may quote what lac sent them. */
void project_redact(const struct project *p, struct strbuf *msg);
/* The secrets (as project_redact knows them) of every project this process
 * has loaded (the daemon reloads its project), *n of them: for messages
 * built where no project is at hand, such as HTTP delivery reasons. */
const char *const *project_all_secrets(size_t *n);
const struct setting *setting_find(const struct setting *s, size_t n, const char *key);

/* The stdlib directory (graph fragments, destination presets): $LAC_STDLIB_DIR,
 * else ../share/lac/stdlib beside the executable (a relocated install), else
 * the installed one, else the source tree's stdlib/. */
const char *project_stdlib_dir(void);
/* A path relative to the project dir as shown to users and opened on disk:
 * "dir/rel" ("rel" when dir is "."; rel itself when absolute).  In the arena. */
const char *project_path(struct project *p, const char *rel);
/* Append to *out (p's arena) the files below directory rel (relative to
 * the project) whose names end in suffix, dot files and dot directories
 * left out; an unreadable directory is passed over, and named in unreadable
 * when that is given ("cannot read the directory 'D': why", one a line). */
void project_find_files(struct project *p, const char *rel, const char *suffix, const char ***out,
			size_t *n, struct strbuf *unreadable);
/* E007 for each of state.path and warehouse.path whose ${VAR} is unset;
 * -1 if there was one.  For commands that open the state or the warehouse
 * (check, compile, fmt and graph do not), right after project_load. */
int project_require_paths(struct project *p);
/* warehouse.jobs or --jobs as written: a whole number from 1 to
 * PROJECT_MAX_JOBS, or -1. */
int project_parse_jobs(const char *s);

#endif
