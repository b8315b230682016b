/*
 * test_parse_tree.c — the tree-building helpers of the grammar's actions
 * (src/lang/parse_tree.h), called directly: the values they build and the
 * errors the parser reports through them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lang/parse_tree.h"
#include "scanner.h"

static struct arena arena;
static struct source_set ss;
static struct diag_sink sink;
static struct lac_parse lp;

static int setup(void **state)
{
	(void)state;
	memset(&arena, 0, sizeof(arena));
	source_set_init(&ss);
	diag_sink_init(&sink, &ss);
	lac_parse_init(&lp, &arena, &sink, 0, "a.lac", "", 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	lac_parse_release(&lp);
	diag_sink_release(&sink);
	source_set_release(&ss);
	arena_release(&arena);
	return 0;
}

static struct loc at(uint32_t line, uint32_t col, uint32_t end_col)
{
	return (struct loc){ 0, line, col, line, end_col };
}

/* The one diagnostic reported so far has this code and message. */
static void expect_one_diag(enum diag_code code, const char *message)
{
	assert_int_equal(sink.n, 1);
	assert_int_equal(sink.items[0].code, code);
	assert_string_equal(sink.items[0].message, message);
}

static void test_span(void **state)
{
	(void)state;
	struct loc l = pt_span(at(1, 3, 5), (struct loc){ 0, 4, 1, 4, 9 });
	assert_int_equal(l.line, 1);
	assert_int_equal(l.col, 3);
	assert_int_equal(l.end_line, 4);
	assert_int_equal(l.end_col, 9);
}

static void test_int(void **state)
{
	(void)state;
	assert_int_equal(pt_int(&lp, "0", at(1, 1, 2)), 0);
	assert_int_equal(pt_int(&lp, "2147483647", at(1, 1, 2)), 2147483647);
	assert_int_equal(sink.n, 0);
	assert_int_equal(pt_int(&lp, "2147483648", at(1, 1, 2)), -1);
	expect_one_diag(DIAG_E319, "number '2147483648' is too large");
}

static void test_int_not_whole(void **state)
{
	(void)state;
	assert_int_equal(pt_int(&lp, "1.5", at(1, 1, 4)), -1);
	expect_one_diag(DIAG_E103, "expected a whole number of 0 or more, got '1.5'");
}

static void test_typed_literals(void **state)
{
	(void)state;
	static const struct { enum lit_kind k; const char *text; bool ok; } cases[] = {
		{ LIT_DATE, "2024-02-29", true },         /* leap year */
		{ LIT_DATE, "2023-02-29", false },
		{ LIT_DATE, "2024-13-01", false },
		{ LIT_DATE, "2024-01-01x", false },
		{ LIT_TIME, "23:59:59.125", true },
		{ LIT_TIME, "24:00:00", false },
		{ LIT_TIME, "08:30:00.", false },
		{ LIT_TIMESTAMP, "2025-01-31T08:30:00Z", true },
		{ LIT_TIMESTAMP, "2025-01-31 08:30:00+01:00", true },
		{ LIT_TIMESTAMP, "2025-01-31T08:30:00+24:00", false },
		{ LIT_TIMESTAMP, "2025-01-31", false },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t before = sink.n;
		struct literal l = pt_typed_literal(&lp, cases[i].k, cases[i].text, at(1, 6, 18));
		assert_int_equal(l.kind, cases[i].k);
		assert_string_equal(l.text, cases[i].text);
		if ((sink.n == before) != cases[i].ok)
			fail_msg("%s: reported %zu error(s)", cases[i].text, sink.n - before);
	}
	assert_int_equal(sink.items[0].code, DIAG_E103);
	assert_string_equal(sink.items[0].message, "invalid date '2023-02-29'");
}

static void test_schedule_at(void **state)
{
	(void)state;
	struct schedule s = pt_schedule_at(&lp, "08:05", at(1, 4, 9), 3, at(1, 1, 20));
	assert_int_equal(s.kind, SCHED_AT);
	assert_int_equal(s.hour, 8);
	assert_int_equal(s.minute, 5);
	assert_int_equal(s.days, 3);
	assert_int_equal(sink.n, 0);
	s = pt_schedule_at(&lp, "24:00", at(1, 4, 9), 3, at(1, 1, 20));
	assert_int_equal(s.hour, -1);
	assert_int_equal(s.minute, -1);
	expect_one_diag(DIAG_E400, "schedule time '24:00' is not a time of day");
}

static void test_day_bit(void **state)
{
	(void)state;
	assert_int_equal(pt_day_bit(&lp, "mon", at(1, 1, 4)), 1);
	assert_int_equal(pt_day_bit(&lp, "sun", at(1, 1, 4)), 64);
	assert_int_equal(sink.n, 0);
	assert_int_equal(pt_day_bit(&lp, "monday", at(1, 1, 7)), 0);
	expect_one_diag(DIAG_E400, "schedule day 'monday' is not a day of the week");
}

static void test_path_and_names(void **state)
{
	(void)state;
	struct path p = pt_path_one(&lp, "pets", at(2, 5, 9));
	pt_path_add(&lp, &p, "vet", at(2, 10, 13));
	assert_int_equal(p.n, 2);
	assert_string_equal(p.parts[1], "vet");
	assert_int_equal(p.part_locs[1].col, 10);
	assert_int_equal(p.loc.col, 5);
	assert_int_equal(p.loc.end_col, 13);

	struct name_list n = pt_names_one(&lp, "a", at(3, 1, 2));
	pt_names_add(&lp, &n, "b", at(3, 4, 5));
	assert_int_equal(n.n, 2);
	assert_string_equal(n.v[1], "b");
	assert_int_equal(n.locs[1].col, 4);
}

static void test_not(void **state)
{
	(void)state;
	/* `not part of audience x` negates the condition itself */
	struct ast_expr *aud = pt_part_of(&lp, "x", at(1, 5, 25), USING_DEFAULT, at(1, 5, 25));
	struct ast_expr *e = pt_not(&lp, aud, at(1, 1, 25));
	assert_ptr_equal(e, aud);
	assert_true(e->negated);
	assert_int_equal(e->loc.col, 1);
	/* not of not: a node of its own */
	struct ast_expr *n = pt_not(&lp, e, at(1, 1, 30));
	assert_int_equal(n->kind, EX_NOT);
	assert_ptr_equal(n->lhs, e);
}

static void test_items_skip_broken_rest(void **state)
{
	(void)state;
	struct expr_list items = { NULL, 0 };
	pt_items_add(&lp, &items, pt_column(&lp, "x", at(2, 3, 4), NULL, at(2, 3, 12)));
	lp.err_loc = at(2, 13, 14);
	pt_items_add(&lp, &items, pt_column(&lp, "y", at(2, 13, 14), NULL, at(2, 13, 18)));
	pt_items_add(&lp, &items, pt_column(&lp, "z", at(3, 3, 4), NULL, at(3, 3, 12)));
	assert_int_equal(items.n, 2);
	assert_string_equal(items.v[1]->column, "z");
}

static void test_audience_duplicate_setting(void **state)
{
	(void)state;
	pt_audience_begin(&lp, "cats", at(1, 10, 14), true);
	struct ast_audience *a = lp.aud;
	pt_audience_text(&lp, "name", &a->display_name, &a->display_name_loc, "Cats", at(2, 8, 14),
			 at(2, 3, 14));
	pt_audience_text(&lp, "name", &a->display_name, &a->display_name_loc, "Dogs", at(3, 8, 14),
			 at(3, 3, 14));
	assert_string_equal(a->display_name, "Cats");
	expect_one_diag(DIAG_E317, "duplicate setting 'name' in audience 'cats'");
	assert_int_equal(sink.items[0].loc.line, 3);
	pt_audience_enabled(&lp, false, at(4, 11, 16), at(4, 3, 16));
	assert_int_equal(a->enabled, 0);
	pt_audience_end(&lp, at(1, 1, 2));
	assert_int_equal(lp.file->naudiences, 1);
	assert_false(a->syntax_error);
}

static void test_activation_in_audience(void **state)
{
	(void)state;
	pt_audience_begin(&lp, "cats", at(1, 10, 14), false);
	pt_activation_begin(&lp, "push", at(2, 14, 18), true);
	pt_activation_trigger(&lp, TRIG_PROFILE_ENTERED, at(3, 13, 29), at(3, 5, 29));
	pt_activation_trigger(&lp, TRIG_PROFILE_EXITED, at(4, 13, 28), at(4, 5, 28));
	assert_int_equal(lp.act->trigger, TRIG_PROFILE_ENTERED);
	expect_one_diag(DIAG_E317, "duplicate setting 'trigger' in activation 'push'");
	pt_activation_map(&lp, "properties.x", at(5, 9, 23),
			  (struct operand){ .ref = REF_COLUMN, .slug = "pets", .column = "name" },
			  at(5, 5, 35));
	assert_int_equal(lp.act->nmaps, 1);
	pt_activation_end(&lp, at(2, 3, 6));
	assert_int_equal(lp.aud->nactivations, 1);
	assert_ptr_equal(lp.aud->activations[0]->audience, lp.aud);
	/* a bad audience header: parsed, then left out */
	pt_audience_end(&lp, at(1, 1, 7));
	assert_int_equal(lp.file->naudiences, 0);
}

static void test_where_too_deep(void **state)
{
	(void)state;
	pt_audience_begin(&lp, "deep", at(1, 10, 14), true);
	struct ast_expr *e = pt_column(&lp, "x", at(2, 1, 2), NULL, at(2, 1, 10));
	for (int i = 0; i < LAC_MAX_EXPR_DEPTH; i++)
		e = pt_not(&lp, e, at(2, 1, 10));
	struct expr_list items = { NULL, 0 };
	pt_items_add(&lp, &items, e);
	struct ast_expr *block = pt_block(&lp, items, at(1, 9, 30));
	pt_audience_where(&lp, block, at(1, 3, 8), at(1, 3, 30));
	expect_one_diag(DIAG_E100, "conditions nested too deeply (more than 1000 levels)");
	assert_int_equal(block->nitems, 0);
	assert_int_equal(sink.items[0].loc.end_col, 10); /* the opening brace only */
	pt_audience_end(&lp, at(1, 1, 31));
	assert_true(lp.file->audiences[0]->syntax_error);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_span, setup, teardown),
		cmocka_unit_test_setup_teardown(test_int, setup, teardown),
		cmocka_unit_test_setup_teardown(test_int_not_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_typed_literals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedule_at, setup, teardown),
		cmocka_unit_test_setup_teardown(test_day_bit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_and_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not, setup, teardown),
		cmocka_unit_test_setup_teardown(test_items_skip_broken_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audience_duplicate_setting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_activation_in_audience, setup, teardown),
		cmocka_unit_test_setup_teardown(test_where_too_deep, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
