/*
 * fuzz_plan_file.c — fuzz entry point over a saved plan file (`lac plan
 * --out`, read back by `lac apply FILE`): each input is read as JSON the
 * way apply reads the file and judged (plan_file_judge) against an empty
 * plan made against the state fingerprint the seeds carry.  Built with
 * -DLAC_LIBFUZZER it is a libFuzzer target; otherwise main() replays every
 * file of tests/corpus/plan (a unit test in make check).
 */
#include <stdint.h>
#include <stdlib.h>

#include "plan/plan_file.h"
#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char state_fp[] = "3284e66138904d38b1ed191665571e9d2483aa4562fe76d823be25018a102e07";
	struct plan pl = { .fingerprint = state_fp };
	json_t *root = json_loadb((const char *)data, size, 0, NULL);
	enum plan_file_verdict v = plan_file_judge(root, &pl);
	if (!root && v != PLAN_FILE_NOT_A_PLAN)
		abort();
	json_decref(root);
	return 0;
}

#ifndef LAC_LIBFUZZER
int main(int argc, char **argv)
{
	return fuzz_replay_main("fuzz_plan_file", LAC_CORPUS_DIR, argc, argv);
}
#endif
