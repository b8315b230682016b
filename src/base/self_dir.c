/*
 * self_dir.c — directories relative to the running executable (self_dir.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/self_dir.h"
#include "base/util.h"

char *exe_relative_dir(const char *exe, const char *rel)
{
	const char *slash = exe ? strrchr(exe, '/') : NULL;
	if (!slash)
		return NULL;
	char *dir = xasprintf("%.*s/%s", (int)(slash - exe), exe, rel);
	struct stat st;
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return dir;
	free(dir);
	return NULL;
}

char *self_relative_dir(const char *rel)
{
	/* the link's target: the executable itself, not a symlink to it */
	char *exe = realpath("/proc/self/exe", NULL);
	char *dir = exe_relative_dir(exe, rel);
	free(exe);
	return dir;
}
