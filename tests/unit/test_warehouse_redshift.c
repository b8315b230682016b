/* test_warehouse_redshift.c — the Redshift connector's session rules: the
 * retry decision on its errors, the query_group statement, the 16 MB
 * statement limit, the startup parameters it forces empty, and a DSN
 * libpq cannot read reported with libpq's message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "warehouse/warehouse.h"
#include "warehouse/warehouse_redshift.h"

static void test_retryable(void **state)
{
	(void)state;
	/* Redshift: SQLSTATE XX000, primary message "1023" */
	assert_true(redshift_retryable("XX000", "1023"));
	assert_true(redshift_retryable("XX000", "1023 Details: Serializable isolation violation on table"));
	assert_true(redshift_retryable("", "Serializable isolation violation on table - 100167"));
	/* PostgreSQL's own */
	assert_true(redshift_retryable("40001", "could not serialize access"));
	assert_true(redshift_retryable("40P01", "deadlock detected"));
	/* anything else fails the batch at once */
	assert_false(redshift_retryable("XX000", "10234"));
	assert_false(redshift_retryable("XX000", "1024"));
	assert_false(redshift_retryable("42P01", "relation \"x\" does not exist"));
	assert_false(redshift_retryable("57014", "canceling statement due to statement timeout"));
	assert_false(redshift_retryable("", ""));
}

static void test_query_group(void **state)
{
	(void)state;
	char *sql = redshift_query_group_sql("lac run vip 20240101T000000Z");
	assert_string_equal(sql, "SET query_group TO 'lac run vip 20240101T000000Z'");
	free(sql);
	/* quotes and backslashes cannot end the literal early */
	sql = redshift_query_group_sql("lac run it's\\'; DROP TABLE x; --");
	assert_string_equal(sql, "SET query_group TO 'lac run it''s\\\\''; DROP TABLE x; --'");
	free(sql);
}

static void test_statement_size(void **state)
{
	(void)state;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(redshift_check_size(REDSHIFT_MAX_STATEMENT, "vip", &err), 0);
	assert_int_equal(err.len, 0);
	assert_int_equal(redshift_check_size(REDSHIFT_MAX_STATEMENT + 1, "vip", &err), -1);
	assert_string_equal(err.buf, "the statement lac generated for audience 'vip' is 16777217 bytes: "
			    "Redshift takes at most 16 MB (16777216 bytes) per statement");
	sb_setlen(&err, 0);
	assert_int_equal(redshift_check_size(20000000, NULL, &err), -1);
	assert_string_equal(err.buf, "a statement lac generated is 20000000 bytes: "
			    "Redshift takes at most 16 MB (16777216 bytes) per statement");
	sb_release(&err);
}

static void test_startup_parameters(void **state)
{
	(void)state;
	bool app = false, options = false;
	for (size_t i = 0; redshift_startup_keywords[i]; i++) {
		assert_non_null(redshift_startup_values[i]);
		assert_string_equal(redshift_startup_values[i], "");
		app |= strcmp(redshift_startup_keywords[i], "application_name") == 0;
		options |= strcmp(redshift_startup_keywords[i], "options") == 0;
	}
	assert_true(app);
	assert_true(options);
}

static void test_bad_dsn(void **state)
{
	(void)state;
	struct warehouse w;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(warehouse_open_redshift(&w, "nonsense", &err), -1);
	assert_string_equal(err.buf, "cannot connect to Redshift: missing \"=\" after \"nonsense\" "
			    "in connection info string");
	sb_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retryable),
		cmocka_unit_test(test_query_group),
		cmocka_unit_test(test_statement_size),
		cmocka_unit_test(test_startup_parameters),
		cmocka_unit_test(test_bad_dsn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
