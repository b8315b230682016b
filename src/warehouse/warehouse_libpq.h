/*
 * warehouse_libpq.h — what the two libpq connectors (warehouse_pg.c,
 * warehouse_redshift.c) share: connecting with the TLS default, streaming
 * a statement's rows one at a time, a transactional batch retried on the
 * errors the connector names, table lookups, cancel.  Internal to
 * src/warehouse/.
 */
#ifndef LAC_WAREHOUSE_LIBPQ_H
#define LAC_WAREHOUSE_LIBPQ_H

#include <libpq-fe.h>

#include "warehouse/warehouse.h"

/* How often a transaction that lost a serialization conflict is tried again. */
#define PQ_SERIALIZATION_TRIES 5

/* May a transaction that failed with this error succeed when tried again?
 * sqlstate is "" when the server sent none; primary is the error's first
 * line (PG_DIAG_MESSAGE_PRIMARY), "" when none. */
typedef bool (*pq_retry_fn)(const char *sqlstate, const char *primary);

/* The first member of each libpq connector's w->impl. */
struct pq_conn {
	PGconn *c;
	PGcancel *cancel;   /* made once at connect: PQcancel is then signal-safe */
	pq_retry_fn retryable;
	long error_pos;     /* the last error's statement position (characters,
			     * from 1), 0 when it gave none */
};

/* Connect to dsn (a bad DSN gets libpq's own message), with the params
 * given (NULL-terminated keyword/value lists, or NULL; "" means not sent)
 * in place of the DSN's and the environment's, and sslmode=verify-full
 * where dsn_tls says so.
 * On failure "cannot connect to <vendor>: <libpq's message>" in err. */
int pq_connect(struct pq_conn *g, const char *dsn, const char *const *keywords,
	       const char *const *values, const char *vendor, pq_retry_fn retryable,
	       struct strbuf *err);
/* Run one statement, its rows streamed to row one at a time (single-row
 * mode); 0, or -1 with the server's message in err and *retry set by
 * g->retryable (retry may be NULL). */
int pq_run(struct pq_conn *g, const char *sql, wh_row_fn row, void *arg, struct strbuf *err,
	   bool *retry);
/* exec_batch: a transactional batch is BEGIN … COMMIT, tried again up to
 * PQ_SERIALIZATION_TRIES times while it fails with a retryable error;
 * otherwise warehouse_batch_by_query. */
int pq_exec_batch(struct warehouse *w, const char *const *stmts, size_t n, bool transactional,
		  struct strbuf *err);
/* "SET statement_timeout = <ms>" on w's session. */
int pq_set_timeout(struct warehouse *w, int64_t ms, struct strbuf *err);
int pq_tables_exist(struct warehouse *w, const char *schema, const char *const *tables, size_t n,
		    bool *found, struct strbuf *err);
bool pq_cancel(struct warehouse *w);
/* Close the connection (the connector frees its impl). */
void pq_disconnect(struct pq_conn *g);
/* PostgreSQL's own retryable errors: serialization_failure, deadlock_detected. */
bool pq_retryable_postgres(const char *sqlstate, const char *primary);

#endif
