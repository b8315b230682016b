/*
 * derived_secrets.c — the process-wide list of derived credentials
 * (derived_secrets.h).
 */
#include <stdlib.h>
#include <string.h>

#include "net/derived_secrets.h"
#include "net/http_redact.h"

static char **list;
static size_t nlist, caplist;

void derived_secret_add(const char *v)
{
	if (!v || strlen(v) < HTTP_SECRET_MIN)
		return;
	for (size_t i = 0; i < nlist; i++)
		if (strcmp(list[i], v) == 0)
			return;
	VEC_PUSH(list, nlist, caplist, xstrdup(v));
}

void derived_secret_forget(const char *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < nlist; i++) {
		if (strcmp(list[i], v) != 0)
			continue;
		memset(list[i], 0, strlen(list[i]));
		free(list[i]);
		memmove(&list[i], &list[i + 1], (nlist - i - 1) * sizeof(*list));
		nlist--;
		return;
	}
}

const char *const *derived_secrets(size_t *n)
{
	*n = nlist;
	return (const char *const *)list;
}

void derived_secrets_redact(struct strbuf *sb)
{
	sb_redact(sb, (const char *const *)list, nlist, HTTP_SECRET_MIN, false);
}
