/*
 * warehouse_pg.c — PostgreSQL through libpq (warehouse_libpq.c does the
 * work): the session in UTC, application_name as the tag, transactions
 * retried on serialization failures and deadlocks.
 */
#include <stdlib.h>
#include <string.h>

#include "warehouse/warehouse_libpq.h"

/* application_name = "lac <command> <audience> <run>" (pg_stat_activity shows it). */
static int pg_set_context(struct warehouse *w, const char *command, const char *audience,
			  const char *run_id, struct strbuf *err)
{
	struct pq_conn *g = w->impl;
	char *tag = warehouse_tag(command, audience, run_id);
	char *lit = PQescapeLiteral(g->c, tag, strlen(tag));
	free(tag);
	if (!lit) {
		sb_addstr(err, PQerrorMessage(g->c));
		return -1;
	}
	struct strbuf sql = STRBUF_INIT;
	sb_addf(&sql, "SET application_name = %s", lit);
	PQfreemem(lit);
	int rc = pq_run(g, sql.buf, NULL, NULL, err, NULL);
	sb_release(&sql);
	return rc;
}

static int pg_query(struct warehouse *w, const char *sql, wh_row_fn row, void *arg,
		    struct strbuf *err)
{
	struct pq_conn *g = w->impl;
	int rc = pq_run(g, sql, row, arg, err, NULL);
	warehouse_note_error_position(w, sql, rc == 0 ? 0 : g->error_pos);
	return rc;
}

static void pg_close(struct warehouse *w)
{
	pq_disconnect(w->impl);
	free(w->impl);
}

static const struct warehouse_ops pg_ops = {
	.name = "postgres",
	.query = pg_query,
	.exec_batch = pq_exec_batch,
	.tables_exist = pq_tables_exist,
	.set_timeout = pq_set_timeout,
	.set_context = pg_set_context,
	.cancel = pq_cancel,
	.close = pg_close,
};

int warehouse_open_postgres(struct warehouse *w, const char *dsn, struct strbuf *err)
{
	memset(w, 0, sizeof(*w));
	struct pq_conn *g = xcalloc(1, sizeof(*g));
	if (pq_connect(g, dsn, NULL, NULL, "PostgreSQL", pq_retryable_postgres, err) < 0) {
		free(g);
		return -1;
	}
	PQclear(PQexec(g->c, "SET TIME ZONE 'UTC'"));
	w->ops = &pg_ops;
	w->d = &dialect_postgres;
	w->impl = g;
	return 0;
}
