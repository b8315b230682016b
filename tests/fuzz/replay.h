/*
 * replay.h — main() of a fuzz target built without libFuzzer: every file of
 * a corpus folder (argv[1], or the folder the build names) through
 * LLVMFuzzerTestOneInput once, so that make check replays the corpus.
 */
#ifndef LAC_FUZZ_REPLAY_H
#define LAC_FUZZ_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Replay dir (argv[1] when given); print "<name>: N inputs replayed".
 * 0, or 1 when the folder cannot be read or holds no input. */
int fuzz_replay_main(const char *name, const char *dir, int argc, char **argv);

/* Run judge on every file of dir (or on the files and folders argv
 * names), in byte order; judge returns how many failures the file has.
 * Prints "<name>: N inputs, F failures"; 0 when there are none. */
int fuzz_replay_judged(const char *name, const char *dir, int argc, char **argv,
		       int (*judge)(const char *path));

/* Is path a find campaign.sh merged in (named by 40 hex digits, libFuzzer's
 * SHA-1), not a hand-written input? */
bool fuzz_campaign_find(const char *path);

#endif
