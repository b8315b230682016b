/*
 * warehouse.h — running SQL on the project's warehouse: the embedded SQLite
 * database or PostgreSQL (libpq).  Each backend is a const table of
 * functions behind struct warehouse, so tests and the runner can use either.
 */
#ifndef LAC_WAREHOUSE_H
#define LAC_WAREHOUSE_H

#include <stdbool.h>

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
	/* Does schema.table exist (SQLite: only the table name counts)? */
	bool (*table_exists)(struct warehouse *w, const char *schema, const char *table);
	void (*close)(struct warehouse *w);
};

struct warehouse {
	const struct warehouse_ops *ops;
	const struct dialect *d;
	void *impl;
};

/* How a command uses the project's warehouse: preview and plan only read it;
 * run and apply also write (lac keeps its snapshots and membership log
 * there).  Only SQLite tells them apart, by how the file is opened. */
enum warehouse_access {
	WH_READ = 1,
	WH_WRITE = 2,
};

/* Connect to the project's warehouse (sqlite or postgres) for access (WH_READ,
 * or WH_READ | WH_WRITE).  On failure puts a message in err (never a secret)
 * and returns -1; an unset ${VAR} is also reported to p->diags. */
int warehouse_open_project(struct project *p, unsigned access, struct warehouse *w,
			   struct strbuf *err);
int warehouse_open_sqlite(struct warehouse *w, const char *path, bool readonly, struct strbuf *err);
int warehouse_open_postgres(struct warehouse *w, const char *dsn, struct strbuf *err);
void warehouse_close(struct warehouse *w);
/* Does audience's snapshot table (sql_snapshot_table) exist in schema? */
bool warehouse_has_snapshot(struct warehouse *w, const char *schema, const char *audience);
/* Drop every snapshot table of the audience (SPEC §5: on delete).  0, or -1
 * with the warehouse's message in err. */
int warehouse_drop_snapshots(struct warehouse *w, const char *schema, const char *audience,
			     struct strbuf *err);

#endif
