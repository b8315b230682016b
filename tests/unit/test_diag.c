/* test_diag.c — diagnostic text (caret line) and JSON rendering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"

static void test_caret_under_span(void **state)
{
	struct source_set ss;
	struct diag_sink d;
	source_set_init(&ss);
	diag_sink_init(&d, &ss);
	const char *text = "audience a {\n  where { typ = \"cat\" }\n}\n";
	uint32_t f = source_add(&ss, "a.lac", xstrdup(text), strlen(text));
	struct loc l = { f, 2, 11, 2, 14 };
	diag_error(&d, l, DIAG_E201, "Entity column missing from Data Graph for Entity pet and Column: %s", "typ");
	diag_hint(&d, "did you mean '%s'?", "type");
	assert_int_equal(d.nerrors, 1);
	struct strbuf sb = STRBUF_INIT;
	diag_format_one(&d, &d.items[0], &sb, false);
	assert_string_equal(sb.buf,
		"a.lac:2:11: error[E201]: Entity column missing from Data Graph for Entity pet and Column: typ\n"
		" 2 |   where { typ = \"cat\" }\n"
		"   |           ^^^\n"
		"  help: did you mean 'type'?\n");
	sb_release(&sb);
	diag_sink_release(&d);
	source_set_release(&ss);
}

static void test_long_line_is_cut_around_the_caret(void **state)
{
	struct source_set ss;
	struct diag_sink d;
	source_set_init(&ss);
	diag_sink_init(&d, &ss);
	struct strbuf text = STRBUF_INIT;
	for (int i = 0; i < 1000; i++)
		sb_addch(&text, (char)('a' + i % 26));
	size_t len = text.len;
	uint32_t f = source_add(&ss, "long.lac", sb_detach(&text), len);
	struct loc l = { f, 1, 501, 1, 504 };
	diag_error(&d, l, DIAG_E100, "bad");
	struct strbuf sb = STRBUF_INIT;
	diag_format_one(&d, &d.items[0], &sb, false);
	/* header, a window of 160 characters with ... on both sides, the caret under it */
	char *line2 = strchr(sb.buf, '\n') + 1;
	char *line3 = strchr(line2, '\n') + 1;
	assert_int_equal(strchr(line2, '\n') - line2, (long)strlen(" 1 | ...") + 160 + 3);
	assert_memory_equal(line2, " 1 | ...", 8);
	/* the caret stands under column 501: 'a' + 500 % 26 = 'g' */
	const char *caret = strchr(line3, '^');
	assert_non_null(caret);
	assert_int_equal(line2[caret - line3], 'g');
	assert_memory_equal(caret, "^^^\n", 4);
	sb_release(&sb);
	diag_sink_release(&d);
	source_set_release(&ss);
}

static void test_json_shape(void **state)
{
	struct source_set ss;
	struct diag_sink d;
	source_set_init(&ss);
	diag_sink_init(&d, &ss);
	uint32_t f = source_add(&ss, "g.yaml", NULL, 0);
	struct loc l = { f, 3, 5, 3, 9 };
	diag_warning(&d, l, DIAG_W001, "event '%s' is not in the catalog", "X");
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	diag_render_json(&d, out);
	fclose(out);
	assert_non_null(strstr(buf, "\"file\": \"g.yaml\""));
	assert_non_null(strstr(buf, "\"severity\": \"warning\""));
	assert_non_null(strstr(buf, "\"code\": \"W001\""));
	assert_non_null(strstr(buf, "\"end\": {"));
	assert_non_null(strstr(buf, "\"hints\": []"));
	free(buf);
	diag_sink_release(&d);
	source_set_release(&ss);
}

static void test_sort_is_by_position(void **state)
{
	struct source_set ss;
	struct diag_sink d;
	source_set_init(&ss);
	diag_sink_init(&d, &ss);
	struct loc l2 = { 0, 2, 1, 2, 2 }, l1 = { 0, 1, 5, 1, 6 };
	diag_error(&d, l2, DIAG_E100, "second");
	diag_error(&d, l1, DIAG_E100, "first");
	diag_sort(&d);
	assert_string_equal(d.items[0].message, "first");
	assert_string_equal(d.items[1].message, "second");
	diag_sink_release(&d);
	source_set_release(&ss);
}

/* diag_keep_files drops the other files' diagnostics and recounts. */
static void test_keep_files(void **state)
{
	(void)state;
	struct source_set ss;
	struct diag_sink d;
	source_set_init(&ss);
	diag_sink_init(&d, &ss);
	uint32_t a = source_add(&ss, "a.lac", xstrdup("x\n"), 2);
	uint32_t b = source_add(&ss, "b.lac", xstrdup("y\n"), 2);
	diag_error(&d, (struct loc){ a, 1, 1, 1, 2 }, DIAG_E100, "in a");
	diag_hint(&d, "a hint");
	diag_warning(&d, (struct loc){ b, 1, 1, 1, 2 }, DIAG_E100, "in b");
	diag_error(&d, (struct loc){ b, 1, 1, 1, 2 }, DIAG_E100, "in b too");
	diag_error(&d, (struct loc){ 0 }, DIAG_E001, "no file");
	assert_int_equal(d.nerrors, 3);
	bool keep[3] = { true, false, true }; /* file 0 is never kept */
	diag_keep_files(&d, keep);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.nerrors, 1);
	assert_int_equal(d.nwarnings, 1);
	assert_string_equal(d.items[0].message, "in b");
	assert_string_equal(d.items[1].message, "in b too");
	diag_sink_release(&d);
	source_set_release(&ss);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caret_under_span),
		cmocka_unit_test(test_long_line_is_cut_around_the_caret),
		cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_sort_is_by_position),
		cmocka_unit_test(test_keep_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
