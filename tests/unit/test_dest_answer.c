/* test_dest_answer.c — per-entry refusals in 2xx answers: Braze's index
 * counts within its array, Customer.io's within the batch; entries the
 * request did not have, wrong types and non-JSON refuse nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "deliver/dest_answer.h"

static size_t braze(const char *resp, const char *tags, struct dest_refusal **r)
{
	return dest_answer_braze(resp, strlen(resp), tags, strlen(tags), r);
}

static void test_braze(void **state)
{
	struct dest_refusal *r;
	/* entries: a0 e0 a1 e1 e2 */
	size_t n = braze("{\"message\":\"success\",\"errors\":["
			 "{\"type\":\"bad event\",\"input_array\":\"events\",\"index\":1},"
			 "{\"type\":\"bad attrs\",\"input_array\":\"attributes\",\"index\":0},"
			 "{\"type\":\"x\",\"input_array\":\"events\",\"index\":9},"
			 "{\"type\":\"x\",\"input_array\":\"purchases\",\"index\":0},"
			 "{\"type\":\"x\",\"input_array\":\"events\",\"index\":-1},"
			 "{\"input_array\":\"events\",\"index\":\"2\"},"
			 "{\"input_array\":\"events\",\"index\":2}]}", "aeaee", &r);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].index, 3);
	assert_string_equal(r[0].why, "refused by Braze: bad event");
	assert_int_equal(r[1].index, 0);
	assert_string_equal(r[1].why, "refused by Braze: bad attrs");
	assert_int_equal(r[2].index, 4);
	assert_string_equal(r[2].why, "refused by Braze: (no reason given)");
	dest_refusals_free(r, n);
	assert_int_equal(braze("{\"message\":\"success\"}", "ae", &r), 0);
	assert_null(r);
	assert_int_equal(braze("not json", "ae", &r), 0);
	assert_int_equal(braze("{\"errors\":{}}", "ae", &r), 0);
	assert_int_equal(dest_answer_braze("", 0, "", 0, &r), 0);
}

static void test_customerio(void **state)
{
	struct dest_refusal *r;
	const char *a = "{\"errors\":[{\"batch_index\":2,\"reason\":\"invalid\",\"field\":\"identifiers\","
			"\"message\":\"missing id\"},{\"batch_index\":0,\"reason\":\"too big\"},"
			"{\"batch_index\":3},{\"batch_index\":-1},{\"batch_index\":1.5},{\"batch_index\":1}]}";
	size_t n = dest_answer_customerio(a, strlen(a), 3, &r);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].index, 2);
	assert_string_equal(r[0].why, "refused by Customer.io: missing id (identifiers)");
	assert_int_equal(r[1].index, 0);
	assert_string_equal(r[1].why, "refused by Customer.io: too big");
	assert_int_equal(r[2].index, 1);
	assert_string_equal(r[2].why, "refused by Customer.io: (no reason given)");
	dest_refusals_free(r, n);
	assert_int_equal(dest_answer_customerio("{}", 2, 3, &r), 0);
	assert_int_equal(dest_answer_customerio("{\"errors\":[{\"batch_index\":0}]", 29, 3, &r), 0); /* cut */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_braze),
		cmocka_unit_test(test_customerio),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
