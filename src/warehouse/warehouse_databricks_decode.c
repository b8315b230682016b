/*
 * warehouse_databricks_decode.c — what the Databricks connector reads and
 * checks without a socket (warehouse_databricks.h): result chunks, error
 * bodies, the statement size, tag values.
 */
#include <stdlib.h>
#include <string.h>

#include "warehouse/warehouse_databricks.h"

int databricks_decode_rows(const char *body, size_t len, int ncol, wh_row_fn row, void *arg,
			   bool *stop, struct strbuf *err)
{
	*stop = false;
	json_error_t je;
	json_t *doc = json_loadb(body, len, JSON_ALLOW_NUL, &je);
	if (!doc) {
		sb_addf(err, "a Databricks result chunk is not JSON (%s at byte %d)", je.text, je.position);
		return -1;
	}
	int rc = 0;
	const char **vals = NULL;
	size_t nvals = 0;
	if (!json_is_array(doc)) {
		sb_addstr(err, "a Databricks result chunk is not a JSON array of rows");
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && !*stop && i < json_array_size(doc); i++) {
		json_t *r = json_array_get(doc, i);
		size_t n = json_array_size(r);
		if (!json_is_array(r) || (ncol >= 0 && n != (size_t)ncol)) {
			sb_addf(err, "row %zu of a Databricks result chunk is not an array of %d values", i,
				ncol);
			rc = -1;
			break;
		}
		if (n > nvals) {
			free(vals);
			vals = xcalloc(n + 1, sizeof(*vals));
			nvals = n;
		}
		for (size_t j = 0; j < n; j++) {
			json_t *v = json_array_get(r, j);
			if (json_is_null(v)) {
				vals[j] = NULL;
			} else if (json_is_string(v)) {
				vals[j] = json_string_value(v);
			} else {
				sb_addf(err, "row %zu of a Databricks result chunk has a value that is "
					"neither a string nor null (JSON_ARRAY sends text)", i);
				rc = -1;
				break;
			}
		}
		if (rc == 0 && row)
			*stop = row(arg, (int)n, vals) != 0;
	}
	free(vals);
	json_decref(doc);
	return rc;
}

bool databricks_error_of(json_t *e, struct strbuf *out)
{
	const char *code = json_string_value(json_object_get(e, "error_code"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	if (code && msg)
		sb_addf(out, "%s: %s", code, msg);
	else if (code || msg)
		sb_addstr(out, code ? code : msg);
	return code || msg;
}

bool databricks_error_text(const char *body, size_t len, struct strbuf *out)
{
	json_t *doc = json_loadb(body, len, 0, NULL);
	bool ok = databricks_error_of(doc, out);
	json_decref(doc);
	return ok;
}

int databricks_check_size(size_t len, const char *audience, struct strbuf *err)
{
	if (len <= DATABRICKS_MAX_STATEMENT)
		return 0;
	if (audience)
		sb_addf(err, "the statement lac generated for audience '%s' is %zu bytes: ", audience, len);
	else
		sb_addf(err, "a statement lac generated is %zu bytes: ", len);
	sb_addf(err, "Databricks takes at most 16 MiB (%zu bytes) per statement", DATABRICKS_MAX_STATEMENT);
	return -1;
}

void databricks_tag_value(const char *value, char *out)
{
	size_t n = 0;
	for (const char *p = value; *p && n < DATABRICKS_TAG_MAX; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		out[n++] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ? c : '_';
	}
	out[n] = '\0';
}
