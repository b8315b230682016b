/* test_snowflake_result.c — decoding Snowflake SQL API v2 bodies without a
 * server: a ResultSet's handle, partition count and rows (nulls as NULL),
 * a later partition's bare data, a stop asked by the row callback, bodies
 * the API never sends, and the error text of a 422 body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "warehouse/snowflake_result.h"

struct seen {
	struct strbuf text;
	int rows, stop_after;
};

static int collect(void *arg, int ncol, const char *const *vals)
{
	struct seen *s = arg;
	for (int i = 0; i < ncol; i++)
		sb_addf(&s->text, "%s%s", i ? "|" : "", vals[i] ? vals[i] : "<null>");
	sb_addch(&s->text, '\n');
	return ++s->rows == s->stop_after;
}

static int decode(const char *body, struct seen *s, struct sf_body_info *info, struct strbuf *err)
{
	sb_init(&s->text);
	return sf_decode_rows(body, strlen(body), collect, s, info, err);
}

static void test_result_set(void **state)
{
	(void)state;
	const char *body =
		"{\"code\":\"090001\",\"sqlState\":\"00000\",\"message\":\"Statement executed successfully.\","
		"\"statementHandle\":\"01b2-0000-abcd\",\"resultSetMetaData\":{\"numRows\":5,\"format\":\"jsonv2\","
		"\"rowType\":[{\"name\":\"A\"},{\"name\":\"B\"}],\"partitionInfo\":[{\"rowCount\":2},{\"rowCount\":2},"
		"{\"rowCount\":1}]},\"data\":[[\"p01\",null],[\"p\\u00e9\",\"2026-01-15T12:00:00Z\"]]}";
	struct seen s = { .stop_after = -1 };
	struct sf_body_info info = { 0 };
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(decode(body, &s, &info, &err), 0);
	assert_string_equal(s.text.buf, "p01|<null>\np\xc3\xa9|2026-01-15T12:00:00Z\n");
	assert_string_equal(info.handle, "01b2-0000-abcd");
	assert_int_equal(info.partitions, 3);
	sf_body_info_release(&info);
	sb_release(&s.text);
	/* a later partition: only data; a 202 status: no rows */
	assert_int_equal(decode("{\"data\":[[\"x\"]]}", &s, &info, &err), 0);
	assert_string_equal(s.text.buf, "x\n");
	assert_null(info.handle);
	assert_int_equal(info.partitions, 0);
	sb_release(&s.text);
	assert_int_equal(decode("{\"statementHandle\":\"h1\",\"statementStatusUrl\":\"/api/v2/statements/h1\"}",
				&s, &info, &err), 0);
	assert_string_equal(info.handle, "h1");
	assert_int_equal(s.rows, 3); /* no row more */
	sf_body_info_release(&info);
	sb_release(&s.text);
	assert_int_equal(err.len, 0);
}

static void test_stop(void **state)
{
	(void)state;
	struct seen s = { .stop_after = 2 };
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(decode("{\"data\":[[\"1\"],[\"2\"],[\"3\"]]}", &s, NULL, &err), 1);
	assert_string_equal(s.text.buf, "1\n2\n");
	sb_release(&s.text);
}

static void test_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "not json", "[1]", "{\"data\":{}}", "{\"data\":[1]}", "{\"data\":[[1]]}",
		"{\"data\":[[\"a\",true]]}", "{\"data\":[[\"a\"]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct seen s = { .stop_after = -1 };
		struct strbuf err = STRBUF_INIT;
		assert_int_equal(decode(bad[i], &s, NULL, &err), -1);
		assert_true(strstr(err.buf, "Snowflake sent") != NULL);
		sb_release(&err);
		sb_release(&s.text);
	}
}

static void test_error_text(void **state)
{
	(void)state;
	const char *body = "{\"code\":\"002003\",\"sqlState\":\"42S02\",\"message\":\"SQL compilation error:\\n"
			   "Object 'X' does not exist or not authorized.\",\"statementHandle\":\"h\"}";
	struct strbuf out = STRBUF_INIT;
	assert_true(sf_error_text(body, strlen(body), &out));
	assert_string_equal(out.buf, "SQL compilation error:\nObject 'X' does not exist or not authorized "
				     "(code 002003, SQL state 42S02)");
	sb_release(&out);
	body = "{\"code\":\"390144\",\"message\":\"JWT token is invalid.\"}";
	assert_true(sf_error_text(body, strlen(body), &out));
	assert_string_equal(out.buf, "JWT token is invalid (code 390144)");
	sb_release(&out);
	assert_false(sf_error_text("<html>bad gateway</html>", 24, &out));
	assert_false(sf_error_text("{\"code\":\"1\"}", 12, &out));
	assert_int_equal(out.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_set),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_error_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
