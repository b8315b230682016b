/*
 * warehouse_databricks.h — the parts of the Databricks connector
 * (warehouse_databricks.c) that work without a socket
 * (warehouse_databricks_decode.c), so unit tests, the decoding bench and a
 * fuzz target call them on recorded bodies: the JSON_ARRAY rows of a result
 * chunk, the error text of a refused request, the statement size limit, a
 * query tag's value.  Internal to src/warehouse/.
 */
#ifndef LAC_WAREHOUSE_DATABRICKS_H
#define LAC_WAREHOUSE_DATABRICKS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "warehouse/warehouse.h"

/* A tag value is at most this long (SPEC §1.1 "Tags"). */
#define DATABRICKS_TAG_MAX 63
/* The longest statement the API takes (its reference: "statement" <= 16 MiB). */
#define DATABRICKS_MAX_STATEMENT ((size_t)16 << 20)

/* Hand every row of a JSON_ARRAY chunk body ([["v", null, ...], ...], the
 * format of an EXTERNAL_LINKS chunk and of an INLINE data_array) to row,
 * each value as text or NULL.  ncol: the manifest's column count (every row
 * must have it), or -1 to take each row's own length.  *stop is set when row
 * asked to stop.  0, or -1 with why the body is not such an array in err. */
int databricks_decode_rows(const char *body, size_t len, int ncol, wh_row_fn row, void *arg,
			   bool *stop, struct strbuf *err);

/* The "ERROR_CODE: message" of an error body {"error_code", "message"}
 * (HTTP errors and a failed statement's status.error alike) appended to out;
 * false (nothing appended) when body is not one. */
bool databricks_error_text(const char *body, size_t len, struct strbuf *out);
/* The same of such an object already parsed (e may be NULL). */
bool databricks_error_of(json_t *e, struct strbuf *out);

/* 0 when a statement of len bytes may be sent; else -1 with a sentence
 * naming audience (NULL: none known) in err, so the run fails before it. */
int databricks_check_size(size_t len, const char *audience, struct strbuf *err);

/* value as a query tag value: lower-cased, every character but [a-z0-9_-]
 * made '_', cut to DATABRICKS_TAG_MAX bytes; out holds DATABRICKS_TAG_MAX + 1. */
void databricks_tag_value(const char *value, char *out);

#endif
