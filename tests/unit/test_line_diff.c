/* test_line_diff.c — the line diff: unified hunks numbered as GNU diff
 * numbers them, a missing last newline, hunks joined when their context
 * touches, and for random texts (and texts past the table's size) a script
 * that turns the old text into the new one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "base/line_diff.h"

/* the unified diff of two texts, labels "a" and "b", as a string to free */
static char *unified(const char *old_text, const char *new_text, size_t context)
{
	struct line_diff d;
	struct strbuf out = STRBUF_INIT;
	line_diff_compute(&d, old_text, strlen(old_text), new_text, strlen(new_text), true);
	line_diff_unified(&d, "a", "b", context, &out);
	line_diff_release(&d);
	return sb_detach(&out);
}

static void expect_unified(const char *old_text, const char *new_text, size_t context, const char *want)
{
	char *got = unified(old_text, new_text, context);
	assert_string_equal(got, want);
	free(got);
}

static void test_same_texts_print_nothing(void **state)
{
	(void)state;
	expect_unified("", "", 3, "");
	expect_unified("x\ny\n", "x\ny\n", 3, "");
	struct line_diff d;
	line_diff_compute(&d, "x\ny", 3, "x\ny\n", 4, false);
	assert_false(d.changed); /* without eol_matters, only the lines' text counts */
	line_diff_release(&d);
}

static void test_hunk_numbers(void **state)
{
	(void)state;
	expect_unified("1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nfive\n6\n7\n8\n", 3,
		       "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
	/* one line a side: the count is left out */
	expect_unified("x\n", "y\n", 3, "--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n");
	/* an empty side is named by the line before it */
	expect_unified("", "x\ny\n", 3, "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n");
	expect_unified("a\nb\n", "a\n", 0, "--- a\n+++ b\n@@ -2 +1,0 @@\n-b\n");
	expect_unified("a\nb\n", "a\nx\nb\n", 0, "--- a\n+++ b\n@@ -1,0 +2 @@\n+x\n");
}

static void test_missing_newline(void **state)
{
	(void)state;
	expect_unified("x\ny", "x\ny\n", 3,
		       "--- a\n+++ b\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+y\n");
}

static void test_hunks_join_when_context_touches(void **state)
{
	(void)state;
	/* changes 6 lines apart: the context of both (3 + 3) touches, one hunk */
	expect_unified("a\n1\n2\n3\n4\n5\n6\nb\n", "A\n1\n2\n3\n4\n5\n6\nB\n", 3,
		       "--- a\n+++ b\n@@ -1,8 +1,8 @@\n-a\n+A\n 1\n 2\n 3\n 4\n 5\n 6\n-b\n+B\n");
	/* 7 apart: two hunks */
	expect_unified("a\n1\n2\n3\n4\n5\n6\n7\nb\n", "A\n1\n2\n3\n4\n5\n6\n7\nB\n", 3,
		       "--- a\n+++ b\n@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n"
		       "@@ -6,4 +6,4 @@\n 5\n 6\n 7\n-b\n+B\n");
}

/* The script replayed on the old lines must give the new text, each op
 * standing where it says; returns how many lines it kept. */
static size_t replay(const struct line_diff *d, const char *new_text)
{
	struct strbuf got = STRBUF_INIT;
	size_t i = 0, j = 0, kept = 0;
	for (size_t k = 0; k < d->nops; k++) {
		const struct line_op *o = &d->ops[k];
		assert_int_equal(o->a, i);
		assert_int_equal(o->b, j);
		const struct text_line *l = o->kind == LINE_ADD ? &d->b[j] : &d->a[i];
		if (o->kind != LINE_DEL) {
			sb_addmem(&got, l->s, l->len);
			if (l->newline)
				sb_addch(&got, '\n');
		}
		i += o->kind != LINE_ADD;
		j += o->kind != LINE_DEL;
		kept += o->kind == LINE_SAME;
	}
	assert_int_equal(i, d->na);
	assert_int_equal(j, d->nb);
	assert_string_equal(got.buf ? got.buf : "", new_text);
	sb_release(&got);
	return kept;
}

static char *random_text(unsigned *seed, size_t lines)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < lines; i++) {
		sb_addch(&sb, (char)('a' + rand_r(seed) % 4));
		if (i + 1 < lines || rand_r(seed) % 2)
			sb_addch(&sb, '\n');
	}
	return sb.buf ? sb_detach(&sb) : xstrdup("");
}

static void test_random_scripts_replay(void **state)
{
	(void)state;
	unsigned seed = 7;
	for (int n = 0; n < 500; n++) {
		char *x = random_text(&seed, (size_t)(rand_r(&seed) % 12));
		char *y = random_text(&seed, (size_t)(rand_r(&seed) % 12));
		struct line_diff d;
		line_diff_compute(&d, x, strlen(x), y, strlen(y), true);
		replay(&d, y);
		assert_int_equal(d.changed, strcmp(x, y) != 0);
		line_diff_release(&d);
		free(x);
		free(y);
	}
}

/* Past LINE_DIFF_MAX_CELLS the middle is deleted and added whole: still a
 * script that gives the new text, the shared ends kept. */
static void test_large_texts_fall_back(void **state)
{
	(void)state;
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	sb_addstr(&x, "head\n");
	sb_addstr(&y, "head\n");
	for (int i = 0; i < 4200; i++) {
		sb_addf(&x, "old %d\n", i);
		sb_addf(&y, "new %d\n", i);
	}
	sb_addstr(&x, "tail\n");
	sb_addstr(&y, "tail\n");
	assert_true((size_t)4201 * 4201 > LINE_DIFF_MAX_CELLS);
	struct line_diff d;
	line_diff_compute(&d, x.buf, x.len, y.buf, y.len, true);
	assert_int_equal(replay(&d, y.buf), 2);
	assert_int_equal(d.ops[1].kind, LINE_DEL);
	assert_int_equal(d.ops[d.nops - 2].kind, LINE_ADD);
	line_diff_release(&d);
	sb_release(&x);
	sb_release(&y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_texts_print_nothing),
		cmocka_unit_test(test_hunk_numbers),
		cmocka_unit_test(test_missing_newline),
		cmocka_unit_test(test_hunks_join_when_context_touches),
		cmocka_unit_test(test_random_scripts_replay),
		cmocka_unit_test(test_large_texts_fall_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
