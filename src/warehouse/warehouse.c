/*
 * warehouse.c — choose and open the project's warehouse backend; ask it
 * whether an audience's snapshot exists.
 */
#include <stdlib.h>
#include <string.h>

#include "sql/gen.h"
#include "sql/sqlbuf.h"
#include "sql/tables.h"
#include "warehouse/warehouse.h"

int warehouse_open_project(struct project *p, unsigned access, struct warehouse *w,
			   struct strbuf *err)
{
	memset(w, 0, sizeof(*w));
	switch (p->warehouse.type) {
	case WH_SQLITE:
		return warehouse_open_sqlite(w, project_path(p, p->warehouse.path),
					     !(access & WH_WRITE), err);
	case WH_POSTGRES: {
		const struct setting *s = setting_find(p->warehouse.settings, p->warehouse.nsettings, "dsn");
		if (!s || !s->value) {
			sb_addstr(err, "the postgres warehouse needs a 'dsn' setting in lac.yaml");
			return -1;
		}
		const char *dsn = setting_expand(p, s->value, s->loc);
		if (!dsn) {
			sb_addstr(err, "the warehouse dsn names an unset environment variable");
			return -1;
		}
		int rc = warehouse_open_postgres(w, dsn, err);
		if (rc != 0)
			project_redact(p, err); /* libpq quotes parts of the dsn */
		return rc;
	}
	default:
		sb_addf(err, "lac cannot connect to a %s warehouse yet (sqlite and postgres only)",
			dialect_for_warehouse(p->warehouse.type)->name);
		return -1;
	}
}

void warehouse_close(struct warehouse *w)
{
	if (w->ops)
		w->ops->close(w);
	memset(w, 0, sizeof(*w));
}

bool warehouse_has_snapshot(struct warehouse *w, const char *schema, const char *audience)
{
	const char *parts[2];
	char *t = sql_snapshot_table(schema, audience, parts);
	bool ok = w->ops->table_exists(w, parts[0], parts[1]);
	free(t);
	return ok;
}

int warehouse_drop_snapshots(struct warehouse *w, const char *schema, const char *audience,
			     struct strbuf *err)
{
	int rc = 0;
	for (int k = 0; k < SNAPSHOT_TABLES && rc == 0; k++) {
		char *t = sql_snapshot_name(audience, (enum snapshot_table)k);
		const char *tp[2] = { schema ? schema : PROJECT_DEFAULT_WAREHOUSE_SCHEMA, t };
		struct strbuf sql = STRBUF_INIT;
		sql_fmt(&sql, w->d, "DROP TABLE IF EXISTS %T", tp, (size_t)2);
		rc = w->ops->query(w, sql.buf, NULL, NULL, err);
		sb_release(&sql);
		free(t);
	}
	return rc;
}
