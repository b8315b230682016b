/* proj_fixture.h — a throw-away project directory for loader tests: write
 * files, chdir into it, load, and read the diagnostics back as text. */
#ifndef LAC_TEST_PROJ_FIXTURE_H
#define LAC_TEST_PROJ_FIXTURE_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "project/project.h"

static char fx_old_cwd[PATH_MAX];
static char fx_dir[PATH_MAX];

static void fx_write(const char *path, const char *text)
{
	char *copy = xstrdup(path);
	for (char *s = copy; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(copy, 0700);
			*s = '/';
		}
	}
	free(copy);
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

/* A fresh directory, made the current one. */
static void fx_enter(void)
{
	if (!getcwd(fx_old_cwd, sizeof fx_old_cwd))
		abort();
	snprintf(fx_dir, sizeof fx_dir, "%s/lac-test.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(fx_dir) || chdir(fx_dir))
		abort();
}

static void fx_leave(void)
{
	char *cmd = xasprintf("rm -rf '%s'", fx_dir);
	if (chdir(fx_old_cwd) || system(cmd) != 0)
		abort();
	free(cmd);
}

static char *fx_diags(struct project *p)
{
	struct strbuf sb = STRBUF_INIT;
	diag_sort(&p->diags);
	for (size_t i = 0; i < p->diags.n; i++)
		diag_format_one(&p->diags, &p->diags.items[i], &sb, false);
	return sb_detach(&sb);
}

/* Load settings + graph of the current directory; returns the diagnostics text. */
static char *fx_load(struct project *p)
{
	project_init(p);
	project_load_settings_and_graph(p, ".");
	return fx_diags(p);
}

#endif
