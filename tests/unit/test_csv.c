/* test_csv.c — the CSV reader of audience test fixtures: quotes, doubled
 * quotes, line ends inside quotes, CRLF, blank lines, positions and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/csv.h"

static void test_csv_fields_and_quotes(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	const char *text = "id,name,note\r\np1,\"Ana, \"\"A\"\"\",\n\np2,,\"\"\n\"p3\",\"two\nlines\",x";
	struct csv_record *r;
	size_t n;
	struct csv_error e;
	assert_int_equal(csv_parse(&a, text, strlen(text), &r, &n, &e), 0);
	assert_int_equal(n, 4);
	assert_int_equal(r[0].n, 3);
	assert_string_equal(r[0].fields[2].text, "note");
	assert_string_equal(r[1].fields[1].text, "Ana, \"A\"");
	assert_true(r[1].fields[1].quoted);
	assert_string_equal(r[1].fields[2].text, "");
	assert_false(r[1].fields[2].quoted);
	/* the blank line is skipped; "" is a quoted empty string */
	assert_int_equal(r[2].line, 4);
	assert_true(r[2].fields[2].quoted);
	assert_string_equal(r[2].fields[2].text, "");
	assert_string_equal(r[3].fields[1].text, "two\nlines");
	assert_int_equal(r[3].fields[2].line, 6);
	assert_int_equal(r[3].fields[2].col, 8);
	assert_int_equal(r[1].fields[1].col, 4);
	arena_release(&a);
}

static void test_csv_errors_say_where(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct csv_record *r;
	size_t n;
	struct csv_error e;
	const char *open = "id\n\"p1\n";
	assert_int_equal(csv_parse(&a, open, strlen(open), &r, &n, &e), -1);
	assert_string_equal(e.message, "unterminated quoted field");
	assert_int_equal(e.line, 2);
	assert_int_equal(e.col, 1);
	const char *after = "id,x\n\"p1\"z,1\n";
	assert_int_equal(csv_parse(&a, after, strlen(after), &r, &n, &e), -1);
	assert_string_equal(e.message, "text after a closing quote");
	assert_int_equal(e.line, 2);
	assert_int_equal(e.col, 5);
	assert_int_equal(csv_parse(&a, "", 0, &r, &n, &e), 0);
	assert_int_equal(n, 0);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_fields_and_quotes),
		cmocka_unit_test(test_csv_errors_say_where),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
