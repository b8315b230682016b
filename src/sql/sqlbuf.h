/*
 * sql/sqlbuf.h — the one way SQL text is written (STYLE.md item 12): a
 * printf-like formatter whose conversions know the dialect.
 *
 *   %I  identifier (const char *), quoted by the dialect only when needed
 *   %L  string literal (const char *), escaped by the dialect
 *   %T  table name (const char *const *parts, size_t n), per the dialect
 *   %s  raw SQL text (already-built fragments only; never user text)
 *   %S  the dialect's text type (no argument): CAST(x AS %S)
 *   %V  a column read back as text (enum col_type t, const char *alias or
 *       NULL, const char *column): alias.column in the explicit format of
 *       type t (dialect_read_back, SPEC §1.1 "Session")
 *   %d %ld %zu  numbers    %%  a percent sign
 *   \n  newline followed by the current indentation (2 spaces a level)
 */
#ifndef LAC_SQL_SQLBUF_H
#define LAC_SQL_SQLBUF_H

#include <stdarg.h>

#include "sql/dialect.h"

struct sqlbuf {
	struct strbuf sb;
	const struct dialect *d;
	int indent;
};

void sqlbuf_init(struct sqlbuf *b, const struct dialect *d);
void sqlbuf_release(struct sqlbuf *b);
void sql_addf(struct sqlbuf *b, const char *fmt, ...);
void sql_vaddf(struct sqlbuf *b, const char *fmt, va_list ap);
/* The same conversions into a plain strbuf (no indentation), for fragments. */
void sql_fmt(struct strbuf *sb, const struct dialect *d, const char *fmt, ...);

#endif
