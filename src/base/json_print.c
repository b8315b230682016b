/*
 * json_print.c — the one way lac prints a jansson value for tools.
 */
#include <stdlib.h>

#include "base/json_print.h"

#define DOC_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)
#define LINE_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

static void print(FILE *out, const json_t *j, size_t flags)
{
	char *s = json_dumps(j, flags);
	if (!s)
		LAC_BUG("cannot print JSON (out of memory?)");
	fputs(s, out);
	fputc('\n', out);
	free(s);
}

void json_print_doc(FILE *out, const json_t *j)
{
	print(out, j, DOC_FLAGS);
}

void json_print_line(FILE *out, const json_t *j)
{
	print(out, j, LINE_FLAGS);
}

void json_append_doc(struct strbuf *sb, const json_t *j)
{
	char *s = json_dumps(j, DOC_FLAGS);
	if (!s)
		LAC_BUG("cannot print JSON (out of memory?)");
	sb_addstr(sb, s);
	sb_addch(sb, '\n');
	free(s);
}
