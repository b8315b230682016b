/*
 * replay.c — the corpus replay of fuzz targets built without libFuzzer
 * (replay.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/util.h"
#include "replay.h"

int fuzz_replay_main(const char *name, const char *dir, int argc, char **argv)
{
	if (argc > 1)
		dir = argv[1];
	DIR *dp = opendir(dir);
	if (!dp) {
		perror(dir);
		return 1;
	}
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		char *path = xasprintf("%s/%s", dir, de->d_name);
		size_t len;
		char *text = read_file(path, &len);
		if (text) {
			LLVMFuzzerTestOneInput((const uint8_t *)text, len);
			free(text);
			n++;
		}
		free(path);
	}
	closedir(dp);
	printf("%s: %zu inputs replayed\n", name, n);
	return n ? 0 : 1;
}
