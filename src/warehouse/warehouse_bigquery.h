/*
 * warehouse_bigquery.h — the parts of the BigQuery connector that need no
 * socket (warehouse_bigquery_decode.c): a jobs.query / getQueryResults
 * response body decoded into rows, an error body into one sentence, a
 * label value.  The connector (warehouse_bigquery.c), its unit test and the
 * decoding bench call them.
 */
#ifndef LAC_WAREHOUSE_BIGQUERY_H
#define LAC_WAREHOUSE_BIGQUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "warehouse/warehouse.h"

/* What a QueryResponse / GetQueryResultsResponse says besides its rows. */
struct bq_page {
	bool complete;             /* jobComplete: rows (if any) are in this page */
	char *job_id, *location;   /* jobReference */
	char *page_token;          /* NULL: the last page */
	int64_t bytes_processed;   /* totalBytesProcessed, or -1 */
	size_t nrows;              /* rows handed to the callback */
	bool stopped;              /* the callback asked to stop */
};

void bq_page_release(struct bq_page *pg);

/* Decode one response body: the job's state into pg and, when the job is
 * complete, each row of the page to row(arg, ncol, vals) as text (NULL for
 * SQL null; TIMESTAMP as YYYY-MM-DDTHH:MM:SS[.ffffff]Z in UTC, from the
 * int64 microseconds or float seconds BigQuery sends; a RECORD or REPEATED
 * value as its JSON).  row may be NULL.  0, or -1 with the reason in err. */
int bq_decode_page(const char *body, size_t len, wh_row_fn row, void *arg, struct bq_page *pg,
		   struct strbuf *err);

/* The sentence for an error body {"error": {"code", "message", "errors":
 * [{"reason", ...}], "status"}} of HTTP status: "<message> (<reason>, HTTP
 * <status>)"; a body of another shape is quoted (why: the HTTP client's
 * redacted reason).  reason, when not NULL, gets the first errors[].reason
 * (malloc'd) or NULL.  The caller redacts. */
void bq_describe_error(long status, const char *body, size_t len, const char *why,
		       struct strbuf *out, char **reason);

/* A Job resource (jobs.get): whether it is DONE and, if it failed, its
 * status.errorResult.reason (malloc'd; "" when it names none) in
 * *failed_reason, else NULL.  0, or -1 for a body of another shape. */
int bq_decode_job_status(const char *body, size_t len, bool *done, char **failed_reason);
/* Whether a job that failed for reason may succeed as a new job
 * (backendError, internalError, rateLimitExceeded, jobRateLimitExceeded). */
bool bq_reason_transient(const char *reason);

/* A label value (SPEC §1.1 "Tags"): lower-cased, every character other
 * than a-z, 0-9, '-' and '_' made '_', at most 63 bytes; malloc'd. */
char *bq_label_value(const char *text);

/* Epoch microseconds as YYYY-MM-DDTHH:MM:SS[.ffffff]Z (fraction only when
 * not zero) appended to out. */
void bq_format_timestamp(int64_t us, struct strbuf *out);

#endif
