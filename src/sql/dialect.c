/*
 * sql/dialect.c — the dialect registry and the defaults the per-dialect
 * tables share: identifier quoting (only when needed), string literals,
 * table names, ANSI typed literals, JSON paths.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sql/dialect.h"

const struct dialect *const dialects[] = {
	&dialect_snowflake, &dialect_bigquery, &dialect_redshift,
	&dialect_databricks, &dialect_postgres, &dialect_sqlite,
};
const size_t ndialects = ARRAY_LEN(dialects);

const struct dialect *dialect_find(const char *name)
{
	for (size_t i = 0; i < ndialects; i++)
		if (strcmp(dialects[i]->name, name) == 0)
			return dialects[i];
	return NULL;
}

const struct dialect *dialect_for_warehouse(enum warehouse_type t)
{
	for (size_t i = 0; i < ndialects; i++)
		if (dialects[i]->warehouse == t)
			return dialects[i];
	return &dialect_sqlite;
}

/* Words reserved in (nearly) every dialect lac targets; an identifier that
 * spells one is quoted.  Each table may add its own.  Sorted (strcmp): it is
 * searched for every identifier lac writes (dialect_is_reserved). */
static const char *const common_reserved[] = {
	"all", "and", "any", "array", "as", "asc", "at", "between", "both", "by",
	"case", "cast", "check", "collate", "column", "constraint", "create", "cross",
	"current", "current_date", "current_time", "current_timestamp", "current_user",
	"default", "desc", "distinct", "else", "end", "escape", "except", "exists",
	"extract", "false", "fetch", "for", "foreign", "from", "full", "group", "grouping",
	"having", "if", "ignore", "ilike", "in", "inner", "insert", "intersect", "interval",
	"into", "is", "join", "lateral", "leading", "left", "like", "limit", "localtime",
	"localtimestamp", "natural", "not", "null", "nulls", "of", "offset", "on", "only",
	"or", "order", "outer", "over", "partition", "primary", "qualify", "range",
	"recursive", "references", "regexp", "right", "rlike", "row", "rows", "select",
	"set", "some", "table", "then", "to", "trailing", "true", "union", "unique",
	"update", "user", "using", "values", "when", "where", "window", "with", "within",
};

bool dialect_is_plain_ident(const char *name)
{
	if (!name || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
		return false;
	for (const char *s = name; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_') || (unsigned char)*s >= 0x80)
			return false;
	return true;
}

static bool in_list(const char *const *list, const char *lower)
{
	for (; list && *list; list++)
		if (strcmp(*list, lower) == 0)
			return true;
	return false;
}

static int cmp_word(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

bool dialect_is_reserved(const struct dialect *d, const char *name)
{
	char lower[64];
	size_t n = strlen(name);
	if (n >= sizeof(lower))
		return false;
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	return bsearch(lower, common_reserved, ARRAY_LEN(common_reserved), sizeof(common_reserved[0]),
		       cmp_word) ||
	       in_list(d->reserved, lower);
}

void dialect_quote_with(const struct dialect *d, struct strbuf *sb, const char *name,
			char open, char close, bool backslash_escapes)
{
	bool plain = dialect_is_plain_ident(name);
	if (plain && !dialect_is_reserved(d, name)) {
		sb_addstr(sb, name);
		return;
	}
	sb_addch(sb, open);
	for (const char *s = name; *s; s++) {
		char c = *s;
		/* A plain name quoted only because it is reserved is spelled the
		 * way the warehouse stores an unquoted one. */
		if (plain && d->fold == FOLD_UPPER)
			c = (char)toupper((unsigned char)c);
		else if (plain && d->fold == FOLD_LOWER)
			c = (char)tolower((unsigned char)c);
		if (backslash_escapes && (c == '\\' || c == close))
			sb_addch(sb, '\\');
		else if (c == close)
			sb_addch(sb, close);
		sb_addch(sb, c);
	}
	sb_addch(sb, close);
}

void dialect_quote_double(const struct dialect *d, struct strbuf *sb, const char *name)
{
	dialect_quote_with(d, sb, name, '"', '"', false);
}

void dialect_quote_backtick(const struct dialect *d, struct strbuf *sb, const char *name)
{
	dialect_quote_with(d, sb, name, '`', '`', false);
}

void dialect_string_plain(const struct dialect *d, struct strbuf *sb, const char *text)
{
	sb_addch(sb, '\'');
	for (const char *s = text; *s; s++) {
		if (*s == '\'')
			sb_addch(sb, '\'');
		sb_addch(sb, *s);
	}
	sb_addch(sb, '\'');
}

void dialect_string_backslash(const struct dialect *d, struct strbuf *sb, const char *text)
{
	sb_addch(sb, '\'');
	for (const char *s = text; *s; s++) {
		if (*s == '\'' || *s == '\\')
			sb_addch(sb, *s);
		sb_addch(sb, *s);
	}
	sb_addch(sb, '\'');
}

void dialect_string_backslash_all(const struct dialect *d, struct strbuf *sb, const char *text)
{
	sb_addch(sb, '\'');
	for (const char *s = text; *s; s++) {
		switch (*s) {
		case '\\': sb_addstr(sb, "\\\\"); break;
		case '\'': sb_addstr(sb, "\\'"); break;
		case '\n': sb_addstr(sb, "\\n"); break;
		case '\r': sb_addstr(sb, "\\r"); break;
		default: sb_addch(sb, *s); break;
		}
	}
	sb_addch(sb, '\'');
}

void dialect_table_all_parts(const struct dialect *d, struct strbuf *sb,
			     const char *const *parts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addch(sb, '.');
		d->quote_ident(d, sb, parts[i]);
	}
}

void dialect_typed_lit_ansi(const struct dialect *d, struct strbuf *sb, enum col_type t,
			    const char *text)
{
	sb_addstr(sb, t == TY_DATE ? "DATE " : t == TY_TIME ? "TIME " : "TIMESTAMP ");
	d->string_lit(d, sb, text);
}

void dialect_value_plain(const struct dialect *d, struct strbuf *sb, enum col_type t,
			 const char *expr)
{
	sb_addstr(sb, expr);
}

long dialect_days(long amount, enum time_unit unit)
{
	return unit == UNIT_WEEK ? amount * 7 : amount;
}

const char *dialect_unit_word(long *amount, enum time_unit unit)
{
	switch (unit) {
	case UNIT_MINUTE: return "minute";
	case UNIT_HOUR: return "hour";
	case UNIT_DAY: return "day";
	case UNIT_WEEK: *amount *= 7; return "day";
	}
	return "day";
}

void dialect_json_path(struct strbuf *sb, const char *const *keys, size_t n, bool brackets)
{
	sb_addch(sb, '$');
	for (size_t i = 0; i < n; i++) {
		if (dialect_is_plain_ident(keys[i])) {
			sb_addf(sb, ".%s", keys[i]);
			continue;
		}
		/* Keys come from the validated graph; quote the rare unusual one. */
		sb_addstr(sb, brackets ? "['" : ".\"");
		for (const char *s = keys[i]; *s; s++) {
			if (*s == '"' || *s == '\'' || *s == '\\')
				sb_addch(sb, '\\');
			sb_addch(sb, *s);
		}
		sb_addstr(sb, brackets ? "']" : "\"");
	}
}

void dialect_json_path_dotted(const struct dialect *d, struct strbuf *sb,
			      const char *const *keys, size_t n)
{
	struct strbuf path = STRBUF_INIT;
	dialect_json_path(&path, keys, n, false);
	d->string_lit(d, sb, path.buf);
	sb_release(&path);
}

void dialect_json_path_bracketed(const struct dialect *d, struct strbuf *sb,
				 const char *const *keys, size_t n)
{
	struct strbuf path = STRBUF_INIT;
	dialect_json_path(&path, keys, n, true);
	d->string_lit(d, sb, path.buf);
	sb_release(&path);
}

void dialect_expand(struct strbuf *sb, const char *tmpl, const char *c, const char *p,
		    const char *s)
{
	for (const char *t = tmpl; *t; t++) {
		const char *with = NULL;
		if (t[0] == '{' && t[1] && t[2] == '}')
			with = t[1] == 'c' ? c : t[1] == 'p' ? p : t[1] == 's' ? s : NULL;
		if (!with) {
			sb_addch(sb, *t);
			continue;
		}
		sb_addstr(sb, with);
		t += 2;
	}
}

void dialect_json_get(const struct dialect *d, struct strbuf *sb, const char *col,
		      const char *const *keys, size_t n, enum col_type t)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT, guarded = STRBUF_INIT;
	if (d->json_column) {
		dialect_expand(&guarded, d->json_column, col, NULL, NULL);
		col = guarded.buf;
	}
	d->json_path(d, &path, keys, n);
	dialect_expand(&text, d->json_text, col, path.buf, NULL);
	if (d->json_read[t])
		dialect_expand(sb, d->json_read[t], col, path.buf, text.buf);
	else
		sb_addstr(sb, text.buf);
	sb_release(&path);
	sb_release(&text);
	sb_release(&guarded);
}

void dialect_read_back(const struct dialect *d, struct strbuf *sb, enum col_type t,
		       const char *expr)
{
	if (d->read_back[t])
		dialect_expand(sb, d->read_back[t], NULL, NULL, expr);
	else
		sb_addf(sb, "CAST(%s AS %s)", expr, d->text_type);
}
