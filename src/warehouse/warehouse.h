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
	/* Does schema.table exist (SQLite: only the table name counts)? */
	bool (*table_exists)(struct warehouse *w, const char *schema, const char *table);
	/* Bound every later statement to ms milliseconds (0: no bound). */
	int (*set_timeout)(struct warehouse *w, int64_t ms, struct strbuf *err);
	/* Tag later statements with what lac is doing (SPEC §1.1 "Tags");
	 * audience and run_id may be NULL. */
	int (*set_context)(struct warehouse *w, const char *command, const char *audience,
			   const char *run_id, struct strbuf *err);
	/* Cancel the statement running now, if any.  Called from a signal
	 * handler: async-signal-safe, and the connector may not be used after. */
	void (*cancel)(struct warehouse *w);
	void (*close)(struct warehouse *w);
	/* Optional (NULL: cannot tell).  When the table (as the graph names it,
	 * or "schema.snapshot_a" for lac's own) last changed, in Unix ms, from
	 * the warehouse's metadata, never by reading the table: 0 with *epoch_ms
	 * set, 1 when it cannot tell (then the audience runs), -1 on error
	 * (also runs).  Lets a scheduled run skip inputs that did not change
	 * (docs/runs.md "Skipping unchanged inputs"). */
	int (*last_altered)(struct warehouse *w, const char *table, int64_t *epoch_ms,
			    struct strbuf *err);
};

struct warehouse {
	const struct warehouse_ops *ops;
	const struct dialect *d;
	void *impl;
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
void warehouse_close(struct warehouse *w);
/* ops->last_altered, or 1 (cannot tell) for a connector without it. */
int warehouse_last_altered(struct warehouse *w, const char *table, int64_t *epoch_ms);
/* Tag w's later statements (set_context); a failure only loses the tag. */
void warehouse_set_context(struct warehouse *w, const char *command, const char *audience,
			   const char *run_id);
/* From now on SIGINT and SIGTERM cancel the running statement of every
 * warehouse warehouse_open_project opened, then end the process by the
 * signal as before.  For commands that do not handle these signals
 * themselves (the daemon stops after its current run instead). */
void warehouse_cancel_on_signals(void);
/* Does audience's snapshot table (sql_snapshot_table) exist in schema? */
bool warehouse_has_snapshot(struct warehouse *w, const char *schema, const char *audience);
/* The same as sql_options.snapshot_exists, with arg a struct warehouse_snapshots. */
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
/* exec_batch through query: BEGIN (the dialect's), each statement, COMMIT;
 * ROLLBACK after a failure.  Without transactional, the statements alone. */
int warehouse_batch_by_query(struct warehouse *w, const char *const *stmts, size_t n,
			     bool transactional, struct strbuf *err);
/* "lac <command> <audience> <run_id>" (the parts given): the tag text. */
char *warehouse_tag(const char *command, const char *audience, const char *run_id);

#endif
