/*
 * warehouse_bigquery_decode.c — BigQuery response bodies without sockets
 * (warehouse_bigquery.h).  Rows are {"f": [{"v": ...}]} in the order of
 * schema.fields (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/getQueryResults,
 * "rows"); scalar values are strings, a RECORD's value is itself {"f": ...}
 * and a REPEATED one an array of {"v": ...}.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "warehouse/warehouse_bigquery.h"

void bq_page_release(struct bq_page *pg)
{
	free(pg->job_id);
	free(pg->location);
	free(pg->page_token);
	memset(pg, 0, sizeof(*pg));
	pg->bytes_processed = -1;
}

static char *dup_string(json_t *v)
{
	const char *s = json_string_value(v);
	return s && *s ? xstrdup(s) : NULL;
}

/* BigQuery sends int64 values (totalBytesProcessed, ...) as strings. */
static int64_t int64_of(json_t *v)
{
	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	const char *s = json_string_value(v);
	return s && *s ? strtoll(s, NULL, 10) : -1;
}

void bq_format_timestamp(int64_t us, struct strbuf *out)
{
	int64_t secs = us / 1000000, frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		secs--;
	}
	time_t t = (time_t)secs;
	struct tm tm;
	gmtime_r(&t, &tm);
	sb_addf(out, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (frac)
		sb_addf(out, ".%06" PRId64, frac);
	sb_addch(out, 'Z');
}

/* A TIMESTAMP value: int64 microseconds (formatOptions.useInt64Timestamp)
 * or float seconds ("1.7040672E9", the default form). */
static void add_timestamp(const char *v, struct strbuf *out)
{
	bool integral = *v != '\0';
	for (const char *p = v; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (p == v && *p == '-')))
			integral = false;
	int64_t us = integral ? strtoll(v, NULL, 10) : (int64_t)llround(strtod(v, NULL) * 1e6);
	bq_format_timestamp(us, out);
}

/* The schema's TIMESTAMP columns (only they are not sent as their text). */
static bool *timestamp_columns(json_t *fields, size_t ncol)
{
	bool *ts = xcalloc(ncol ? ncol : 1, sizeof(*ts));
	for (size_t i = 0; i < ncol; i++) {
		json_t *f = json_array_get(fields, i);
		const char *type = json_string_value(json_object_get(f, "type"));
		const char *mode = json_string_value(json_object_get(f, "mode"));
		ts[i] = type && strcmp(type, "TIMESTAMP") == 0 && !(mode && strcmp(mode, "REPEATED") == 0);
	}
	return ts;
}

static int decode_rows(json_t *doc, wh_row_fn row, void *arg, struct bq_page *pg,
		       struct strbuf *err)
{
	json_t *rows = json_object_get(doc, "rows");
	if (!rows)
		return 0;
	json_t *fields = json_object_get(json_object_get(doc, "schema"), "fields");
	if (!json_is_array(rows) || !json_is_array(fields)) {
		sb_addstr(err, "BigQuery answered rows without a schema");
		return -1;
	}
	size_t ncol = json_array_size(fields);
	bool *ts = timestamp_columns(fields, ncol);
	const char **vals = xcalloc(ncol + 1, sizeof(*vals));
	/* text made for a value (a timestamp, a record), reused row after row */
	struct strbuf *made = xcalloc(ncol + 1, sizeof(*made));
	for (size_t j = 0; j < ncol; j++)
		sb_init(&made[j]);
	int rc = 0;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		json_t *cells = json_object_get(r, "f");
		if (!json_is_array(cells) || json_array_size(cells) != ncol) {
			sb_addf(err, "BigQuery answered a row of %zu values for %zu columns",
				json_array_size(cells), ncol);
			rc = -1;
			break;
		}
		for (size_t j = 0; j < ncol; j++) {
			json_t *v = json_object_get(json_array_get(cells, j), "v");
			const char *s = json_string_value(v);
			if (!v || json_is_null(v)) {
				vals[j] = NULL;
			} else if (s && !ts[j]) {
				vals[j] = s;
			} else {
				sb_reset(&made[j]);
				if (s) {
					add_timestamp(s, &made[j]);
				} else {
					char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
					sb_addstr(&made[j], text ? text : "");
					free(text);
				}
				vals[j] = made[j].buf;
			}
		}
		pg->nrows++;
		if (row && row(arg, (int)ncol, vals) != 0) {
			pg->stopped = true;
			break;
		}
	}
	for (size_t j = 0; j < ncol; j++)
		sb_release(&made[j]);
	free(made);
	free(vals);
	free(ts);
	return rc;
}

int bq_decode_page(const char *body, size_t len, wh_row_fn row, void *arg, struct bq_page *pg,
		   struct strbuf *err)
{
	memset(pg, 0, sizeof(*pg));
	pg->bytes_processed = -1;
	json_error_t je;
	json_t *doc = json_loadb(body, len, 0, &je);
	if (!json_is_object(doc)) {
		sb_addf(err, "BigQuery answered what is not a JSON object (%s)", je.text);
		json_decref(doc);
		return -1;
	}
	json_t *ref = json_object_get(doc, "jobReference");
	pg->job_id = dup_string(json_object_get(ref, "jobId"));
	pg->location = dup_string(json_object_get(ref, "location"));
	pg->page_token = dup_string(json_object_get(doc, "pageToken"));
	pg->bytes_processed = int64_of(json_object_get(doc, "totalBytesProcessed"));
	/* a dry run answers no jobComplete: nothing is left to wait for */
	json_t *complete = json_object_get(doc, "jobComplete");
	pg->complete = complete ? json_is_true(complete) : true;
	int rc = pg->complete ? decode_rows(doc, row, arg, pg, err) : 0;
	json_decref(doc);
	return rc;
}

void bq_describe_error(long status, const char *body, size_t len, const char *why,
		       struct strbuf *out, char **reason)
{
	if (reason)
		*reason = NULL;
	json_t *doc = body && len ? json_loadb(body, len, 0, NULL) : NULL;
	json_t *e = json_object_get(doc, "error");
	const char *message = json_string_value(json_object_get(e, "message"));
	json_t *first = json_array_get(json_object_get(e, "errors"), 0);
	const char *why_code = json_string_value(json_object_get(first, "reason"));
	if (!why_code)
		why_code = json_string_value(json_object_get(e, "status"));
	if (message) {
		sb_addstr(out, message);
		if (why_code)
			sb_addf(out, " (%s, HTTP %ld)", why_code, status);
		else
			sb_addf(out, " (HTTP %ld)", status);
	} else {
		sb_addstr(out, why && *why ? why : "no answer");
	}
	if (reason && why_code)
		*reason = xstrdup(why_code);
	json_decref(doc);
}

bool bq_reason_transient(const char *reason)
{
	static const char *const transient[] = { "backendError", "internalError", "rateLimitExceeded",
						 "jobRateLimitExceeded" };
	for (size_t i = 0; reason && i < ARRAY_LEN(transient); i++)
		if (strcmp(reason, transient[i]) == 0)
			return true;
	return false;
}

char *bq_label_value(const char *text)
{
	size_t n = strlen(text);
	if (n > 63)
		n = 63;
	char *v = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		v[i] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ? c : '_';
	}
	v[n] = '\0';
	return v;
}
