/*
 * test_ast.c — the name tables ast.c generates from the kind lists of
 * ast.h: every kind has its own name, and the names are the words the
 * language writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lang/ast.h"

/* Each name is set and differs from the names before it in its list. */
static void expect_distinct(const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_non_null(names[i]);
		assert_true(names[i][0] != '\0');
		for (size_t j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				fail_msg("kinds %zu and %zu are both named '%s'", j, i, names[i]);
	}
}

#define COUNT_ITEM(e, ...) +1

static void test_expr_kind_names(void **state)
{
	enum { N = 0 AST_EXPR_KINDS(COUNT_ITEM) };
	const char *names[N];
	for (int k = 0; k < N; k++)
		names[k] = expr_kind_name((enum expr_kind)k);
	expect_distinct(names, N);
	assert_int_equal(N, EX_COLUMN + 1);
	assert_string_equal(expr_kind_name(EX_AND), "and");
	assert_string_equal(expr_kind_name(EX_BLOCK), "block");
	assert_string_equal(expr_kind_name(EX_AUDIENCE), "audience");
	assert_string_equal(expr_kind_name(EX_COLUMN), "column");
}

static void test_pred_op_text(void **state)
{
	enum { N = 0 AST_PRED_KINDS(COUNT_ITEM) };
	const char *names[N];
	for (int k = 0; k < N; k++)
		names[k] = pred_op_text(&(struct predicate){ .kind = (enum pred_kind)k, .cmp = CMP_LE });
	expect_distinct(names, N);
	assert_string_equal(names[PRED_CMP], "<=");
	assert_string_equal(pred_op_text(&(struct predicate){ .kind = PRED_CMP, .cmp = CMP_NE }), "!=");
	assert_string_equal(names[PRED_NOT_CONTAINS], "not contains");
	assert_string_equal(names[PRED_IS_NOT_NULL], "is not null");
	assert_string_equal(names[PRED_AFTER_NEXT], "after next");
}

static void test_small_kind_names(void **state)
{
	enum { NLIT = 0 AST_LIT_KINDS(COUNT_ITEM), NAGG = 0 AST_AGG_KINDS(COUNT_ITEM),
	       NCMP = 0 AST_CMP_OPS(COUNT_ITEM), NTRIG = 0 AST_TRIGGER_KINDS(COUNT_ITEM) };
	const char *lits[NLIT], *aggs[NAGG], *cmps[NCMP], *trigs[NTRIG];
	for (int k = 0; k < NLIT; k++)
		lits[k] = lit_kind_name((enum lit_kind)k);
	for (int k = 0; k < NAGG; k++)
		aggs[k] = agg_name((enum agg_kind)k);
	for (int k = 0; k < NCMP; k++)
		cmps[k] = cmp_op_text((enum cmp_op)k);
	for (int k = 0; k < NTRIG; k++)
		trigs[k] = trigger_name((enum trigger_kind)k);
	expect_distinct(lits, NLIT);
	expect_distinct(aggs, NAGG);
	expect_distinct(cmps, NCMP);
	expect_distinct(trigs, NTRIG);
	/* typed literals are written after their kind's name */
	assert_string_equal(lit_kind_name(LIT_DATE), "date");
	assert_string_equal(lit_kind_name(LIT_TIMESTAMP), "timestamp");
	assert_string_equal(agg_name(AGG_AVG), "avg");
	assert_string_equal(cmp_op_text(CMP_GE), ">=");
	assert_string_equal(trigger_name(TRIG_NONE), "none");
	assert_string_equal(trigger_name(TRIG_MEMBERSHIP_OR_VALUES_CHANGED),
			    "membership or values changed");
}

static void test_time_units(void **state)
{
	assert_string_equal(time_unit_name(UNIT_MINUTE, 1), "minute");
	assert_string_equal(time_unit_name(UNIT_WEEK, 2), "weeks");
	assert_string_equal(time_unit_name(UNIT_DAY, 0), "days");
	assert_int_equal(time_unit_seconds(UNIT_HOUR), 3600);
	assert_int_equal(time_unit_seconds(UNIT_WEEK), 7 * 86400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expr_kind_names),
		cmocka_unit_test(test_pred_op_text),
		cmocka_unit_test(test_small_kind_names),
		cmocka_unit_test(test_time_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
