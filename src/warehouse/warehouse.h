/*
 * warehouse.h — running SQL on the project's warehouse.  Each connector is
 * a const table of functions behind struct warehouse, so the runner, plan
 * and preview use any of them alike; the table of warehouse types
 * (warehouse_types.c) names each type's dialect and connector.
 */
#ifndef LAC_WAREHOUSE_H
#define LAC_WAREHOUSE_H

#include <stdbool.h>
#include <stdint.h>

#include "project/project.h"
#include "sql/dialect.h"
#include "base/util.h"

struct warehouse;

/* Called once per result row with every column as text (NULL for SQL null);
 * return non-zero to stop. */
typedef int (*wh_row_fn)(void *arg, int ncol, const char *const *vals);

struct warehouse_ops {
	const char *name;
	/* Run one statement; on failure puts the warehouse's message in err, returns -1. */
	int (*query)(struct warehouse *w, const char *sql, wh_row_fn row, void *arg,
		     struct strbuf *err);
	/* Run stmts[0..n) as the unit of commit.  transactional: all or none
	 * (SQLite, PostgreSQL, Redshift: one transaction; PostgreSQL and
	 * Redshift retry it on a serialization failure); else one after another, stopping at the
	 * first failure (for statements that are each atomic and idempotent).
	 * 0, or -1 with the warehouse's message in err. */
	int (*exec_batch)(struct warehouse *w, const char *const *stmts, size_t n,
			  bool transactional, struct strbuf *err);
	/* Which of schema.tables[0..n) exist (SQLite: only the table names
	 * count): found[i] true or false, in one statement where the
	 * warehouse allows it (a run asks two at a time).  0, or -1 when the
	 * warehouse could not tell, with its message in err (never "none": a
	 * run that took a missing snapshot for granted would send every member
	 * as entered again). */
	int (*tables_exist)(struct warehouse *w, const char *schema, const char *const *tables,
			    size_t n, bool *found, struct strbuf *err);
	/* Bound every later statement to ms milliseconds (0: no bound). */
	int (*set_timeout)(struct warehouse *w, int64_t ms, struct strbuf *err);
	/* Tag later statements with what lac is doing (SPEC §1.1 "Tags");
	 * audience and run_id may be NULL. */
	int (*set_context)(struct warehouse *w, const char *command, const char *audience,
			   const char *run_id, struct strbuf *err);
	/* Cancel the statement running now, if any.  Called from a signal
	 * handler: async-signal-safe, and the connector may not be used after.
	 * Returns true when the connector finishes the cancel itself: an HTTP
	 * connector cannot send a request from a handler, so it only notes the
	 * signal; its wait loop (which polls warehouse_pending_signal at least
	 * every 100 ms) sends the vendor's cancel request, then calls
	 * warehouse_exit_by_signal.  false: cancelled already (or nothing ran). */
	bool (*cancel)(struct warehouse *w);
	void (*close)(struct warehouse *w);
	/* Check sql without running it (plan --validate); *bytes gets what it
	 * would scan, or -1 when the warehouse does not say.  NULL: EXPLAIN
	 * through query (warehouse_validate). */
	int (*validate)(struct warehouse *w, const char *sql, int64_t *bytes, struct strbuf *err);
	/* Optional (NULL: cannot tell).  When each of tables[0..n) (as the graph
	 * names them, or "schema.snapshot_a" for lac's own) last changed, in
	 * Unix ms, from the warehouse's metadata, never by reading a table:
	 * epoch_ms[i], or -1 where it cannot tell (then the audience runs, so
	 * the rest need not be asked).  0, or -1 on error (also runs).  Lets a
	 * scheduled run skip inputs that did not change (docs/runs.md
	 * "Skipping unchanged inputs"). */
	int (*last_altered)(struct warehouse *w, const char *const *tables, size_t n,
			    int64_t *epoch_ms, struct strbuf *err);
};

struct warehouse {
	const struct warehouse_ops *ops;
	const struct dialect *d;
	void *impl;
	/* where the last failed statement went wrong, when the warehouse said
	 * (PostgreSQL's statement position; the line and column an HTTP
	 * warehouse writes in its message, error_position.h): a byte offset
	 * into that SQL */
	bool error_at_known;
	size_t error_at;
	struct warehouse *next_open;   /* warehouse_open_project's list, for the signal hook */
};

/* How a command uses the project's warehouse: preview and plan only read it;
 * run and apply also write (lac keeps its snapshots and membership log
 * there).  Only SQLite tells them apart, by how the file is opened. */
enum warehouse_access {
	WH_READ = 1,
	WH_WRITE = 2,
};

/* Connect to the project's warehouse (warehouse_types.c) for access
 * (WH_READ, or WH_READ | WH_WRITE), with its timeout set.  On failure puts
 * a message in err (never a secret) and returns -1; an unset ${VAR} is also
 * reported to p->diags.  Until warehouse_close, SIGINT/SIGTERM cancel its
 * running statement (warehouse_cancel_on_signals). */
int warehouse_open_project(struct project *p, unsigned access, struct warehouse *w,
			   struct strbuf *err);
/* The connectors' open functions (warehouse_types.c calls them with the project's settings). */
int warehouse_open_sqlite(struct warehouse *w, const char *path, bool readonly, struct strbuf *err);
int warehouse_open_postgres(struct warehouse *w, const char *dsn, struct strbuf *err);
int warehouse_open_redshift(struct warehouse *w, const char *dsn, struct strbuf *err);
int warehouse_open_databricks(struct project *p, unsigned access, struct warehouse *w,
			      struct strbuf *err);
/* Snowflake's settings are many (account, user, key or token, context): read from p. */
int warehouse_open_snowflake(struct project *p, unsigned access, struct warehouse *w,
			     struct strbuf *err);
/* BigQuery reads its own settings (project, location, credentials, ...). */
int warehouse_open_bigquery(struct warehouse *w, struct project *p, struct strbuf *err);
void warehouse_close(struct warehouse *w);
/* Does schema.table exist: 1 or 0, or -1 with the warehouse's message
 * (ops->tables_exist for one table). */
int warehouse_table_exists(struct warehouse *w, const char *schema, const char *table,
			   struct strbuf *err);
/* ops->tables_exist for a connector that asks table by table: one() each
 * (1, 0, or -1 with the message, which ends the asking). */
int warehouse_tables_exist_each(struct warehouse *w, const char *schema, const char *const *tables,
				size_t n, bool *found, struct strbuf *err,
				int (*one)(struct warehouse *w, const char *schema, const char *table,
					   struct strbuf *err));
/* For a connector's tables_exist query, whose rows are the names found as
 * the warehouse stores them: the row callback (arg: a struct
 * warehouse_found) that marks the table of that name found. */
struct warehouse_found {
	const char *const *names;  /* the tables asked, as the warehouse stores them */
	size_t n;
	bool *found;
};
int warehouse_found_row(void *arg, int ncol, const char *const *vals);
/* ops->last_altered; every epoch_ms[i] -1 (cannot tell) for a connector
 * without it, or when it failed (an error only means: run). */
void warehouse_last_altered(struct warehouse *w, const char *const *tables, size_t n,
			    int64_t *epoch_ms);
/* ops->last_altered for a connector that asks table by table: one() each
 * (0 with *epoch_ms set, 1 cannot tell, -1 error), until one cannot tell. */
int warehouse_last_altered_each(struct warehouse *w, const char *const *tables, size_t n,
				int64_t *epoch_ms, struct strbuf *err,
				int (*one)(struct warehouse *w, const char *table, int64_t *epoch_ms,
					   struct strbuf *err));
/* For last_altered: a graph table name of two or three plain parts
 * ([db.]schema.table, each of letters, digits and _) split into *db (NULL
 * for two parts), *schema and *name, each to free; -1 for any other name
 * (quoted, one part, more than three), which the connectors cannot tell. */
int warehouse_table_parts(const char *table, char **db, char **schema, char **name);
/* A warehouse's epoch-ms text ("1733360000000") into *ms; -1 when it is
 * not a whole number of ms. */
int warehouse_parse_ms(const char *s, int64_t *ms);
/* Tag w's later statements (set_context); a failure only loses the tag. */
void warehouse_set_context(struct warehouse *w, const char *command, const char *audience,
			   const char *run_id);
/* From now on SIGINT and SIGTERM cancel the running statement of every
 * warehouse warehouse_open_project opened, then end the process by the
 * signal as before.  For commands that do not handle these signals
 * themselves (the daemon stops after its current run instead). */
void warehouse_cancel_on_signals(void);
/* The SIGINT/SIGTERM the hook above deferred to a connector finishing its
 * cancel (warehouse_ops.cancel returned true), or 0. */
int warehouse_pending_signal(void);
/* End the process by sig, as the signal would have without the hook. */
_Noreturn void warehouse_exit_by_signal(int sig);
/* Have the warehouse check sql without running it: its validate, else
 * EXPLAIN.  *bytes: what it would scan, or -1.  0, or -1 with the
 * warehouse's message in err. */
int warehouse_validate(struct warehouse *w, const char *sql, int64_t *bytes, struct strbuf *err);
/* What sql would scan, by a warehouse that estimates it (BigQuery's dry
 * run), else (or when the estimate fails) -1. */
int64_t warehouse_scan_bytes(struct warehouse *w, const char *sql);
/* Does audience's snapshot table (sql_snapshot_table) exist in schema?  1,
 * 0, or -1 with the warehouse's message in err. */
int warehouse_has_snapshot(struct warehouse *w, const char *schema, const char *audience,
			   struct strbuf *err);
/* The same as sql_options.snapshot_exists, with arg a struct
 * warehouse_snapshots, for the commands that only read (plan, preview,
 * test): a snapshot the warehouse cannot tell about counts as there, so
 * that the statement reading it fails if it is not. */
struct warehouse_snapshots {
	struct warehouse *w;
	const char *schema;
};
bool warehouse_snapshot_exists(void *arg, const struct ast_audience *ref);
/* Drop every snapshot table of the audience (SPEC §5: on delete).  0, or -1
 * with the warehouse's message in err. */
int warehouse_drop_snapshots(struct warehouse *w, const char *schema, const char *audience,
			     struct strbuf *err);

/* ---- shared by the connectors -------------------------------------------- */
/* Record the warehouse's position of an error in sql, given in characters
 * from 1 (0: none), as error_at (a byte offset). */
void warehouse_note_error_position(struct warehouse *w, const char *sql, long char_pos);
/* exec_batch through query: BEGIN (the dialect's), each statement, COMMIT;
 * ROLLBACK after a failure.  Without transactional, the statements alone. */
int warehouse_batch_by_query(struct warehouse *w, const char *const *stmts, size_t n,
			     bool transactional, struct strbuf *err);
/* The warehouse setting key with its ${VAR}s expanded, or NULL when it is
 * not given; *unset when it names an unset variable (reported to p->diags). */
const char *warehouse_setting(struct project *p, const char *key, bool *unset);
/* "lac <command> <audience> <run_id>" (the parts given): the tag text. */
char *warehouse_tag(const char *command, const char *audience, const char *run_id);

#endif
