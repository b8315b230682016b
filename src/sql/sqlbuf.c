/*
 * sql/sqlbuf.c — the dialect-aware SQL formatter (see sqlbuf.h).
 */
#include <inttypes.h>
#include <string.h>

#include "sql/sqlbuf.h"

void sqlbuf_init(struct sqlbuf *b, const struct dialect *d)
{
	sb_init(&b->sb);
	b->d = d;
	b->indent = 0;
}

void sqlbuf_release(struct sqlbuf *b)
{
	sb_release(&b->sb);
}

static void vformat(struct strbuf *sb, const struct dialect *d, int indent,
		    const char *fmt, va_list ap)
{
	for (const char *f = fmt; *f; f++) {
		if (*f == '\n') {
			sb_addch(sb, '\n');
			sb_addindent(sb, indent * 2);
			continue;
		}
		if (*f != '%') {
			sb_addch(sb, *f);
			continue;
		}
		f++;
		switch (*f) {
		case 'I':
			d->quote_ident(d, sb, va_arg(ap, const char *));
			break;
		case 'L':
			d->string_lit(d, sb, va_arg(ap, const char *));
			break;
		case 'T': {
			const char *const *parts = va_arg(ap, const char *const *);
			size_t n = va_arg(ap, size_t);
			d->table_name(d, sb, parts, n);
			break;
		}
		case 's':
			sb_addstr(sb, va_arg(ap, const char *));
			break;
		case 'S':
			sb_addstr(sb, d->text_type);
			break;
		case 'V': {
			enum col_type t = (enum col_type)va_arg(ap, int);
			const char *alias = va_arg(ap, const char *);
			struct strbuf col = STRBUF_INIT;
			if (alias)
				sb_addf(&col, "%s.", alias);
			d->quote_ident(d, &col, va_arg(ap, const char *));
			dialect_read_back(d, sb, t, col.buf);
			sb_release(&col);
			break;
		}
		case 'd':
			sb_addf(sb, "%d", va_arg(ap, int));
			break;
		case 'l':
			if (f[1] != 'd')
				LAC_BUG("bad SQL format '%s'", fmt);
			f++;
			sb_addf(sb, "%ld", va_arg(ap, long));
			break;
		case 'z':
			if (f[1] != 'u')
				LAC_BUG("bad SQL format '%s'", fmt);
			f++;
			sb_addf(sb, "%zu", va_arg(ap, size_t));
			break;
		case '%':
			sb_addch(sb, '%');
			break;
		default:
			LAC_BUG("bad SQL format '%s'", fmt);
		}
	}
}

void sql_vaddf(struct sqlbuf *b, const char *fmt, va_list ap)
{
	vformat(&b->sb, b->d, b->indent, fmt, ap);
}

void sql_addf(struct sqlbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vformat(&b->sb, b->d, b->indent, fmt, ap);
	va_end(ap);
}

void sql_fmt(struct strbuf *sb, const struct dialect *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vformat(sb, d, 0, fmt, ap);
	va_end(ap);
}
