/* test_env.c — env_path_climbs: a ${VAR} whose value has a ".." path
 * component is found (and named); ".." inside a name, unset variables,
 * literal $${...} and plain text are not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/env.h"

static void test_path_climbs(void **state)
{
	struct arena a = { 0 };
	const char *name = NULL;
	setenv("LAC_T_OK", "data/dir", 1);
	setenv("LAC_T_DOTS", "a..b/c..", 1);
	setenv("LAC_T_UP", "../x", 1);
	setenv("LAC_T_MID", "x/../y", 1);
	setenv("LAC_T_END", "x/..", 1);
	setenv("LAC_T_ONLY", "..", 1);
	unsetenv("LAC_T_UNSET");
	assert_int_equal(env_path_climbs(&a, "${LAC_T_OK}/state.db", &name), 0);
	assert_int_equal(env_path_climbs(&a, "${LAC_T_DOTS}/state.db", &name), 0);
	assert_int_equal(env_path_climbs(&a, "${LAC_T_UNSET}/state.db", &name), 0);
	assert_int_equal(env_path_climbs(&a, "../written/${LAC_T_OK}", &name), 0); /* as written: the file's */
	assert_int_equal(env_path_climbs(&a, "$${LAC_T_UP}", &name), 0);          /* a literal ${ */
	const char *bad[] = { "LAC_T_UP", "LAC_T_MID", "LAC_T_END", "LAC_T_ONLY" };
	for (size_t i = 0; i < 4; i++) {
		char value[64];
		snprintf(value, sizeof(value), "${LAC_T_OK}/${%s}/f", bad[i]);
		name = NULL;
		assert_int_equal(env_path_climbs(&a, value, &name), 1);
		assert_string_equal(name, bad[i]);
	}
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_climbs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
