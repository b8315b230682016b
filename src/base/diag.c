/*
 * diag.c — the diagnostic sink and its text and JSON renderers.
 */
#include "base/json_print.h"
#include "base/diag.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name, *slug;
} code_table[] = {
#define DIAG(code, slug, summary) { #code, slug },
#include "base/diag_codes.def"
#undef DIAG
};

const char *diag_code_name(enum diag_code code)
{
	return code < DIAG__COUNT ? code_table[code].name : "E???";
}

const char *diag_code_slug(enum diag_code code)
{
	return code < DIAG__COUNT ? code_table[code].slug : "unknown";
}

/* ---- sources -------------------------------------------------------------- */

void source_set_init(struct source_set *ss)
{
	ss->items = NULL;
	ss->n = ss->cap = 0;
	struct source none = { xstrdup(""), NULL, 0, LINE_TABLE_INIT };
	VEC_PUSH(ss->items, ss->n, ss->cap, none);
}

void source_set_release(struct source_set *ss)
{
	for (size_t i = 0; i < ss->n; i++) {
		free(ss->items[i].path);
		free(ss->items[i].text);
		line_table_release(&ss->items[i].lines);
	}
	free(ss->items);
	ss->items = NULL;
	ss->n = ss->cap = 0;
}

uint32_t source_add(struct source_set *ss, const char *path, char *text, size_t len)
{
	struct source s = { xstrdup(path), text, len, LINE_TABLE_INIT };
	VEC_PUSH(ss->items, ss->n, ss->cap, s);
	return (uint32_t)(ss->n - 1);
}

const char *source_path(const struct source_set *ss, uint32_t file)
{
	return file < ss->n ? ss->items[file].path : "";
}

const char *source_line(struct source *src, uint32_t line, size_t *len)
{
	if (!src->text)
		return NULL;
	if (!src->lines.start)
		line_table_build(&src->lines, src->text, src->len);
	return line_table_line(&src->lines, line, len);
}

/* ---- sink ----------------------------------------------------------------- */

void diag_sink_init(struct diag_sink *d, struct source_set *sources)
{
	memset(d, 0, sizeof(*d));
	d->sources = sources;
}

static void diag_free(struct diag *g)
{
	free(g->message);
	for (size_t j = 0; j < g->nhints; j++)
		free(g->hints[j]);
	free(g->hints);
}

void diag_sink_release(struct diag_sink *d)
{
	for (size_t i = 0; i < d->n; i++)
		diag_free(&d->items[i]);
	free(d->items);
	d->items = NULL;
	d->n = d->cap = d->nerrors = d->nwarnings = 0;
}

void diag_keep_files(struct diag_sink *d, const bool *keep)
{
	size_t m = 0;
	d->nerrors = d->nwarnings = 0;
	for (size_t i = 0; i < d->n; i++) {
		struct diag *g = &d->items[i];
		if (!g->loc.file || !keep[g->loc.file]) {
			diag_free(g);
			continue;
		}
		if (g->severity == SEV_ERROR)
			d->nerrors++;
		else if (g->severity == SEV_WARNING)
			d->nwarnings++;
		d->items[m++] = *g;
	}
	d->n = m;
}

static void report(struct diag_sink *d, enum diag_severity sev, struct loc loc,
		   enum diag_code code, const char *fmt, va_list ap)
{
	struct diag g = { sev, code, loc, xvasprintf(fmt, ap), NULL, 0 };
	VEC_PUSH(d->items, d->n, d->cap, g);
	if (sev == SEV_ERROR)
		d->nerrors++;
	else if (sev == SEV_WARNING)
		d->nwarnings++;
}

int diag_error(struct diag_sink *d, struct loc loc, enum diag_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(d, SEV_ERROR, loc, code, fmt, ap);
	va_end(ap);
	return -1;
}

int diag_warning(struct diag_sink *d, struct loc loc, enum diag_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(d, SEV_WARNING, loc, code, fmt, ap);
	va_end(ap);
	return -1;
}

void diag_hint(struct diag_sink *d, const char *fmt, ...)
{
	if (d->n == 0)
		LAC_BUG("diag_hint without a diagnostic");
	struct diag *g = &d->items[d->n - 1];
	va_list ap;
	va_start(ap, fmt);
	g->hints = xrealloc(g->hints, (g->nhints + 1) * sizeof(*g->hints));
	g->hints[g->nhints++] = xvasprintf(fmt, ap);
	va_end(ap);
}

void diag_hint_closest(struct diag_sink *d, const char *name, const char *const *cands, size_t n)
{
	const char *best = closest_name(name, cands, n);
	if (best)
		diag_hint(d, "did you mean '%s'?", best);
}

static int loc_cmp(const void *pa, const void *pb)
{
	const struct diag *a = pa, *b = pb;
	if (a->loc.file != b->loc.file)
		return a->loc.file < b->loc.file ? -1 : 1;
	if (a->loc.line != b->loc.line)
		return a->loc.line < b->loc.line ? -1 : 1;
	if (a->loc.col != b->loc.col)
		return a->loc.col < b->loc.col ? -1 : 1;
	return 0;
}

void diag_sort(struct diag_sink *d)
{
	/* insertion sort: stable, and diagnostics are few and nearly sorted */
	for (size_t i = 1; i < d->n; i++) {
		struct diag g = d->items[i];
		size_t j = i;
		while (j > 0 && loc_cmp(&d->items[j - 1], &g) > 0) {
			d->items[j] = d->items[j - 1];
			j--;
		}
		d->items[j] = g;
	}
}

/* ---- text ----------------------------------------------------------------- */

static const char *severity_name(enum diag_severity s)
{
	switch (s) {
	case SEV_ERROR: return "error";
	case SEV_WARNING: return "warning";
	case SEV_NOTE: return "note";
	}
	return "error";
}

/* The line a diagnostic quotes: a UTF-8 byte order mark is not shown and
 * columns count from after it (libyaml and the .lac scanner skip it). */
static const char *quoted_line(struct source *src, uint32_t line, size_t *len)
{
	const char *p = source_line(src, line, len);
	if (p && line == 1 && *len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		*len -= 3;
	}
	return p;
}

/* Longest source line quoted whole; longer ones are cut around the caret. */
#define SNIPPET_MAX 160

void diag_format_one(const struct diag_sink *d, const struct diag *g, struct strbuf *sb, bool color)
{
	const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
	const char *sevcol = !color ? "" : g->severity == SEV_ERROR ? "\033[1;31m" : "\033[1;35m";
	const char *blue = color ? "\033[1;34m" : "", *green = color ? "\033[1;32m" : "";
	struct source *src = g->loc.file && g->loc.file < d->sources->n
		? &d->sources->items[g->loc.file] : NULL;

	if (src && g->loc.line)
		sb_addf(sb, "%s%s:%u:%u: ", bold, src->path, g->loc.line, g->loc.col);
	else if (src)
		sb_addf(sb, "%s%s: ", bold, src->path);
	else
		sb_addf(sb, "%slac: ", bold);
	sb_addf(sb, "%s%s[%s]:%s%s %s%s\n", sevcol, severity_name(g->severity),
		diag_code_name(g->code), reset, bold, g->message, reset);

	size_t len;
	const char *text = src ? quoted_line(src, g->loc.line, &len) : NULL;
	if (text) {
		char num[16];
		int w = snprintf(num, sizeof num, "%u", g->loc.line);
		size_t col = g->loc.col ? g->loc.col - 1 : 0;
		/* a very long line is shown as a window around the caret */
		bool cut_left = false, cut_right = false;
		if (len > SNIPPET_MAX) {
			size_t from = col > SNIPPET_MAX / 2 ? col - SNIPPET_MAX / 2 : 0;
			while (from > 0 && ((unsigned char)text[from] & 0xC0) == 0x80)
				from--; /* never start inside a UTF-8 character */
			size_t to = from + SNIPPET_MAX < len ? from + SNIPPET_MAX : len;
			while (to < len && ((unsigned char)text[to] & 0xC0) == 0x80)
				to++;
			cut_left = from > 0;
			cut_right = to < len;
			text += from;
			len = to - from;
			col -= from;
		}
		sb_addf(sb, "%s %s |%s %s", blue, num, reset, cut_left ? "..." : "");
		sb_addmem(sb, text, len);
		sb_addf(sb, "%s\n", cut_right ? "..." : "");
		sb_addf(sb, "%s %*s |%s %s", blue, w, "", reset, cut_left ? "   " : "");
		/* pad to the column, keeping tabs and counting UTF-8 characters once */
		for (size_t i = 0; i < col && i < len; i++) {
			unsigned char c = (unsigned char)text[i];
			if (c == '\t')
				sb_addch(sb, '\t');
			else if ((c & 0xC0) != 0x80)
				sb_addch(sb, ' ');
		}
		size_t width = 1;
		if (g->loc.end_line == g->loc.line && g->loc.end_col > g->loc.col)
			width = g->loc.end_col - g->loc.col;
		else if (g->loc.end_line > g->loc.line && len > col)
			width = len - col; /* a span that runs past this line: underline to its end */
		sb_addstr(sb, green);
		for (size_t i = 0; i < width; i++) {
			unsigned char c = col + i < len ? (unsigned char)text[col + i] : ' ';
			if ((c & 0xC0) != 0x80)
				sb_addch(sb, '^');
		}
		sb_addf(sb, "%s\n", reset);
	}
	for (size_t i = 0; i < g->nhints; i++)
		sb_addf(sb, "  %shelp:%s %s\n", bold, reset, g->hints[i]);
}

void diag_render_text(const struct diag_sink *d, FILE *out, bool color)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < d->n; i++) {
		sb_reset(&sb);
		diag_format_one(d, &d->items[i], &sb, color);
		fputs(sb.buf, out);
	}
	sb_release(&sb);
}

/* ---- JSON ----------------------------------------------------------------- */

void diag_render_json(const struct diag_sink *d, FILE *out)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *g = &d->items[i];
		json_t *hints = json_array();
		for (size_t j = 0; j < g->nhints; j++)
			json_array_append_new(hints, json_string(g->hints[j]));
		json_t *o = json_object();
		json_object_set_new(o, "file", g->loc.file ? json_string(source_path(d->sources, g->loc.file)) : json_null());
		json_object_set_new(o, "line", json_integer(g->loc.line));
		json_object_set_new(o, "col", json_integer(g->loc.col));
		json_object_set_new(o, "end", json_pack("{s:i,s:i}", "line", (int)g->loc.end_line,
							"col", (int)g->loc.end_col));
		json_object_set_new(o, "severity", json_string(severity_name(g->severity)));
		json_object_set_new(o, "code", json_string(diag_code_name(g->code)));
		json_object_set_new(o, "message", json_string(g->message));
		json_object_set_new(o, "hints", hints);
		json_array_append_new(arr, o);
	}
	json_print_doc(out, arr);
	json_decref(arr);
}
