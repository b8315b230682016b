/*
 * warehouse_redshift.c — Amazon Redshift through libpq (PostgreSQL
 * protocol; warehouse_libpq.c does the work).  What differs from
 * PostgreSQL (docs/warehouses.md "Redshift"): no application_name or
 * options startup parameters (Redshift rejects them), the tag is SET
 * query_group, a transaction is retried on serializable isolation
 * violations (error 1023), and no statement may exceed 16 MB.  lac sends
 * no COPY and declares no cursors (Redshift allows one open cursor per
 * session): rows stream in single-row mode.
 */
#include <stdlib.h>
#include <string.h>

#include "warehouse/warehouse_libpq.h"
#include "warehouse/warehouse_redshift.h"

const char *const redshift_startup_keywords[] = { "application_name", "fallback_application_name",
						  "options", NULL };
const char *const redshift_startup_values[] = { "", "", "", NULL };

struct redshift {
	struct pq_conn pq;   /* first: the shared pq_* functions take w->impl as one */
	char *audience;      /* from set_context, for the statement size error */
};

bool redshift_retryable(const char *sqlstate, const char *primary)
{
	if (pq_retryable_postgres(sqlstate, primary))
		return true;
	/* Redshift reports the violation as error number 1023 (its own code) */
	if (strncmp(primary, "1023", 4) == 0 && (primary[4] == '\0' || primary[4] == ' ' ||
						primary[4] == ':'))
		return true;
	return strstr(primary, "Serializable isolation violation") != NULL;
}

char *redshift_query_group_sql(const char *tag)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, "SET query_group TO ");
	dialect_redshift.string_lit(&dialect_redshift, &sb, tag);
	return sb_detach(&sb);
}

int redshift_check_size(size_t len, const char *audience, struct strbuf *err)
{
	if (len <= REDSHIFT_MAX_STATEMENT)
		return 0;
	if (audience)
		sb_addf(err, "the statement lac generated for audience '%s' is %zu bytes: ", audience, len);
	else
		sb_addf(err, "a statement lac generated is %zu bytes: ", len);
	sb_addf(err, "Redshift takes at most 16 MB (%zu bytes) per statement", REDSHIFT_MAX_STATEMENT);
	return -1;
}

static int rs_query(struct warehouse *w, const char *sql, wh_row_fn row, void *arg,
		    struct strbuf *err)
{
	struct redshift *r = w->impl;
	if (redshift_check_size(strlen(sql), r->audience, err) < 0)
		return -1;
	int rc = pq_run(&r->pq, sql, row, arg, err, NULL);
	warehouse_note_error_position(w, sql, rc == 0 ? 0 : r->pq.error_pos);
	return rc;
}

static int rs_exec_batch(struct warehouse *w, const char *const *stmts, size_t n,
			 bool transactional, struct strbuf *err)
{
	struct redshift *r = w->impl;
	/* every statement is checked before the first is sent */
	for (size_t i = 0; i < n; i++)
		if (redshift_check_size(strlen(stmts[i]), r->audience, err) < 0)
			return -1;
	return pq_exec_batch(w, stmts, n, transactional, err);
}

/* query_group = "lac <command> <audience> <run>" (STL_QUERY.label shows its first 30 characters). */
static int rs_set_context(struct warehouse *w, const char *command, const char *audience,
			  const char *run_id, struct strbuf *err)
{
	struct redshift *r = w->impl;
	free(r->audience);
	r->audience = audience ? xstrdup(audience) : NULL;
	char *tag = warehouse_tag(command, audience, run_id);
	char *sql = redshift_query_group_sql(tag);
	free(tag);
	int rc = pq_run(&r->pq, sql, NULL, NULL, err, NULL);
	free(sql);
	return rc;
}

static void rs_close(struct warehouse *w)
{
	struct redshift *r = w->impl;
	pq_disconnect(&r->pq);
	free(r->audience);
	free(r);
}

static const struct warehouse_ops redshift_ops = {
	.name = "redshift",
	.query = rs_query,
	.exec_batch = rs_exec_batch,
	.tables_exist = pq_tables_exist,
	.set_timeout = pq_set_timeout,
	.set_context = rs_set_context,
	.cancel = pq_cancel,
	.close = rs_close,
};

int warehouse_open_redshift(struct warehouse *w, const char *dsn, struct strbuf *err)
{
	memset(w, 0, sizeof(*w));
	struct redshift *r = xcalloc(1, sizeof(*r));
	if (pq_connect(&r->pq, dsn, redshift_startup_keywords, redshift_startup_values, "Redshift",
		       redshift_retryable, err) < 0) {
		free(r);
		return -1;
	}
	/* read-back formats render a TIMESTAMPTZ in the session's zone (a user's
	 * default may be another) */
	if (pq_run(&r->pq, "SET timezone TO 'UTC'", NULL, NULL, err, NULL) < 0) {
		pq_disconnect(&r->pq);
		free(r);
		return -1;
	}
	w->ops = &redshift_ops;
	w->d = &dialect_redshift;
	w->impl = r;
	return 0;
}
