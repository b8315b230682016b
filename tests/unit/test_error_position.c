/* test_error_position.c — the error positions HTTP warehouses write into
 * their messages (Snowflake, BigQuery, Databricks), read as line and column
 * from 1, and a line:col turned into a statement's character position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "warehouse/error_position.h"

typedef bool (*reader)(const char *, long *, long *);

/* msg read by r: "L:C", or "none" */
static void expect_at(reader r, const char *msg, long line, long col)
{
	long l = -7, c = -7;
	bool found = r(msg, &l, &c);
	if (line == 0) {
		assert_false(found);
		assert_int_equal(l, -7);
		assert_int_equal(c, -7);
		return;
	}
	assert_true(found);
	assert_int_equal(l, line);
	assert_int_equal(c, col);
}

static void test_snowflake(void **state)
{
	(void)state;
	/* positions count from 0: "select x" has x at position 7 */
	expect_at(wh_snowflake_error_at,
		  "SQL compilation error: error line 3 at position 14\ninvalid identifier 'E2.TOTAL'", 3, 15);
	expect_at(wh_snowflake_error_at,
		  "SQL compilation error:\nsyntax error line 1 at position 0 unexpected 'SELEC'.", 1, 1);
	expect_at(wh_snowflake_error_at, "SQL compilation error:\nObject 'X' does not exist.", 0, 0);
	expect_at(wh_snowflake_error_at, "error line x at position 3", 0, 0);
	expect_at(wh_snowflake_error_at, "error line 2 at position ", 0, 0);
	expect_at(wh_snowflake_error_at, "error line 0 at position 4", 0, 0);
}

static void test_bigquery(void **state)
{
	(void)state;
	expect_at(wh_bigquery_error_at, "Unrecognized name: total at [3:14]", 3, 14);
	/* the position is the last [L:C]; a list in brackets is not one */
	expect_at(wh_bigquery_error_at, "Name [a] not found in [1:2] at [12:5]", 12, 5);
	expect_at(wh_bigquery_error_at, "Not found: Table p:d.t was not found in location EU", 0, 0);
	expect_at(wh_bigquery_error_at, "bad at [3:]", 0, 0);
	expect_at(wh_bigquery_error_at, "bad at [0:4]", 0, 0);
	expect_at(wh_bigquery_error_at, "bad at [3:4", 0, 0);
}

static void test_databricks(void **state)
{
	(void)state;
	expect_at(wh_databricks_error_at,
		  "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column ... `e2`.`total` cannot be resolved. "
		  "SQLSTATE: 42703; line 3 pos 14", 3, 15);
	expect_at(wh_databricks_error_at, "[X] message; line 2, pos 0", 2, 1);
	/* "line" as a word of the message is not the position */
	expect_at(wh_databricks_error_at, "the pipeline 4 failed; line 7 pos 3", 7, 4);
	expect_at(wh_databricks_error_at, "[PARSE_SYNTAX_ERROR] Syntax error at or near 'x'.", 0, 0);
	expect_at(wh_databricks_error_at, "line 3 position 4", 0, 0);
}

static void test_line_col(void **state)
{
	(void)state;
	const char *sql = "SELECT a\nFROM t\nWHERE é.x = 1";
	assert_int_equal(wh_line_col_position(sql, 1, 1), 1);
	assert_int_equal(wh_line_col_position(sql, 1, 8), 8);
	assert_int_equal(wh_line_col_position(sql, 2, 1), 10);
	assert_int_equal(wh_line_col_position(sql, 3, 7), 23);
	/* characters, not bytes: é is one */
	assert_int_equal(wh_line_col_position(sql, 3, 8), 24);
	/* the line's end counts (a position there is the newline) */
	assert_int_equal(wh_line_col_position(sql, 2, 7), 16);
	assert_int_equal(wh_line_col_position(sql, 2, 8), 0);
	assert_int_equal(wh_line_col_position(sql, 4, 1), 0);
	assert_int_equal(wh_line_col_position(sql, 3, 14), 0);
	assert_int_equal(wh_line_col_position(sql, 0, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snowflake),
		cmocka_unit_test(test_bigquery),
		cmocka_unit_test(test_databricks),
		cmocka_unit_test(test_line_col),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
