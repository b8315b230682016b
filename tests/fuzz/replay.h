/*
 * replay.h — main() of a fuzz target built without libFuzzer: every file of
 * a corpus folder (argv[1], or the folder the build names) through
 * LLVMFuzzerTestOneInput once, so that make check replays the corpus.
 */
#ifndef LAC_FUZZ_REPLAY_H
#define LAC_FUZZ_REPLAY_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Replay dir (argv[1] when given); print "<name>: N inputs replayed".
 * 0, or 1 when the folder cannot be read or holds no input. */
int fuzz_replay_main(const char *name, const char *dir, int argc, char **argv);

#endif
