/* test_util.c — arena, strbuf and the "did you mean" distance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void test_strbuf_grows_and_detaches(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	assert_string_equal(sb.buf, "");
	for (int i = 0; i < 1000; i++)
		sb_addf(&sb, "%d,", i);
	assert_true(sb.len > 3000);
	assert_memory_equal(sb.buf, "0,1,2,", 6);
	sb_setlen(&sb, 2);
	assert_string_equal(sb.buf, "0,");
	char *s = sb_detach(&sb);
	assert_string_equal(s, "0,");
	assert_int_equal(sb.len, 0);
	free(s);
	sb_release(&sb);
}

static void test_arena_strings_and_growth(void **state)
{
	struct arena a = ARENA_INIT;
	char *s = arena_sprintf(&a, "%s-%d", "x", 42);
	assert_string_equal(s, "x-42");
	int *v = NULL;
	size_t n = 0;
	for (int i = 0; i < 5000; i++)
		ARENA_PUSH(&a, v, n, i);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(v[i], i);
	/* a big allocation does not lose the block being filled */
	char *big = arena_alloc(&a, 1 << 20);
	big[(1 << 20) - 1] = 'z';
	char *after = arena_strdup(&a, "after");
	assert_string_equal(after, "after");
	assert_string_equal(s, "x-42");
	arena_release(&a);
}

static void test_edit_distance(void **state)
{
	assert_int_equal(edit_distance("type", "typ", 3), 1);
	assert_int_equal(edit_distance("kitten", "sitting", 5), 3);
	assert_int_equal(edit_distance("a", "abcdefgh", 3), 4); /* capped */
	const char *cands[] = { "id", "type", "age", "household_id" };
	assert_string_equal(closest_name("typ", cands, 4), "type");
	assert_null(closest_name("zzzzzz", cands, 4));
}

static void test_string_helpers(void **state)
{
	assert_true(str_eq(NULL, NULL));
	assert_false(str_eq("a", NULL));
	assert_true(str_starts("audience", "aud"));
	assert_true(str_ends("pets.lac", ".lac"));
	assert_false(str_ends("c", ".lac"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_grows_and_detaches),
		cmocka_unit_test(test_arena_strings_and_growth),
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_string_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
