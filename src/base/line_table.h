/*
 * line_table.h — where each line of a text starts, so a line's text or a
 * byte offset's line and column are found without rescanning the text.
 * struct source (base/diag.h) keeps one per file; it works on any buffer.
 */
#ifndef LAC_LINE_TABLE_H
#define LAC_LINE_TABLE_H

#include <stddef.h>
#include <stdint.h>

/* Lines are split at '\n' only: a text has one line more than it has '\n's
 * (an empty text has one empty line; "a\n" has "a" and an empty line 2). */
struct line_table {
	const char *text; /* the text indexed (not owned) */
	size_t len;
	size_t *start;    /* start[i]: offset of line i + 1's first byte */
	size_t n;         /* lines */
};
#define LINE_TABLE_INIT { NULL, 0, NULL, 0 }

/* Indexes text[0..len) (text may be NULL when len is 0). */
void line_table_build(struct line_table *t, const char *text, size_t len);
void line_table_release(struct line_table *t);
/* Line `line` (1-based) without its '\n' and a '\r' before it: its first
 * byte, and its length in *len.  NULL for line 0 or past the last line. */
const char *line_table_line(const struct line_table *t, uint32_t line, size_t *len);
/* The 1-based line and byte column of offset off (one past the end at most). */
void line_table_locate(const struct line_table *t, size_t off, uint32_t *line, uint32_t *col);

#endif
