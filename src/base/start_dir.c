/*
 * start_dir.c — paths in the commands lac suggests (start_dir.h).
 */
#include <string.h>

#include "base/start_dir.h"
#include "base/util.h"

static const char *entered;

void start_dir_entered(const char *dir)
{
	entered = dir;
}

char *start_dir_path(const char *path)
{
	if (!entered || path[0] == '/')
		return xstrdup(path);
	size_t n = strlen(entered);
	while (n > 1 && entered[n - 1] == '/')
		n--;
	if (strcmp(path, ".") == 0)
		return xstrndup(entered, n);
	return xasprintf("%.*s/%s", (int)n, entered, path);
}
