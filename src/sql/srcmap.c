/*
 * sql/srcmap.c — the source map of a generated statement (srcmap.h).
 */
#include <stdlib.h>
#include <string.h>

#include "sql/gen.h"
#include "sql/srcmap.h"

void sql_srcmap_release(struct sql_srcmap *m)
{
	free(m->spans);
	free(m->aliases);
	arena_release(&m->ar);
	memset(m, 0, sizeof(*m));
}

const struct sql_span *sql_srcmap_find(const struct sql_srcmap *m, size_t off)
{
	const struct sql_span *best = NULL;
	for (size_t i = 0; i < m->nspans; i++) {
		const struct sql_span *sp = &m->spans[i];
		if (off >= sp->start && off < sp->end && (!best || sp->end - sp->start < best->end - best->start))
			best = sp;
	}
	return best;
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

void sql_srcmap_rename(const struct sql_srcmap *m, const char *text, struct strbuf *out)
{
	for (const char *p = text; *p;) {
		const struct sql_alias *hit = NULL;
		if (p == text || !ident_char(p[-1]))
			for (size_t i = 0; i < m->naliases && !hit; i++) {
				size_t n = strlen(m->aliases[i].alias);
				if (strncmp(p, m->aliases[i].alias, n) == 0 && p[n] == '.')
					hit = &m->aliases[i];
			}
		if (hit) {
			sb_addstr(out, hit->name);
			p += strlen(hit->alias);
		} else {
			sb_addch(out, *p++);
		}
	}
}

void sql_warehouse_error(struct strbuf *out, struct project *p, const struct ast_audience *a,
			 const struct sql_srcmap *m, bool at_known, size_t at, bool file_locs,
			 const char *msg)
{
	const struct sql_span *sp = m && at_known ? sql_srcmap_find(m, at) : NULL;
	if (!sp) {
		sb_addf(out, "warehouse error in audience '%s' (%s:%u): %s", a->name,
			sql_audience_path(p, a), a->loc.line, msg);
		return;
	}
	if (file_locs)
		sb_addf(out, "warehouse error in audience '%s' (%s:%u:%u): ", a->name,
			sql_audience_path(p, a), sp->loc.line, sp->loc.col);
	else
		sb_addf(out, "warehouse error in audience '%s' (%s:%u): ", a->name,
			sql_audience_path(p, a), a->loc.line);
	/* the names in the message, not the SQL excerpt under it */
	const char *nl = strchr(msg, '\n');
	char *first = xstrndup(msg, nl ? (size_t)(nl - msg) : strlen(msg));
	sql_srcmap_rename(m, first, out);
	if (nl)
		sb_addstr(out, nl);
	free(first);
}
