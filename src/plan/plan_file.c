/*
 * plan_file.c — a saved plan judged against the plan now (plan_file.h).
 */
#include <stdlib.h>
#include <string.h>

#include "plan/plan_file.h"

enum plan_file_verdict plan_file_judge(const json_t *root, const struct plan *pl)
{
	const char *state_fp = json_string_value(json_object_get(root, "state_fingerprint"));
	const char *plan_fp = json_string_value(json_object_get(root, "plan_fingerprint"));
	json_int_t version = json_integer_value(json_object_get(root, "format_version"));
	if (!state_fp || !plan_fp || version != 1)
		return PLAN_FILE_NOT_A_PLAN;
	if (strcmp(state_fp, pl->fingerprint) != 0)
		return PLAN_FILE_STALE_STATE;
	char *fp = plan_changes_fingerprint(pl);
	enum plan_file_verdict v = strcmp(plan_fp, fp) != 0 ? PLAN_FILE_STALE_FILES : PLAN_FILE_OK;
	free(fp);
	return v;
}
