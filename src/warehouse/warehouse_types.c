/*
 * warehouse_types.c — each warehouse type's dialect and connector
 * (warehouse_types.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/start_dir.h"
#include "base/util.h"
#include "warehouse/warehouse_types.h"

/* The project's SQLite warehouse must exist: opening it for writing would
 * otherwise create an empty file at a mistyped warehouse.path, and every
 * run would fail on a missing table.  Say which file and how to build it. */
static int open_sqlite(struct project *p, unsigned access, struct warehouse *w, struct strbuf *err)
{
	const char *path = project_path(p, p->warehouse.path);
	struct stat st;
	if (stat(path, &st) != 0 && errno == ENOENT) {
		sb_addf(err, "the SQLite warehouse '%s' (warehouse.path in lac.yaml) does not exist; ", path);
		size_t len = strlen(path);
		char *sql = str_ends(path, ".db") ? xasprintf("%.*s.sql", (int)(len - 3), path) : NULL;
		if (sql && stat(sql, &st) == 0) {
			/* a command to type where the user is (-C) */
			char *db = start_dir_path(path), *script = start_dir_path(sql);
			sb_addf(err, "build it with: sqlite3 %s < %s", db, script);
			free(db);
			free(script);
		} else
			sb_addstr(err, "create it with your data, or correct warehouse.path");
		free(sql);
		return -1;
	}
	return warehouse_open_sqlite(w, path, !(access & WH_WRITE), err);
}

/* The libpq types: the dsn setting, its ${VAR}s expanded only now. */
static int open_libpq(struct project *p, struct warehouse *w, const char *type,
		      int (*open)(struct warehouse *, const char *, struct strbuf *), struct strbuf *err)
{
	const struct setting *s = setting_find(p->warehouse.settings, p->warehouse.nsettings, "dsn");
	if (!s || !s->value) {
		sb_addf(err, "the %s warehouse needs a 'dsn' setting in lac.yaml", type);
		return -1;
	}
	const char *dsn = setting_expand(p, s->value, s->loc);
	if (!dsn) {
		setting_unset_error(p, "the warehouse's dsn", err);
		return -1;
	}
	int rc = open(w, dsn, err);
	if (rc != 0)
		project_redact(p, err); /* libpq quotes parts of the dsn */
	return rc;
}

static int open_postgres(struct project *p, unsigned access, struct warehouse *w, struct strbuf *err)
{
	(void)access;
	return open_libpq(p, w, "postgres", warehouse_open_postgres, err);
}

static int open_redshift(struct project *p, unsigned access, struct warehouse *w, struct strbuf *err)
{
	(void)access;
	return open_libpq(p, w, "redshift", warehouse_open_redshift, err);
}

static int open_bigquery(struct project *p, unsigned access, struct warehouse *w,
			 struct strbuf *err)
{
	(void)access;
	return warehouse_open_bigquery(w, p, err);
}

static const struct warehouse_type_row rows[] = {
	{ WH_SQLITE, open_sqlite },
	{ WH_POSTGRES, open_postgres },
	{ WH_REDSHIFT, open_redshift },
	{ WH_SNOWFLAKE, warehouse_open_snowflake },
	{ WH_BIGQUERY, open_bigquery },
	{ WH_DATABRICKS, warehouse_open_databricks },
};

const struct warehouse_type_row *warehouse_type_row(enum warehouse_type t)
{
	for (size_t i = 0; i < ARRAY_LEN(rows); i++)
		if (rows[i].type == t)
			return &rows[i];
	return &rows[0];
}
