/* test_warehouse_bigquery.c — the BigQuery connector's socket-free parts:
 * response pages decoded into text rows (TIMESTAMP in both of BigQuery's
 * forms, nulls, records), the job state of an unfinished page, error
 * bodies as one sentence, transient reasons, label values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "warehouse/warehouse_bigquery.h"

struct seen {
	struct strbuf text;
	int rows, stop_after;
};

static int collect(void *arg, int ncol, const char *const *vals)
{
	struct seen *s = arg;
	for (int i = 0; i < ncol; i++)
		sb_addf(&s->text, "%s%s", i ? "|" : "", vals[i] ? vals[i] : "NULL");
	sb_addch(&s->text, '\n');
	return ++s->rows == s->stop_after;
}

static const char page[] =
	"{\"kind\":\"bigquery#queryResponse\",\"jobComplete\":true,"
	"\"jobReference\":{\"projectId\":\"p\",\"jobId\":\"job_1\",\"location\":\"EU\"},"
	"\"schema\":{\"fields\":[{\"name\":\"id\",\"type\":\"STRING\"},"
	"{\"name\":\"n\",\"type\":\"INTEGER\"},{\"name\":\"at\",\"type\":\"TIMESTAMP\"},"
	"{\"name\":\"r\",\"type\":\"RECORD\",\"fields\":[{\"name\":\"x\",\"type\":\"INTEGER\"}]}]},"
	"\"rows\":[{\"f\":[{\"v\":\"p01\"},{\"v\":\"3\"},{\"v\":\"1736942400000000\"},{\"v\":{\"f\":[{\"v\":\"1\"}]}}]},"
	"{\"f\":[{\"v\":null},{\"v\":\"-1\"},{\"v\":\"1.7369424001234E9\"},{\"v\":null}]},"
	"{\"f\":[{\"v\":\"p\\u00e9\"},{\"v\":null},{\"v\":\"-1\"},{\"v\":null}]}],"
	"\"totalRows\":\"3\",\"pageToken\":\"tok2\",\"totalBytesProcessed\":\"1234\"}";

static void test_decode_page(void **state)
{
	(void)state;
	struct seen s = { STRBUF_INIT, 0, 0 };
	struct bq_page pg;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(bq_decode_page(page, strlen(page), collect, &s, &pg, &err), 0);
	assert_string_equal(s.text.buf,
			    "p01|3|2025-01-15T12:00:00Z|{\"f\":[{\"v\":\"1\"}]}\n"
			    "NULL|-1|2025-01-15T12:00:00.123400Z|NULL\n"
			    "p\xc3\xa9|NULL|1969-12-31T23:59:59.999999Z|NULL\n");
	assert_true(pg.complete);
	assert_int_equal(pg.nrows, 3);
	assert_string_equal(pg.job_id, "job_1");
	assert_string_equal(pg.location, "EU");
	assert_string_equal(pg.page_token, "tok2");
	assert_int_equal(pg.bytes_processed, 1234);
	bq_page_release(&pg);
	sb_release(&s.text);
	sb_release(&err);
}

static void test_decode_stops(void **state)
{
	(void)state;
	struct seen s = { STRBUF_INIT, 0, 1 };
	struct bq_page pg;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(bq_decode_page(page, strlen(page), collect, &s, &pg, &err), 0);
	assert_int_equal(s.rows, 1);
	assert_true(pg.stopped);
	bq_page_release(&pg);
	sb_release(&s.text);
	sb_release(&err);
}

static void test_decode_unfinished_and_bad(void **state)
{
	(void)state;
	const char *running = "{\"jobComplete\":false,\"jobReference\":{\"jobId\":\"j9\"}}";
	struct seen s = { STRBUF_INIT, 0, 0 };
	struct bq_page pg;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(bq_decode_page(running, strlen(running), collect, &s, &pg, &err), 0);
	assert_false(pg.complete);
	assert_string_equal(pg.job_id, "j9");
	assert_null(pg.page_token);
	assert_int_equal(s.rows, 0);
	bq_page_release(&pg);
	/* a row that does not match the schema is an error, not a short row */
	const char *bad = "{\"jobComplete\":true,\"schema\":{\"fields\":[{\"name\":\"a\",\"type\":\"STRING\"}]},"
			  "\"rows\":[{\"f\":[{\"v\":\"1\"},{\"v\":\"2\"}]}]}";
	assert_int_equal(bq_decode_page(bad, strlen(bad), collect, &s, &pg, &err), -1);
	assert_non_null(strstr(err.buf, "2 values for 1 columns"));
	bq_page_release(&pg);
	sb_reset(&err);
	assert_int_equal(bq_decode_page("[1]", 3, collect, &s, &pg, &err), -1);
	assert_non_null(strstr(err.buf, "not a JSON object"));
	bq_page_release(&pg);
	sb_release(&s.text);
	sb_release(&err);
}

static void test_decode_scanner(void **state)
{
	(void)state;
	/* rows before the schema, escapes, a surrogate pair, an array value,
	 * keys the decoder does not know, blanks between tokens */
	const char *body =
		"{ \"rows\" : [ {\"f\": [ {\"v\": \"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\", \"x\": 1},"
		" {\"v\": [{\"v\": \"1\"}, {\"v\": \"2\"}]} ], \"extra\": {\"y\": [true, null]}} ],"
		" \"jobComplete\": true, \"schema\": {\"fields\": [{\"name\": \"s\", \"type\": \"STRING\"},"
		" {\"name\": \"r\", \"type\": \"INTEGER\", \"mode\": \"REPEATED\"}]} }";
	struct seen s = { STRBUF_INIT, 0, 0 };
	struct bq_page pg;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(bq_decode_page(body, strlen(body), collect, &s, &pg, &err), 0);
	assert_string_equal(s.text.buf, "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80|[{\"v\": \"1\"}, {\"v\": \"2\"}]\n");
	bq_page_release(&pg);
	/* bodies cut short or broken are errors, never rows */
	static const char *const broken[] = {
		"{\"jobComplete\":true,\"schema\":{\"fields\":[{\"type\":\"STRING\"}]},\"rows\":[{\"f\":[{\"v\":\"1\"",
		"{\"jobComplete\":true,\"schema\":{\"fields\":[{\"type\":\"STRING\"}]},\"rows\":[{\"f\":[{\"v\":\"\\ud800\"}]}]}",
		"{\"jobComplete\":true,\"schema\":{\"fields\":[{\"type\":\"STRING\"}]},\"rows\":[{\"f\":[{\"v\":\"\\u0000\"}]}]}",
		"{\"jobComplete\":true,\"schema\":{\"fields\":[{\"type\":\"STRING\"}]},\"rows\":[{\"f\":[{\"v\":tru}]}]}",
		"{\"jobComplete\":true,\"rows\":[]",
		"",
	};
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		sb_reset(&s.text);
		sb_reset(&err);
		assert_int_equal(bq_decode_page(broken[i], strlen(broken[i]), collect, &s, &pg, &err), -1);
		assert_true(err.len > 0);
		assert_int_equal(s.text.len, 0);
		bq_page_release(&pg);
	}
	sb_release(&s.text);
	sb_release(&err);
}

static void test_describe_error(void **state)
{
	(void)state;
	const char *body = "{\"error\":{\"code\":404,\"message\":\"Not found: Dataset p:lac was not "
			   "found in location US\",\"errors\":[{\"message\":\"x\",\"domain\":\"global\","
			   "\"reason\":\"notFound\"}],\"status\":\"NOT_FOUND\"}}";
	struct strbuf out = STRBUF_INIT;
	char *reason;
	bq_describe_error(404, body, strlen(body), "HTTP 404", &out, &reason);
	assert_string_equal(out.buf, "Not found: Dataset p:lac was not found in location US "
				     "(notFound, HTTP 404)");
	assert_string_equal(reason, "notFound");
	free(reason);
	sb_reset(&out);
	bq_describe_error(502, "<html>bad gateway</html>", 24, "HTTP 502: <html>bad gateway</html>",
			  &out, &reason);
	assert_string_equal(out.buf, "HTTP 502: <html>bad gateway</html>");
	assert_null(reason);
	sb_release(&out);
}

static void test_transient_and_labels(void **state)
{
	(void)state;
	assert_true(bq_reason_transient("backendError"));
	assert_true(bq_reason_transient("rateLimitExceeded"));
	assert_true(bq_reason_transient("internalError"));
	assert_false(bq_reason_transient("invalidQuery"));
	assert_false(bq_reason_transient("accessDenied"));
	assert_false(bq_reason_transient(NULL));
	char *v = bq_label_value("Cat Owners.v2");
	assert_string_equal(v, "cat_owners_v2");
	free(v);
	char long_name[100];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[99] = '\0';
	v = bq_label_value(long_name);
	assert_int_equal(strlen(v), 63);
	free(v);
	struct strbuf ts = STRBUF_INIT;
	bq_format_timestamp(0, &ts);
	assert_string_equal(ts.buf, "1970-01-01T00:00:00Z");
	sb_release(&ts);
}

/* jobs.get: DONE with an errorResult is a failed job (its reason); DONE
 * without one, or still running, is not; another shape is an error. */
static void test_job_status(void **state)
{
	(void)state;
	bool done;
	char *failed;
	const char *ok = "{\"kind\":\"bigquery#job\",\"status\":{\"state\":\"DONE\"}}";
	assert_int_equal(bq_decode_job_status(ok, strlen(ok), &done, &failed), 0);
	assert_true(done);
	assert_null(failed);
	const char *bad = "{\"status\":{\"state\":\"DONE\",\"errorResult\":{\"reason\":\"backendError\","
			  "\"message\":\"x\"},\"errors\":[]}}";
	assert_int_equal(bq_decode_job_status(bad, strlen(bad), &done, &failed), 0);
	assert_true(done);
	assert_string_equal(failed, "backendError");
	free(failed);
	const char *running = "{\"status\":{\"state\":\"RUNNING\",\"errorResult\":{\"reason\":\"x\"}}}";
	assert_int_equal(bq_decode_job_status(running, strlen(running), &done, &failed), 0);
	assert_false(done);
	assert_null(failed);
	const char *noreason = "{\"status\":{\"state\":\"DONE\",\"errorResult\":{}}}";
	assert_int_equal(bq_decode_job_status(noreason, strlen(noreason), &done, &failed), 0);
	assert_string_equal(failed, "");
	free(failed);
	assert_int_equal(bq_decode_job_status("[1]", 3, &done, &failed), -1);
	assert_null(failed);
	assert_int_equal(bq_decode_job_status("{\"status\"", 10, &done, &failed), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_page),
		cmocka_unit_test(test_decode_stops),
		cmocka_unit_test(test_decode_unfinished_and_bad),
		cmocka_unit_test(test_decode_scanner),
		cmocka_unit_test(test_describe_error),
		cmocka_unit_test(test_transient_and_labels),
		cmocka_unit_test(test_job_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
