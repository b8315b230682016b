/*
 * line_table.c — where each line of a text starts.
 */
#include <stdlib.h>
#include <string.h>

#include "base/line_table.h"
#include "base/util.h"

void line_table_build(struct line_table *t, const char *text, size_t len)
{
	size_t cap = 0;
	t->text = text ? text : "";
	t->len = text ? len : 0;
	t->start = NULL;
	t->n = 0;
	VEC_PUSH(t->start, t->n, cap, (size_t)0);
	for (const char *p = t->text, *end = t->text + t->len;
	     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		VEC_PUSH(t->start, t->n, cap, (size_t)(p - t->text) + 1);
}

void line_table_release(struct line_table *t)
{
	free(t->start);
	*t = (struct line_table)LINE_TABLE_INIT;
}

const char *line_table_line(const struct line_table *t, uint32_t line, size_t *len)
{
	if (line == 0 || line > t->n)
		return NULL;
	size_t from = t->start[line - 1];
	size_t to = line < t->n ? t->start[line] - 1 : t->len; /* at its '\n', or the end */
	if (to > from && t->text[to - 1] == '\r')
		to--;
	*len = to - from;
	return t->text + from;
}

void line_table_locate(const struct line_table *t, size_t off, uint32_t *line, uint32_t *col)
{
	if (off > t->len)
		off = t->len;
	/* the last line starting at or before off */
	size_t lo = 0, hi = t->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->start[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = (uint32_t)lo + 1;
	*col = (uint32_t)(off - t->start[lo]) + 1;
}
