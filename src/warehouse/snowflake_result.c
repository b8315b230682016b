/*
 * snowflake_result.c — decoding Snowflake SQL API v2 bodies
 * (snowflake_result.h).  A body is parsed whole, one partition at a time,
 * so memory follows the largest partition, never the result.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "warehouse/snowflake_result.h"

void sf_body_info_release(struct sf_body_info *info)
{
	free(info->handle);
	memset(info, 0, sizeof(*info));
}

static void read_info(json_t *root, struct sf_body_info *info)
{
	const char *h = json_string_value(json_object_get(root, "statementHandle"));
	free(info->handle);
	info->handle = h ? xstrdup(h) : NULL;
	json_t *parts = json_object_get(json_object_get(root, "resultSetMetaData"), "partitionInfo");
	info->partitions = json_is_array(parts) ? json_array_size(parts) : 0;
}

/* One row of data: every cell a string or null (jsonv2 sends no other kind). */
static int one_row(json_t *r, size_t i, const char ***vals, size_t *cap, wh_row_fn row,
		   void *arg, struct strbuf *err)
{
	if (!json_is_array(r)) {
		sb_addf(err, "Snowflake sent a result row that is not an array (row %zu)", i + 1);
		return -1;
	}
	size_t n = json_array_size(r);
	if (n + 1 > *cap) {
		*cap = n + 1;
		*vals = xrealloc(*vals, *cap * sizeof(**vals));
	}
	for (size_t j = 0; j < n; j++) {
		json_t *c = json_array_get(r, j);
		if (json_is_null(c)) {
			(*vals)[j] = NULL;
		} else if (json_is_string(c)) {
			(*vals)[j] = json_string_value(c);
		} else {
			sb_addf(err, "Snowflake sent a result value that is not a string (row %zu, column %zu)",
				i + 1, j + 1);
			return -1;
		}
	}
	return row(arg, (int)n, *vals) != 0 ? 1 : 0;
}

int sf_decode_rows(const char *body, size_t len, wh_row_fn row, void *arg,
		   struct sf_body_info *info, struct strbuf *err)
{
	json_error_t je;
	json_t *root = json_loadb(body, len, 0, &je);
	if (!json_is_object(root)) {
		sb_addf(err, "Snowflake sent a body that is not a JSON object (%s)",
			root ? "another JSON value" : je.text);
		json_decref(root);
		return -1;
	}
	if (info)
		read_info(root, info);
	json_t *data = json_object_get(root, "data");
	if (data && !json_is_array(data)) {
		sb_addstr(err, "Snowflake sent a result whose data is not an array");
		json_decref(root);
		return -1;
	}
	const char **vals = NULL;
	size_t cap = 0;
	int rc = 0;
	for (size_t i = 0; row && i < json_array_size(data) && rc == 0; i++)
		rc = one_row(json_array_get(data, i), i, &vals, &cap, row, arg, err);
	free(vals);
	json_decref(root);
	return rc;
}

bool sf_error_text(const char *body, size_t len, struct strbuf *out)
{
	json_t *root = json_loadb(body, len, 0, NULL);
	const char *msg = json_string_value(json_object_get(root, "message"));
	if (!msg || !*msg) {
		json_decref(root);
		return false;
	}
	const char *code = json_string_value(json_object_get(root, "code"));
	const char *state = json_string_value(json_object_get(root, "sqlState"));
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ' || msg[n - 1] == '.'))
		n--;
	sb_add_utf8(out, msg, n);
	if (code && state)
		sb_addf(out, " (code %s, SQL state %s)", code, state);
	else if (code)
		sb_addf(out, " (code %s)", code);
	json_decref(root);
	return true;
}
