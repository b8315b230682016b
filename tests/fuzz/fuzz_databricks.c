/*
 * fuzz_databricks.c — fuzz entry point over what the Databricks connector
 * reads from the network without a socket: each input is decoded as a
 * result chunk (any column count, and two columns), as an error body, and
 * made a query tag value.  Nothing may crash, leak or trip the sanitizers.
 * Built with -DLAC_LIBFUZZER it is a libFuzzer target; otherwise main()
 * replays every file of tests/corpus/databricks (a unit test in make check).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warehouse/warehouse_databricks.h"
#include "replay.h"

static int count_row(void *arg, int ncol, const char *const *vals)
{
	size_t *n = arg;
	for (int i = 0; i < ncol; i++)
		*n += vals[i] ? strlen(vals[i]) : 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	size_t seen = 0;
	bool stop;
	struct strbuf sb = STRBUF_INIT;
	databricks_decode_rows(body, size, -1, count_row, &seen, &stop, &sb);
	sb_reset(&sb);
	databricks_decode_rows(body, size, 2, count_row, &seen, &stop, &sb);
	sb_reset(&sb);
	databricks_error_text(body, size, &sb);
	sb_release(&sb);
	char *text = xstrndup(body, size);
	char tag[DATABRICKS_TAG_MAX + 1];
	databricks_tag_value(text, tag);
	free(text);
	return 0;
}

#ifndef LAC_LIBFUZZER
int main(int argc, char **argv)
{
	return fuzz_replay_main("fuzz_databricks", LAC_CORPUS_DIR, argc, argv);
}
#endif
