/*
 * fuzz_snowflake.c — fuzz entry point over the Snowflake SQL API body
 * decoders (warehouse/snowflake_result.h): each input is read as a result
 * body (rows, handle, partition count) and as an error body.  Nothing may
 * crash, leak or trip the sanitizers.  Built with -DLAC_LIBFUZZER it is a
 * libFuzzer target; otherwise main() replays every file of
 * tests/corpus/snowflake (a unit test in make check).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warehouse/snowflake_result.h"
#include "replay.h"

/* Touch every value handed over, so a bad pointer shows. */
static int touch_row(void *arg, int ncol, const char *const *vals)
{
	size_t *sum = arg;
	for (int i = 0; i < ncol; i++)
		*sum += vals[i] ? strlen(vals[i]) : 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sf_body_info info = { 0 };
	struct strbuf err = STRBUF_INIT, text = STRBUF_INIT;
	size_t sum = 0;
	sf_decode_rows((const char *)data, size, touch_row, &sum, &info, &err);
	sf_error_text((const char *)data, size, &text);
	sf_body_info_release(&info);
	sb_release(&err);
	sb_release(&text);
	return 0;
}

#ifndef LAC_LIBFUZZER
int main(int argc, char **argv)
{
	return fuzz_replay_main("fuzz_snowflake", LAC_CORPUS_DIR, argc, argv);
}
#endif
