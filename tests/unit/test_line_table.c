/* test_line_table.c — the one line locator: line text (LF, CRLF, no final
 * newline, empty text, lines out of range), offsets to line and column, and
 * a source's table built on first use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/diag.h"
#include "base/line_table.h"

/* Line `line` of the table as a string ("(none)" past the end). */
static const char *line_of(const struct line_table *t, uint32_t line)
{
	static char buf[64];
	size_t n = 99;
	const char *p = line_table_line(t, line, &n);
	if (!p)
		return "(none)";
	assert_true(n < sizeof(buf));
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

static void test_lf_and_no_final_newline(void **state)
{
	const char *text = "one\ntwo\n\nfour";
	struct line_table t;
	line_table_build(&t, text, strlen(text));
	assert_int_equal(t.n, 4);
	assert_string_equal(line_of(&t, 1), "one");
	assert_string_equal(line_of(&t, 2), "two");
	assert_string_equal(line_of(&t, 3), "");
	assert_string_equal(line_of(&t, 4), "four");
	assert_string_equal(line_of(&t, 0), "(none)");
	assert_string_equal(line_of(&t, 5), "(none)");
	assert_string_equal(line_of(&t, UINT32_MAX), "(none)");
	line_table_release(&t);
	assert_null(t.start);
	assert_int_equal(t.n, 0);
}

static void test_final_newline_opens_an_empty_line(void **state)
{
	struct line_table t;
	line_table_build(&t, "a\n", 2);
	assert_int_equal(t.n, 2);
	assert_string_equal(line_of(&t, 1), "a");
	assert_string_equal(line_of(&t, 2), "");
	assert_string_equal(line_of(&t, 3), "(none)");
	line_table_release(&t);
}

static void test_crlf(void **state)
{
	const char *text = "a: 1\r\nbb: 2\r\n\r\nlast\r";
	struct line_table t;
	line_table_build(&t, text, strlen(text));
	assert_int_equal(t.n, 4);
	assert_string_equal(line_of(&t, 1), "a: 1");
	assert_string_equal(line_of(&t, 2), "bb: 2");
	assert_string_equal(line_of(&t, 3), "");
	assert_string_equal(line_of(&t, 4), "last");
	line_table_release(&t);
	/* a '\r' inside a line stays */
	line_table_build(&t, "x\ry\n", 4);
	assert_string_equal(line_of(&t, 1), "x\ry");
	line_table_release(&t);
}

static void test_empty_text(void **state)
{
	struct line_table t;
	line_table_build(&t, "", 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(line_of(&t, 1), "");
	assert_string_equal(line_of(&t, 2), "(none)");
	uint32_t line = 0, col = 0;
	line_table_locate(&t, 5, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 1);
	line_table_release(&t);
	line_table_build(&t, NULL, 0);
	assert_string_equal(line_of(&t, 1), "");
	line_table_release(&t);
}

static void test_locate(void **state)
{
	const char *text = "ab\ncde\r\n\nf";
	struct line_table t;
	line_table_build(&t, text, strlen(text));
	static const struct {
		size_t off;
		uint32_t line, col;
	} want[] = {
		{ 0, 1, 1 }, { 1, 1, 2 }, { 2, 1, 3 },           /* the '\n' ends its line */
		{ 3, 2, 1 }, { 6, 2, 4 }, { 7, 2, 5 },           /* "\r\n" */
		{ 8, 3, 1 }, { 9, 4, 1 }, { 10, 4, 2 },          /* the end */
		{ 1000, 4, 2 },                                  /* clamped to the end */
	};
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		uint32_t line = 0, col = 0;
		line_table_locate(&t, want[i].off, &line, &col);
		if (line != want[i].line || col != want[i].col)
			fail_msg("offset %zu: %u:%u, want %u:%u", want[i].off, line, col,
				 want[i].line, want[i].col);
	}
	line_table_release(&t);
}

static void test_source_line(void **state)
{
	struct source_set ss;
	source_set_init(&ss);
	uint32_t id = source_add(&ss, "a.lac", xstrdup("x\r\ny"), 4);
	uint32_t unread = source_add(&ss, "b.lac", NULL, 0);
	struct source *src = &ss.items[id];
	size_t n = 0;
	assert_null(src->lines.start); /* not built until asked */
	const char *p = source_line(src, 2, &n);
	assert_non_null(src->lines.start);
	assert_int_equal(n, 1);
	assert_memory_equal(p, "y", 1);
	p = source_line(src, 1, &n);
	assert_int_equal(n, 1);
	assert_memory_equal(p, "x", 1);
	assert_null(source_line(src, 3, &n));
	assert_null(source_line(&ss.items[unread], 1, &n));
	source_set_release(&ss);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lf_and_no_final_newline),
		cmocka_unit_test(test_final_newline_opens_an_empty_line),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_empty_text),
		cmocka_unit_test(test_locate),
		cmocka_unit_test(test_source_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
