/*
 * snowflake_result.h — reading the bodies of Snowflake's SQL API v2
 * (https://docs.snowflake.com/en/developer-guide/sql-api/handling-responses):
 * a ResultSet (200: statementHandle, resultSetMetaData.partitionInfo and
 * the first partition's data), a later partition ({"data": [...]}), a
 * QueryStatus (202: statementHandle) and an error (code, sqlState,
 * message).  No sockets: the connector, the bench and the fuzz target call
 * the same functions on a body in memory.
 */
#ifndef LAC_WAREHOUSE_SNOWFLAKE_RESULT_H
#define LAC_WAREHOUSE_SNOWFLAKE_RESULT_H

#include <stddef.h>

#include "base/util.h"
#include "warehouse/warehouse.h"

/* What a body says besides its rows. */
struct sf_body_info {
	char *handle;        /* statementHandle, malloc'd, or NULL */
	size_t partitions;   /* entries of resultSetMetaData.partitionInfo (0: none listed) */
};

void sf_body_info_release(struct sf_body_info *info);

/* Every row of body's "data" (arrays of strings or nulls) to row, as text;
 * info (may be NULL) gets the handle and the partition count.  A body
 * without "data" has no rows.  0; 1 when row asked to stop; -1 with the
 * reason in err when the body is not what the API sends. */
int sf_decode_rows(const char *body, size_t len, wh_row_fn row, void *arg,
		   struct sf_body_info *info, struct strbuf *err);

/* An error body's "<message> (code <code>, SQL state <sqlState>)", the
 * parts it has, appended to out; false (nothing appended) when body is not
 * JSON with a message. */
bool sf_error_text(const char *body, size_t len, struct strbuf *out);

#endif
