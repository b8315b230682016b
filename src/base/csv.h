/*
 * csv.h — CSV files with a header (RFC 4180: comma separated, fields in
 * double quotes may hold commas, quotes doubled, and line ends; LF or CRLF).
 * For audience test fixtures (`lac test`), where a table's rows may come
 * from a CSV file.  Every field remembers where it starts so that a bad
 * value is reported at file:line:col.
 */
#ifndef LAC_CSV_H
#define LAC_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

struct csv_field {
	const char *text;   /* NUL-terminated, quotes removed; in the arena */
	bool quoted;        /* written in quotes: "" is an empty string, an empty bare field is not */
	uint32_t line, col; /* 1-based, where the field starts */
};

struct csv_record {
	struct csv_field *fields;
	size_t n;
	uint32_t line;
};

/* A syntax error: what and where. */
struct csv_error {
	const char *message; /* static text */
	uint32_t line, col;
};

/* Parse text[0..len) into records (blank lines are skipped; a final line
 * end is optional).  0, or -1 with *e filled (an unterminated quote, or
 * text right after a closing quote). */
int csv_parse(struct arena *a, const char *text, size_t len, struct csv_record **out,
	      size_t *nout, struct csv_error *e);

#endif
