/*
 * fuzz_keys.c — fuzz entry point over what lac reads from key files and
 * credential bodies: each input is loaded as a PEM private key (without and
 * with a passphrase, rsa_key_load_pem), as an inline service-account JSON
 * (google_sa_open, when it starts with '{'), and its first line as a
 * Retry-After header value.  Nothing may crash, leak or trip the sanitizers,
 * and no error may quote the input's bytes (they may be a key).  Built with
 * -DLAC_LIBFUZZER it is a libFuzzer target; otherwise main() replays every
 * file of tests/corpus/keys (a unit test in make check).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/google_sa.h"
#include "net/http_retry.h"
#include "net/rsa_key.h"
#include "replay.h"

/* An error must not show a run of the input (a key's bytes): at most a
 * short common word.  12 bytes of the input found in err is a leak. */
static void no_echo(const char *err, const uint8_t *data, size_t size)
{
	const size_t run = 12;
	for (size_t i = 0; size >= run && i + run <= size; i += run) {
		bool plain = true;
		for (size_t k = 0; k < run && plain; k++)
			plain = data[i + k] >= 'A' && data[i + k] <= 'z' && data[i + k] != '\\';
		if (!plain)
			continue; /* only runs that look like key text */
		if (memmem(err, strlen(err), data + i, run))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *pass[] = { NULL, "pw" };
	for (size_t i = 0; i < 2; i++) {
		struct rsa_key *k = NULL;
		struct strbuf err = STRBUF_INIT;
		if (rsa_key_load_pem((const char *)data, size, pass[i], &k, &err) == 0) {
			char *fp = rsa_key_fingerprint(k);
			free(fp);
			rsa_key_free(k);
		} else {
			no_echo(err.buf, data, size);
		}
		sb_release(&err);
	}
	/* inline JSON only: anything else is a file name to google_sa_open */
	size_t lead = 0;
	while (lead < size && (data[lead] == ' ' || data[lead] == '\n' || data[lead] == '\t' || data[lead] == '\r'))
		lead++;
	if (lead < size && data[lead] == '{' && !memchr(data, '\0', size)) {
		char *text = xstrndup((const char *)data, size);
		struct google_sa *sa = NULL;
		struct strbuf err = STRBUF_INIT;
		if (google_sa_open(text, &sa, &err) == 0)
			google_sa_free(sa);
		sb_release(&err);
		free(text);
	}
	const uint8_t *nl = memchr(data, '\n', size);
	char *line = xstrndup((const char *)data, nl ? (size_t)(nl - data) : size);
	(void)http_parse_retry_after(line, 1700000000);
	free(line);
	return 0;
}

#ifndef LAC_LIBFUZZER
int main(int argc, char **argv)
{
	return fuzz_replay_main("fuzz_keys", LAC_CORPUS_DIR, argc, argv);
}
#endif
