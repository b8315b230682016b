/*
 * replay.c — the corpus replay of fuzz targets built without libFuzzer
 * (replay.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

bool fuzz_campaign_find(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	return strlen(base) == 40 && strspn(base, "0123456789abcdef") == 40;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int judge_dir(const char *name, const char *dir, int (*judge)(const char *), int *count)
{
	DIR *dh = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	int fails = 0;
	if (!dh) {
		fprintf(stderr, "%s: cannot open %s\n", name, dir);
		return 1;
	}
	for (struct dirent *e; (e = readdir(dh));)
		if (e->d_name[0] != '.')
			VEC_PUSH(names, n, cap, xasprintf("%s/%s", dir, e->d_name));
	closedir(dh);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		fails += judge(names[i]);
		(*count)++;
		free(names[i]);
	}
	free(names);
	return fails;
}

int fuzz_replay_judged(const char *name, const char *dir, int argc, char **argv,
		       int (*judge)(const char *path))
{
	int fails = 0, count = 0;
	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			struct stat st;
			if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
				fails += judge_dir(name, argv[i], judge, &count);
			} else {
				fails += judge(argv[i]);
				count++;
			}
		}
	} else {
		fails = judge_dir(name, dir, judge, &count);
	}
	if (!count)
		fails++; /* an empty corpus proves nothing */
	printf("%s: %d inputs, %d failures\n", name, count, fails);
	return fails ? 1 : 0;
}
