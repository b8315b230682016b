/*
 * fuzz_bq_decode.c — fuzz entry point over the BigQuery connector's response
 * decoders: each input is decoded as a getQueryResults page (rows handed to
 * a callback that reads every value), as an error body and as a Job
 * resource (jobs.get).  Nothing may
 * crash, leak or trip the sanitizers.  Built with -DLAC_LIBFUZZER it is a
 * libFuzzer target; otherwise main() replays every file of tests/corpus/bq
 * (a unit test in make check).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warehouse/warehouse_bigquery.h"
#include "replay.h"

static int touch_row(void *arg, int ncol, const char *const *vals)
{
	size_t *n = arg;
	for (int i = 0; i < ncol; i++)
		*n += vals[i] ? strlen(vals[i]) : 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct bq_page pg;
	size_t n = 0;
	bq_decode_page((const char *)data, size, touch_row, &n, &pg, &err);
	bq_page_release(&pg);
	char *reason;
	bq_describe_error(400, (const char *)data, size, "HTTP 400", &out, &reason);
	free(reason);
	bool done;
	char *failed;
	bq_decode_job_status((const char *)data, size, &done, &failed);
	free(failed);
	sb_release(&err);
	sb_release(&out);
	return 0;
}

#ifndef LAC_LIBFUZZER
int main(int argc, char **argv)
{
	return fuzz_replay_main("fuzz_bq_decode", LAC_CORPUS_DIR, argc, argv);
}
#endif
