/*
 * fuzz_token.c — fuzz entry point over a token endpoint's answer body
 * (net/token_endpoint.h): each input is read as a 200's answer
 * (access_token, expires_in) and as a refusal ("error",
 * "error_description").  A token taken must be held, fresh at the time it
 * was issued unless its lifetime is zero, and expire no earlier than
 * issued.  Built with -DLAC_LIBFUZZER it is a libFuzzer target; otherwise
 * main() replays every file of tests/corpus/token (a unit test in make
 * check).
 */
#include <stdint.h>
#include <stdlib.h>

#include "net/token_endpoint.h"
#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const time_t now = 1700000000;
	struct access_token t = { 0 };
	struct strbuf err = STRBUF_INIT;
	if (token_answer_read((const char *)data, size, now, &t, "https://token.test/", &err) == 0) {
		if (!t.value || t.expires_at < now || t.renew_at > t.expires_at)
			abort();
	} else if (t.value || !err.len) {
		abort();
	}
	sb_release(&err);
	access_token_release(&t);
	free(token_answer_refusal((const char *)data, size));
	return 0;
}

#ifndef LAC_LIBFUZZER
int main(int argc, char **argv)
{
	return fuzz_replay_main("fuzz_token", LAC_CORPUS_DIR, argc, argv);
}
#endif
