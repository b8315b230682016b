/*
 * warehouse_types.c — each warehouse type's dialect and connector
 * (warehouse_types.h).
 */
#include "base/util.h"
#include "warehouse/warehouse_types.h"

static int open_sqlite(struct project *p, unsigned access, struct warehouse *w, struct strbuf *err)
{
	return warehouse_open_sqlite(w, project_path(p, p->warehouse.path), !(access & WH_WRITE), err);
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
		sb_addstr(err, "the warehouse dsn names an unset environment variable");
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
