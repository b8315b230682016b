/*
 * fuzz_answers.c — fuzz entry point over what lac reads from a destination's
 * 2xx answer: each input is read as Braze's and as Customer.io's answer
 * (dest_answer.c) to a request whose entries are tagged by the input's own
 * first bytes; every refusal must name an entry the request had.  Built with
 * -DLAC_LIBFUZZER it is a libFuzzer target; otherwise main() replays every
 * file of tests/corpus/answers (a unit test in make check).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "deliver/dest_answer.h"
#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* up to 16 entries, 'a' or 'e' by the bits of the first byte */
	size_t n = size ? (size_t)(data[0] & 15) : 0;
	char tags[16];
	for (size_t i = 0; i < n; i++)
		tags[i] = (data[0] >> (i % 8)) & 1 ? 'a' : 'e';
	struct dest_refusal *r;
	size_t nr = dest_answer_braze((const char *)data, size, tags, n, &r);
	for (size_t i = 0; i < nr; i++)
		if (r[i].index >= n || !r[i].why)
			abort();
	dest_refusals_free(r, nr);
	nr = dest_answer_customerio((const char *)data, size, n, &r);
	for (size_t i = 0; i < nr; i++)
		if (r[i].index >= n || !r[i].why)
			abort();
	dest_refusals_free(r, nr);
	return 0;
}

#ifndef LAC_LIBFUZZER
int main(int argc, char **argv)
{
	return fuzz_replay_main("fuzz_answers", LAC_CORPUS_DIR, argc, argv);
}
#endif
