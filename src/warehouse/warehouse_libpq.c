/*
 * warehouse_libpq.c — what the libpq connectors share (warehouse_libpq.h).
 * Every value is read as text; query results are streamed a row at a time
 * (single-row mode), so memory does not grow with the result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/verbose.h"
#include "net/dsn_tls.h"
#include "warehouse/warehouse_libpq.h"

static void add_trimmed(struct strbuf *err, const char *m)
{
	size_t n = strlen(m);
	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	sb_addmem(err, m, n);
}

static void result_error(PGconn *c, const PGresult *r, struct strbuf *err)
{
	const char *m = r ? PQresultErrorMessage(r) : NULL;
	add_trimmed(err, m && *m ? m : PQerrorMessage(c));
}

/* The server's notices ("relation ... already exists, skipping") are not
 * for users on every run: they go to the -v log, on one line. */
static void notice_to_verbose_log(void *arg, const char *msg)
{
	(void)arg;
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	verbose_log("warehouse: %.*s", (int)n, msg);
}

/* key='value' in a libpq conninfo string (\\ and \' escaped) */
static void add_param(struct strbuf *sb, const char *key, const char *value)
{
	sb_addf(sb, "%s%s='", sb->len ? " " : "", key);
	for (const char *v = value; *v; v++) {
		if (*v == '\'' || *v == '\\')
			sb_addch(sb, '\\');
		sb_addch(sb, *v);
	}
	sb_addch(sb, '\'');
}

static const char *param(const char *const *keywords, const char *const *values, const char *key)
{
	for (size_t i = 0; keywords && keywords[i]; i++)
		if (strcmp(keywords[i], key) == 0)
			return values[i];
	return NULL;
}

int pq_connect(struct pq_conn *g, const char *dsn, const char *const *keywords,
	       const char *const *values, const char *vendor, pq_retry_fn retryable,
	       struct strbuf *err)
{
	memset(g, 0, sizeof(*g));
	/* libpq would connect to its defaults (PGHOST, the local socket): a
	 * secret missing in CI, never the warehouse meant */
	if (!dsn || !*dsn) {
		sb_addf(err, "cannot connect to %s: the dsn is empty (is its environment variable set "
			"in this job?)", vendor);
		return -1;
	}
	char *parse_err = NULL;
	PQconninfoOption *parsed = PQconninfoParse(dsn, &parse_err);
	if (!parsed) {
		sb_addf(err, "cannot connect to %s: ", vendor);
		add_trimmed(err, parse_err ? parse_err : "out of memory");
		PQfreemem(parse_err);
		return -1;
	}
	/* The DSN (key=value or URI) rewritten as key=value with the params
	 * given in place of its own.  A conninfo string, not PQconnectdbParams:
	 * only a string can say '' and so keep libpq from taking the
	 * parameter from the environment (PGOPTIONS, PGAPPNAME). */
	struct strbuf info = STRBUF_INIT;
	for (const PQconninfoOption *o = parsed; o->keyword; o++)
		if (o->val && !param(keywords, values, o->keyword))
			add_param(&info, o->keyword, o->val);
	PQconninfoFree(parsed);
	for (size_t i = 0; keywords && keywords[i]; i++)
		add_param(&info, keywords[i], values[i]);
	if (dsn_tls(dsn) == DSN_TLS_IMPLIED)
		add_param(&info, "sslmode", "verify-full");
	PGconn *c = PQconnectdb(info.buf);
	sb_release(&info);
	if (PQstatus(c) != CONNECTION_OK) {
		sb_addf(err, "cannot connect to %s: ", vendor);
		add_trimmed(err, PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	PQsetNoticeProcessor(c, notice_to_verbose_log, NULL);
	g->c = c;
	g->cancel = PQgetCancel(c);
	g->retryable = retryable;
	return 0;
}

/* Every result is read to the end (also after the callback stopped or an
 * error), leaving the connection ready for the next statement. */
int pq_run(struct pq_conn *g, const char *sql, wh_row_fn row, void *arg, struct strbuf *err,
	   bool *retry)
{
	PGconn *c = g->c;
	if (retry)
		*retry = false;
	g->error_pos = 0;
	if (!PQsendQuery(c, sql)) {
		add_trimmed(err, PQerrorMessage(c));
		return -1;
	}
	PQsetSingleRowMode(c);
	const char **vals = NULL;
	int nvals = -1, rc = 0;
	bool stop = false;
	PGresult *r;
	while ((r = PQgetResult(c)) != NULL) {
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK) {
			/* one row in single-row mode; the closing TUPLES_OK has none */
			int ncol = PQnfields(r), nrow = PQntuples(r);
			if (ncol > nvals) {
				free(vals);
				vals = xcalloc((size_t)ncol + 1, sizeof(*vals));
				nvals = ncol;
			}
			for (int i = 0; i < nrow && row && !stop && rc == 0; i++) {
				for (int j = 0; j < ncol; j++)
					vals[j] = PQgetisnull(r, i, j) ? NULL : PQgetvalue(r, i, j);
				stop = row(arg, ncol, vals) != 0;
			}
		} else if (st != PGRES_COMMAND_OK) {
			if (rc == 0) {
				result_error(c, r, err);
				const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
				g->error_pos = pos ? strtol(pos, NULL, 10) : 0;
				const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
				const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
				if (retry && g->retryable)
					*retry = g->retryable(state ? state : "", primary ? primary : "");
			}
			rc = -1;
		}
		PQclear(r);
	}
	free(vals);
	return rc;
}

bool pq_retryable_postgres(const char *sqlstate, const char *primary)
{
	(void)primary;
	return strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0;
}

/* One try of a transactional batch; ROLLBACK after a failure. */
static int batch_once(struct pq_conn *g, const char *const *stmts, size_t n, struct strbuf *err,
		      bool *retry)
{
	if (pq_run(g, "BEGIN", NULL, NULL, err, retry) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (pq_run(g, stmts[i], NULL, NULL, err, retry) == 0)
			continue;
		struct strbuf ignored = STRBUF_INIT;
		pq_run(g, "ROLLBACK", NULL, NULL, &ignored, NULL);
		sb_release(&ignored);
		return -1;
	}
	return pq_run(g, "COMMIT", NULL, NULL, err, retry);
}

int pq_exec_batch(struct warehouse *w, const char *const *stmts, size_t n, bool transactional,
		  struct strbuf *err)
{
	if (!transactional)
		return warehouse_batch_by_query(w, stmts, n, false, err);
	struct pq_conn *g = w->impl;
	for (int tries = 1;; tries++) {
		size_t keep = err->len;
		bool retry;
		int rc = batch_once(g, stmts, n, err, &retry);
		if (rc == 0 || !retry || tries == PQ_SERIALIZATION_TRIES)
			return rc;
		sb_setlen(err, keep); /* the conflict is gone with the retry */
	}
}

int pq_set_timeout(struct warehouse *w, int64_t ms, struct strbuf *err)
{
	char sql[64];
	snprintf(sql, sizeof(sql), "SET statement_timeout = %lld", (long long)ms);
	return pq_run(w->impl, sql, NULL, NULL, err, NULL);
}

int pq_tables_exist(struct warehouse *w, const char *schema, const char *const *tables, size_t n,
		    bool *found, struct strbuf *err)
{
	/* IN ($2, $3, ...): Redshift has no array parameters */
	const char **params = xcalloc(n + 1, sizeof(*params));
	struct strbuf sql = STRBUF_INIT;
	sb_addstr(&sql, "SELECT table_name FROM information_schema.tables WHERE table_schema = $1"
		  " AND table_name IN (");
	params[0] = schema;
	for (size_t i = 0; i < n; i++) {
		sb_addf(&sql, "%s$%zu", i ? ", " : "", i + 2);
		params[i + 1] = tables[i];
	}
	sb_addch(&sql, ')');
	PGconn *c = ((struct pq_conn *)w->impl)->c;
	PGresult *r = PQexecParams(c, sql.buf, (int)n + 1, NULL, params, NULL, NULL, 0);
	int rc = -1;
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		memset(found, 0, n * sizeof(*found));
		struct warehouse_found f = { tables, n, found };
		for (int row = 0; row < PQntuples(r); row++) {
			const char *v = PQgetvalue(r, row, 0);
			warehouse_found_row(&f, 1, &v);
		}
		rc = 0;
	} else {
		result_error(c, r, err);
	}
	PQclear(r);
	sb_release(&sql);
	free(params);
	return rc;
}

bool pq_cancel(struct warehouse *w)
{
	char errbuf[256]; /* PQcancel's own message buffer; lac is exiting, it is not shown */
	PQcancel(((struct pq_conn *)w->impl)->cancel, errbuf, (int)sizeof(errbuf));
	return false;
}

void pq_disconnect(struct pq_conn *g)
{
	PQfreeCancel(g->cancel);
	PQfinish(g->c);
}
