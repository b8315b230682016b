/*
 * warehouse_bigquery_decode.c — BigQuery response bodies without sockets
 * (warehouse_bigquery.h).  Rows are {"f": [{"v": ...}]} in the order of
 * schema.fields (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/getQueryResults,
 * "rows"); scalar values are strings, a RECORD's value is itself {"f": ...}
 * and a REPEATED one an array of {"v": ...}.  The rows are read by a
 * scanner of their own, the rest of the body (small) by jansson.
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
	if (!gmtime_r(&t, &tm)) {
		/* beyond any calendar year: the number as sent */
		sb_addf(out, "%" PRId64, us);
		return;
	}
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

/* ---- a scanner for the rows ---------------------------------------------------------------
 * A page holds up to 10,000 rows: building a jansson tree of every cell
 * (and freeing it) costs more than the rest of a run's reading, so the
 * rows are read by this scanner, each value decoded straight into a
 * buffer; the rest of the body (small) goes to jansson. */

struct scan {
	const char *p, *end;
	bool bad;
};

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

static bool eat(struct scan *s, char c)
{
	ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

static int hex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static void add_utf8(struct strbuf *out, unsigned cp)
{
	if (cp < 0x80) {
		sb_addch(out, (char)cp);
	} else if (cp < 0x800) {
		sb_addch(out, (char)(0xc0 | (cp >> 6)));
		sb_addch(out, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		sb_addch(out, (char)(0xe0 | (cp >> 12)));
		sb_addch(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		sb_addch(out, (char)(0x80 | (cp & 0x3f)));
	} else {
		sb_addch(out, (char)(0xf0 | (cp >> 18)));
		sb_addch(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
		sb_addch(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		sb_addch(out, (char)(0x80 | (cp & 0x3f)));
	}
}

/* A string at s->p (after its opening quote was seen by the caller's ws):
 * decoded into out when out is not NULL. */
static void string(struct scan *s, struct strbuf *out)
{
	if (!eat(s, '"')) {
		s->bad = true;
		return;
	}
	while (s->p < s->end) {
		const char *run = s->p;
		while (s->p < s->end && *s->p != '"' && *s->p != '\\' && (unsigned char)*s->p >= 0x20)
			s->p++;
		if (out)
			sb_addmem(out, run, (size_t)(s->p - run));
		if (s->p >= s->end || (unsigned char)*s->p < 0x20)
			break;
		if (*s->p++ == '"')
			return;
		if (s->p >= s->end)
			break;
		char e = *s->p++;
		const char *simple = strchr("\"\\/bfnrt", e);
		if (e && simple) {
			if (out)
				sb_addch(out, "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"]);
			continue;
		}
		if (e != 'u' || s->end - s->p < 4 || hex4(s->p) < 0)
			break;
		unsigned cp = (unsigned)hex4(s->p);
		s->p += 4;
		if (cp >= 0xd800 && cp < 0xdc00 && s->end - s->p >= 6 && s->p[0] == '\\' &&
		    s->p[1] == 'u' && hex4(s->p + 2) >= 0xdc00 && hex4(s->p + 2) < 0xe000) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + ((unsigned)hex4(s->p + 2) - 0xdc00);
			s->p += 6;
		} else if (cp >= 0xd800 && cp < 0xe000) {
			break; /* a lone surrogate is not text */
		}
		if (cp == 0)
			break; /* a NUL would cut the value short */
		if (out)
			add_utf8(out, cp);
	}
	s->bad = true;
}

/* Any value, skipped (depth-limited, so a hostile body cannot exhaust the stack). */
static void skip_value(struct scan *s, int depth)
{
	ws(s);
	if (s->p >= s->end || depth > 64) {
		s->bad = true;
		return;
	}
	char c = *s->p;
	if (c == '"') {
		string(s, NULL);
	} else if (c == '{' || c == '[') {
		char close = c == '{' ? '}' : ']';
		s->p++;
		if (eat(s, close))
			return;
		do {
			if (c == '{') {
				string(s, NULL);
				if (!eat(s, ':'))
					s->bad = true;
			}
			if (!s->bad)
				skip_value(s, depth + 1);
		} while (!s->bad && eat(s, ','));
		if (!s->bad && !eat(s, close))
			s->bad = true;
	} else {
		/* a number, true, false or null */
		const char *start = s->p;
		while (s->p < s->end && strchr("+-.0123456789eEtruefalsn", *s->p))
			s->p++;
		if (s->p == start)
			s->bad = true;
	}
}

/* Is the next thing the key name, followed by ':'? (consumed either way) */
static bool key_is(struct scan *s, const char *name, struct strbuf *tmp)
{
	sb_reset(tmp);
	string(s, tmp);
	if (s->bad || !eat(s, ':')) {
		s->bad = true;
		return false;
	}
	return strcmp(tmp->buf, name) == 0;
}

/* One cell {"v": value}: its text into val (*null for null; a RECORD or
 * REPEATED value as its JSON text, as sent). */
static void cell(struct scan *s, struct strbuf *val, bool *null, struct strbuf *tmp)
{
	*null = true;
	if (!eat(s, '{')) {
		s->bad = true;
		return;
	}
	if (eat(s, '}'))
		return;
	do {
		ws(s);
		if (!key_is(s, "v", tmp)) {
			skip_value(s, 1);
			continue;
		}
		ws(s);
		sb_reset(val);
		if (s->p < s->end && *s->p == '"') {
			string(s, val);
			*null = false;
		} else if (s->p < s->end && (*s->p == '{' || *s->p == '[')) {
			const char *start = s->p;
			skip_value(s, 1);
			sb_addmem(val, start, (size_t)(s->p - start));
			*null = false;
		} else if (s->end - s->p >= 4 && memcmp(s->p, "null", 4) == 0) {
			s->p += 4;
		} else {
			s->bad = true;
		}
	} while (!s->bad && eat(s, ','));
	if (!s->bad && !eat(s, '}'))
		s->bad = true;
}

struct row_reader {
	size_t ncol;
	bool *ts;                  /* TIMESTAMP columns */
	struct strbuf *vals;       /* each column's text, reused row after row */
	struct strbuf stamp, tmp;
	const char **ptrs;
};

/* One row {"f": [cells]}: 0, 1 when the callback stopped, -1 on an error in err. */
static int one_row(struct scan *s, struct row_reader *rr, wh_row_fn row, void *arg,
		   struct strbuf *err)
{
	size_t n = 0;
	if (!eat(s, '{')) {
		s->bad = true;
		return -1;
	}
	if (!eat(s, '}')) {
		do {
			ws(s);
			if (!key_is(s, "f", &rr->tmp)) {
				skip_value(s, 1);
				continue;
			}
			if (!eat(s, '[')) {
				s->bad = true;
			} else if (!eat(s, ']')) {
				do {
					bool null;
					/* cells past the schema's are read into tmp, then counted */
					struct strbuf *v = n < rr->ncol ? &rr->vals[n] : &rr->tmp;
					cell(s, v, &null, &rr->tmp);
					if (n < rr->ncol)
						rr->ptrs[n] = null ? NULL : v->buf;
					n++;
				} while (!s->bad && eat(s, ','));
				if (!s->bad && !eat(s, ']'))
					s->bad = true;
			}
		} while (!s->bad && eat(s, ','));
		if (!s->bad && !eat(s, '}'))
			s->bad = true;
	}
	if (s->bad)
		return -1;
	if (n != rr->ncol) {
		sb_addf(err, "BigQuery answered a row of %zu values for %zu columns", n, rr->ncol);
		return -1;
	}
	for (size_t j = 0; j < rr->ncol; j++) {
		if (!rr->ts[j] || !rr->ptrs[j])
			continue;
		/* the timestamp's text replaces the number in its buffer */
		sb_reset(&rr->stamp);
		add_timestamp(rr->ptrs[j], &rr->stamp);
		sb_reset(&rr->vals[j]);
		sb_addmem(&rr->vals[j], rr->stamp.buf, rr->stamp.len);
		rr->ptrs[j] = rr->vals[j].buf;
	}
	return row && row(arg, (int)rr->ncol, rr->ptrs) != 0 ? 1 : 0;
}

/* The rows array [start, end) of the body, for the schema's fields. */
static int decode_rows(const char *start, const char *end, json_t *fields, wh_row_fn row,
		       void *arg, struct bq_page *pg, struct strbuf *err)
{
	if (!json_is_array(fields)) {
		sb_addstr(err, "BigQuery answered rows without a schema");
		return -1;
	}
	struct row_reader rr = { .ncol = json_array_size(fields) };
	rr.ts = timestamp_columns(fields, rr.ncol);
	rr.vals = xcalloc(rr.ncol + 1, sizeof(*rr.vals));
	rr.ptrs = xcalloc(rr.ncol + 1, sizeof(*rr.ptrs));
	for (size_t j = 0; j < rr.ncol; j++)
		sb_init(&rr.vals[j]);
	sb_init(&rr.stamp);
	sb_init(&rr.tmp);
	struct scan s = { start, end, false };
	size_t errlen = err->len;
	int rc = 0;
	if (!eat(&s, '['))
		s.bad = true;
	else if (!eat(&s, ']'))
		do {
			rc = one_row(&s, &rr, row, arg, err);
			if (rc >= 0)
				pg->nrows++;
			if (rc == 1)
				pg->stopped = true;
		} while (rc == 0 && eat(&s, ','));
	if (rc < 0 && err->len == errlen)
		sb_addstr(err, "BigQuery answered rows that are not valid JSON");
	for (size_t j = 0; j < rr.ncol; j++)
		sb_release(&rr.vals[j]);
	free(rr.vals);
	free(rr.ptrs);
	free(rr.ts);
	sb_release(&rr.stamp);
	sb_release(&rr.tmp);
	return rc < 0 ? -1 : 0;
}

/* The body without its "rows" member (spliced out, found by the scanner):
 * rows_at and rows_end get the rows array, NULL when there is none.  NULL
 * when the body is not a JSON object. */
static char *without_rows(const char *body, size_t len, const char **rows_at,
			  const char **rows_end)
{
	struct scan s = { body, body + len, false };
	struct strbuf tmp = STRBUF_INIT;
	*rows_at = *rows_end = NULL;
	const char *member = NULL, *member_end = NULL;
	if (!eat(&s, '{'))
		s.bad = true;
	else if (!eat(&s, '}'))
		do {
			ws(&s);
			const char *k = s.p;
			bool is_rows = key_is(&s, "rows", &tmp);
			ws(&s);
			const char *v = s.p;
			skip_value(&s, 1);
			if (is_rows && !s.bad) {
				member = k;
				member_end = s.p;
				*rows_at = v;
				*rows_end = s.p;
			}
		} while (!s.bad && eat(&s, ','));
	sb_release(&tmp);
	if (s.bad)
		return NULL;
	struct strbuf out = STRBUF_INIT;
	if (!member) {
		sb_addmem(&out, body, len);
	} else {
		/* "rows": [...] becomes "rows": null, keeping the commas valid */
		sb_addmem(&out, body, (size_t)(member - body));
		sb_addstr(&out, "\"rows\":null");
		sb_addmem(&out, member_end, (size_t)(body + len - member_end));
	}
	return sb_detach(&out);
}

int bq_decode_page(const char *body, size_t len, wh_row_fn row, void *arg, struct bq_page *pg,
		   struct strbuf *err)
{
	memset(pg, 0, sizeof(*pg));
	pg->bytes_processed = -1;
	const char *rows_at, *rows_end;
	char *rest = without_rows(body, len, &rows_at, &rows_end);
	json_error_t je;
	json_t *doc = rest ? json_loads(rest, 0, &je) : NULL;
	free(rest);
	if (!json_is_object(doc)) {
		sb_addstr(err, "BigQuery answered what is not a JSON object");
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
	int rc = 0;
	if (pg->complete && rows_at)
		rc = decode_rows(rows_at, rows_end,
				 json_object_get(json_object_get(doc, "schema"), "fields"), row, arg,
				 pg, err);
	json_decref(doc);
	return rc;
}

int bq_decode_job_status(const char *body, size_t len, bool *done, char **failed_reason)
{
	*done = false;
	*failed_reason = NULL;
	json_error_t je;
	json_t *doc = json_loadb(body, len, 0, &je);
	json_t *status = json_object_get(doc, "status");
	const char *state = json_string_value(json_object_get(status, "state"));
	if (!state) {
		json_decref(doc);
		return -1;
	}
	*done = strcmp(state, "DONE") == 0;
	json_t *error = json_object_get(status, "errorResult");
	if (*done && json_is_object(error)) {
		const char *r = json_string_value(json_object_get(error, "reason"));
		*failed_reason = xstrdup(r ? r : "");
	}
	json_decref(doc);
	return 0;
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
