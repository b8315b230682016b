/*
 * plan_file.h — what a saved plan (`lac plan --out FILE`, read back by
 * `lac apply FILE`) says, judged against the plan computed now: a plan
 * file applies only when neither the applied state nor the files changed
 * since it was made.  The file is untrusted JSON (fuzz_plan_file fuzzes
 * this judge).
 */
#ifndef LAC_PLAN_FILE_H
#define LAC_PLAN_FILE_H

#include <jansson.h>

#include "plan/plan.h"

enum plan_file_verdict {
	PLAN_FILE_OK,           /* made against this state and these files */
	PLAN_FILE_NOT_A_PLAN,   /* no fingerprints, or not format_version 1 */
	PLAN_FILE_STALE_STATE,  /* the applied state changed since */
	PLAN_FILE_STALE_FILES,  /* the files changed since */
};

/* Judge the saved plan root (any JSON value) against pl, computed now. */
enum plan_file_verdict plan_file_judge(const json_t *root, const struct plan *pl);

#endif
