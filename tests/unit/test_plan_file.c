/* test_plan_file.c — plan_file_judge: a saved plan applies only when it
 * names this state and these changes, in format version 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "plan/plan_file.h"

static enum plan_file_verdict judge(const char *text, const struct plan *pl)
{
	json_t *root = json_loads(text, 0, NULL);
	enum plan_file_verdict v = plan_file_judge(root, pl);
	json_decref(root);
	return v;
}

static void test_verdicts(void **state)
{
	(void)state;
	char state_fp[] = "s1";
	struct plan pl = { .fingerprint = state_fp };
	char *fp = plan_changes_fingerprint(&pl);
	char *ok = xasprintf("{\"format_version\":1,\"state_fingerprint\":\"s1\",\"plan_fingerprint\":\"%s\"}", fp);
	assert_int_equal(judge(ok, &pl), PLAN_FILE_OK);
	char *v2 = xasprintf("{\"format_version\":2,\"state_fingerprint\":\"s1\",\"plan_fingerprint\":\"%s\"}", fp);
	assert_int_equal(judge(v2, &pl), PLAN_FILE_NOT_A_PLAN);
	assert_int_equal(judge("{\"format_version\":1,\"state_fingerprint\":\"s0\",\"plan_fingerprint\":\"p\"}", &pl),
			 PLAN_FILE_STALE_STATE);
	assert_int_equal(judge("{\"format_version\":1,\"state_fingerprint\":\"s1\",\"plan_fingerprint\":\"p\"}", &pl),
			 PLAN_FILE_STALE_FILES);
	assert_int_equal(judge("{\"format_version\":1,\"state_fingerprint\":1,\"plan_fingerprint\":\"p\"}", &pl),
			 PLAN_FILE_NOT_A_PLAN);
	assert_int_equal(judge("[]", &pl), PLAN_FILE_NOT_A_PLAN);
	assert_int_equal(plan_file_judge(NULL, &pl), PLAN_FILE_NOT_A_PLAN);
	free(v2);
	free(ok);
	free(fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
