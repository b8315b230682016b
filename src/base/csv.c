/*
 * csv.c — the RFC 4180 reader of csv.h.
 */
#include <string.h>

#include "base/csv.h"

struct csv_reader {
	struct arena *a;
	const char *p, *end;
	uint32_t line, col;
};

static void advance(struct csv_reader *r)
{
	if (*r->p == '\n') {
		r->line++;
		r->col = 1;
	} else {
		r->col++;
	}
	r->p++;
}

static bool at_line_end(const struct csv_reader *r)
{
	return r->p == r->end || *r->p == '\n' ||
	       (*r->p == '\r' && (r->p + 1 == r->end || r->p[1] == '\n'));
}

/* One field at r->p; stops before its comma or line end. */
static int read_field(struct csv_reader *r, struct csv_field *f, struct csv_error *e)
{
	struct strbuf sb = STRBUF_INIT;
	f->line = r->line;
	f->col = r->col;
	f->quoted = r->p < r->end && *r->p == '"';
	if (!f->quoted) {
		while (r->p < r->end && *r->p != ',' && !at_line_end(r))
			sb_addch(&sb, *r->p), advance(r);
	} else {
		advance(r);
		for (;;) {
			if (r->p == r->end) {
				*e = (struct csv_error){ "unterminated quoted field", f->line, f->col };
				sb_release(&sb);
				return -1;
			}
			if (*r->p == '"') {
				advance(r);
				if (r->p < r->end && *r->p == '"') {
					sb_addch(&sb, '"');
					advance(r);
					continue;
				}
				break;
			}
			sb_addch(&sb, *r->p);
			advance(r);
		}
		if (r->p < r->end && *r->p != ',' && !at_line_end(r)) {
			*e = (struct csv_error){ "text after a closing quote", r->line, r->col };
			sb_release(&sb);
			return -1;
		}
	}
	f->text = arena_strndup(r->a, sb.buf, sb.len);
	sb_release(&sb);
	return 0;
}

int csv_parse(struct arena *a, const char *text, size_t len, struct csv_record **out,
	      size_t *nout, struct csv_error *e)
{
	struct csv_reader r = { a, text, text + len, 1, 1 };
	*out = NULL;
	*nout = 0;
	while (r.p < r.end) {
		if (at_line_end(&r)) { /* a blank line */
			if (*r.p == '\r')
				advance(&r);
			advance(&r);
			continue;
		}
		struct csv_record rec = { NULL, 0, r.line };
		for (;;) {
			struct csv_field f;
			if (read_field(&r, &f, e) != 0)
				return -1;
			ARENA_PUSH(a, rec.fields, rec.n, f);
			if (r.p < r.end && *r.p == ',') {
				advance(&r);
				continue;
			}
			break;
		}
		if (r.p < r.end && *r.p == '\r')
			advance(&r);
		if (r.p < r.end)
			advance(&r);
		ARENA_PUSH(a, *out, *nout, rec);
	}
	return 0;
}
