/*
 * warehouse/error_position.c — an HTTP warehouse's error position, read
 * from its message (error_position.h).
 */
#include <stdlib.h>
#include <string.h>

#include "warehouse/error_position.h"

/* A decimal number at *p (digits only), advancing *p past it; -1 if none. */
static long number_at(const char **p)
{
	if (**p < '0' || **p > '9')
		return -1;
	char *end;
	long v = strtol(*p, &end, 10);
	*p = end;
	return v;
}

/* Does s start with word, advancing *s past it? */
static bool skip(const char **s, const char *word)
{
	size_t n = strlen(word);
	if (strncmp(*s, word, n) != 0)
		return false;
	*s += n;
	return true;
}

bool wh_snowflake_error_at(const char *msg, long *line, long *col)
{
	for (const char *at = strstr(msg, "error line "); at; at = strstr(at + 1, "error line ")) {
		const char *p = at + strlen("error line ");
		long l = number_at(&p);
		if (l < 1 || !skip(&p, " at position "))
			continue;
		long c = number_at(&p);
		if (c < 0)
			continue;
		*line = l;
		*col = c + 1;
		return true;
	}
	return false;
}

bool wh_bigquery_error_at(const char *msg, long *line, long *col)
{
	bool found = false;
	for (const char *at = strstr(msg, "[");  at; at = strstr(at + 1, "[")) {
		const char *p = at + 1;
		long l = number_at(&p);
		if (l < 1 || !skip(&p, ":"))
			continue;
		long c = number_at(&p);
		if (c < 1 || !skip(&p, "]"))
			continue;
		*line = l;
		*col = c;
		found = true;
	}
	return found;
}

bool wh_databricks_error_at(const char *msg, long *line, long *col)
{
	for (const char *at = strstr(msg, "line "); at; at = strstr(at + 1, "line ")) {
		const char *p = at + strlen("line ");
		long l = number_at(&p);
		if (l < 1)
			continue;
		skip(&p, ",");
		if (!skip(&p, " pos "))
			continue;
		long c = number_at(&p);
		if (c < 0)
			continue;
		*line = l;
		*col = c + 1;
		return true;
	}
	return false;
}

long wh_line_col_position(const char *sql, long line, long col)
{
	long l = 1, c = 1, chars = 0;
	for (const char *p = sql; *p; p++) {
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue; /* inside a UTF-8 character */
		chars++;
		if (l == line && c == col)
			return chars;
		if (*p == '\n') {
			if (l == line)
				return 0;
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	return 0;
}
