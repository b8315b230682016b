/*
 * sql/srcmap.c — the source map of a generated statement (srcmap.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* The alias of m that text starts with, followed by '.', in any case and
 * maybe quoted as `e3` or "e3" (Snowflake writes E3.TYPE, Databricks
 * `e3`.`type`); *len gets the length matched before the '.'. */
static const struct sql_alias *alias_at(const struct sql_srcmap *m, const char *text, size_t *len)
{
	char q = (*text == '`' || *text == '"') ? *text : 0;
	const char *p = q ? text + 1 : text;
	for (size_t i = 0; i < m->naliases; i++) {
		size_t n = strlen(m->aliases[i].alias);
		if (strncasecmp(p, m->aliases[i].alias, n) != 0)
			continue;
		if (q && p[n] != q)
			continue;
		size_t end = (size_t)(p - text) + n + (q ? 1 : 0);
		if (text[end] == '.') {
			*len = end;
			return &m->aliases[i];
		}
	}
	return NULL;
}

void sql_srcmap_rename(const struct sql_srcmap *m, const char *text, struct strbuf *out)
{
	for (const char *p = text; *p;) {
		size_t len = 0;
		const struct sql_alias *hit = p == text || !ident_char(p[-1]) ? alias_at(m, p, &len) : NULL;
		if (hit) {
			if (*p == '`' || *p == '"')
				sb_addf(out, "%c%s%c", *p, hit->name, *p);
			else
				sb_addstr(out, hit->name);
			p += len;
		} else {
			sb_addch(out, *p++);
		}
	}
}

/* Where PostgreSQL's excerpt of the statement ("LINE 3: ...") starts in
 * msg, or its end: the SQL there keeps its aliases. */
static size_t excerpt_start(const char *msg)
{
	for (const char *line = msg; *line;) {
		if (strncmp(line, "LINE ", 5) == 0 && line[5] >= '0' && line[5] <= '9')
			return (size_t)(line - msg);
		const char *nl = strchr(line, '\n');
		if (!nl)
			break;
		line = nl + 1;
	}
	return strlen(msg);
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
	/* the names in the message (a vendor may put them on its second line),
	 * not in the SQL excerpt PostgreSQL adds under it */
	size_t n = excerpt_start(msg);
	char *words = xstrndup(msg, n);
	sql_srcmap_rename(m, words, out);
	sb_addstr(out, msg + n);
	free(words);
}
