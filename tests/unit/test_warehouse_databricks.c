/* test_warehouse_databricks.c — the Databricks connector's parts that need
 * no socket: the JSON_ARRAY rows of a result chunk (text, nulls, column
 * count, early stop, bodies that are not rows), the error text of a refused
 * request or failed statement, the statement size limit and the query tag
 * values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "warehouse/warehouse_databricks.h"

struct seen {
	struct strbuf text; /* rows as "a|NULL|c;" */
	int rows, stop_after;
};

static int collect(void *arg, int ncol, const char *const *vals)
{
	struct seen *s = arg;
	for (int i = 0; i < ncol; i++)
		sb_addf(&s->text, "%s%s", i ? "|" : "", vals[i] ? vals[i] : "NULL");
	sb_addch(&s->text, ';');
	s->rows++;
	return s->stop_after && s->rows >= s->stop_after;
}

static int decode(const char *body, int ncol, struct seen *s, struct strbuf *err)
{
	bool stop;
	sb_init(&s->text);
	s->rows = 0;
	return databricks_decode_rows(body, strlen(body), ncol, collect, s, &stop, err);
}

static void test_rows(void **state)
{
	(void)state;
	struct seen s = { .stop_after = 0 };
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(decode("[[\"p01\",null,\"2026-01-15T12:00:00Z\"],[\"p\\u00e9\\\"q\",\"\",\"x\"]]",
				3, &s, &err), 0);
	assert_string_equal(s.text.buf, "p01|NULL|2026-01-15T12:00:00Z;p\xc3\xa9\"q||x;");
	sb_release(&s.text);
	/* no rows at all */
	assert_int_equal(decode("[]", 2, &s, &err), 0);
	assert_int_equal(s.rows, 0);
	sb_release(&s.text);
	/* the manifest's count unknown: each row's own length */
	assert_int_equal(decode("[[\"a\"],[\"b\",\"c\"]]", -1, &s, &err), 0);
	assert_string_equal(s.text.buf, "a;b|c;");
	sb_release(&s.text);
	assert_int_equal(err.len, 0);
	sb_release(&err);
}

static void test_stop(void **state)
{
	(void)state;
	struct seen s = { .stop_after = 2 };
	struct strbuf err = STRBUF_INIT;
	bool stop = false;
	sb_init(&s.text);
	const char *body = "[[\"1\"],[\"2\"],[\"3\"]]";
	assert_int_equal(databricks_decode_rows(body, strlen(body), 1, collect, &s, &stop, &err), 0);
	assert_true(stop);
	assert_int_equal(s.rows, 2);
	sb_release(&s.text);
	sb_release(&err);
}

static void test_bad_bodies(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",                          /* empty */
		"[[\"a\"",                   /* cut short (a reset mid-chunk) */
		"{\"rows\": []}",            /* not an array */
		"[\"a\"]",                   /* a row that is not an array */
		"[[\"a\",\"b\"]]",           /* 2 values, the manifest says 1 */
		"[[1]]",                     /* JSON_ARRAY sends every value as text */
		"[[[\"nested\"]]]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct seen s = { .stop_after = 0 };
		struct strbuf err = STRBUF_INIT;
		assert_int_equal(decode(bad[i], 1, &s, &err), -1);
		assert_true(err.len > 0);
		assert_non_null(strstr(err.buf, "Databricks result chunk"));
		assert_int_equal(s.rows, 0);
		sb_release(&s.text);
		sb_release(&err);
	}
}

static void test_error_text(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT;
	const char *b = "{\"error_code\":\"PERMISSION_DENIED\",\"message\":\"User does not have USE SCHEMA\"}";
	assert_true(databricks_error_text(b, strlen(b), &out));
	assert_string_equal(out.buf, "PERMISSION_DENIED: User does not have USE SCHEMA");
	sb_reset(&out);
	b = "{\"message\":\"only a message\"}";
	assert_true(databricks_error_text(b, strlen(b), &out));
	assert_string_equal(out.buf, "only a message");
	sb_reset(&out);
	b = "<html>Bad Gateway</html>";
	assert_false(databricks_error_text(b, strlen(b), &out));
	b = "{\"status\":\"x\"}";
	assert_false(databricks_error_text(b, strlen(b), &out));
	assert_int_equal(out.len, 0);
	sb_release(&out);
}

static void test_check_size(void **state)
{
	(void)state;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(databricks_check_size(DATABRICKS_MAX_STATEMENT, "vip", &err), 0);
	assert_int_equal(err.len, 0);
	assert_int_equal(databricks_check_size(DATABRICKS_MAX_STATEMENT + 1, "vip", &err), -1);
	assert_string_equal(err.buf, "the statement lac generated for audience 'vip' is 16777217 bytes: "
			    "Databricks takes at most 16 MiB (16777216 bytes) per statement");
	sb_reset(&err);
	assert_int_equal(databricks_check_size(DATABRICKS_MAX_STATEMENT + 1, NULL, &err), -1);
	assert_non_null(strstr(err.buf, "a statement lac generated is 16777217 bytes"));
	sb_release(&err);
}

static void test_tag_value(void **state)
{
	(void)state;
	char out[DATABRICKS_TAG_MAX + 1];
	databricks_tag_value("run_20260115T130000Z_1a2b3c4d", out);
	assert_string_equal(out, "run_20260115t130000z_1a2b3c4d");
	databricks_tag_value("Cat Owners/EU.2", out);
	assert_string_equal(out, "cat_owners_eu_2");
	databricks_tag_value("", out);
	assert_string_equal(out, "");
	char longv[100];
	memset(longv, 'a', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	databricks_tag_value(longv, out);
	assert_int_equal(strlen(out), DATABRICKS_TAG_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_error_text),
		cmocka_unit_test(test_check_size),
		cmocka_unit_test(test_tag_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
