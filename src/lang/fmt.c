/*
 * fmt.c — `lac fmt`: print a parsed .lac file in the one canonical layout
 * (docs/fmt.md), keeping every comment, and a location-free dump of the
 * syntax tree that tests and `lac fmt` use to prove a reformat kept the
 * meaning.
 *
 * The printer walks the tree in source order and writes whole lines.  Before
 * each item (and each closing brace) it flushes the comments written before
 * that point in the source: an own-line comment becomes a line of its own at
 * the item's indentation, an end-of-line comment goes to the end of the last
 * line written.  Trailing comments of consecutive lines are aligned last.
 */
#include <stdlib.h>
#include <string.h>

#include "lang/fmt.h"
#include "base/line_table.h"

struct trailing {
	size_t line;                   /* output line number, from 0 */
	size_t code;                   /* bytes of code before the comment */
};

struct fmt {
	struct strbuf *out;
	const struct ast_comment *cm;
	size_t ncm, next;              /* comments; next = first not yet written */
	struct line_table lines;       /* of the source text */
	size_t nout;                   /* output lines written */
	size_t line_start;             /* offset in out of the line being written */
	bool last_has_comment;         /* the last line takes no end-of-line comment */
	bool want_blank;               /* a blank line before the next line (not a '}') */
	bool block_start;              /* nothing written yet in the current block */
	struct trailing *tr;
	size_t ntr, trcap;
	/* The definition as `lac plan` compares it: no activations, no
	 * `enabled` (applied separately) and settings in a fixed order
	 * (alerts stay: they are part of the audience's definition). */
	bool bare;
};

/* ---- positions and comments ---------------------------------------------- */

static uint64_t pos(uint32_t line, uint32_t col)
{
	return (uint64_t)line << 32 | col;
}

static uint64_t loc_start(struct loc l)
{
	return pos(l.line, l.col);
}

/* The closing brace of a span that ends with '}'. */
static uint64_t loc_last(struct loc l)
{
	return pos(l.end_line, l.end_col ? l.end_col - 1 : 0);
}

static bool src_line_blank(const struct fmt *f, uint32_t line)
{
	size_t n;
	const char *text = line_table_line(&f->lines, line, &n);
	if (!text)
		return false;
	for (size_t i = 0; i < n; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
			return false;
	return true;
}

/* Is a comment not yet written inside the span l? */
static bool comments_in(const struct fmt *f, struct loc l)
{
	uint64_t a = loc_start(l), b = pos(l.end_line, l.end_col);
	for (size_t i = f->next; i < f->ncm; i++) {
		uint64_t p = loc_start(f->cm[i].loc);
		if (p >= b)
			break;
		if (p >= a)
			return true;
	}
	return false;
}

/* A comment without its trailing blanks, a lone CR among them too (the
 * lexer drops only a last CR, so "# a \r " would lose its blanks only on
 * the second formatting). */
static void add_comment_text(struct fmt *f, const char *text)
{
	size_t n = strlen(text);
	while (n && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\r'))
		n--;
	sb_addmem(f->out, text, n);
}

/* ---- lines ------------------------------------------------------------------ */

static void line_begin(struct fmt *f, int indent)
{
	if (f->want_blank && !f->block_start) {
		sb_addch(f->out, '\n');
		f->nout++;
	}
	f->want_blank = false;
	f->block_start = false;
	f->line_start = f->out->len;
	sb_addindent(f->out, indent);
}

static void line_end(struct fmt *f)
{
	sb_addch(f->out, '\n');
	f->nout++;
	f->last_has_comment = false;
}

/* A closing brace: no blank line before it. */
static void close_begin(struct fmt *f, int indent)
{
	f->want_blank = false;
	f->block_start = false;
	line_begin(f, indent);
}

/* Write the comments that come before source position p. */
static void flush(struct fmt *f, uint64_t p, int indent)
{
	while (f->next < f->ncm && loc_start(f->cm[f->next].loc) < p) {
		const struct ast_comment *c = &f->cm[f->next++];
		if (!c->own_line && f->nout && !f->last_has_comment) {
			/* at the end of the last line */
			sb_setlen(f->out, f->out->len - 1);
			struct trailing t = { f->nout - 1, f->out->len - f->line_start };
			VEC_PUSH(f->tr, f->ntr, f->trcap, t);
			sb_addch(f->out, ' ');
			add_comment_text(f, c->text);
			sb_addch(f->out, '\n');
			f->last_has_comment = true;
			continue;
		}
		if (c->own_line && src_line_blank(f, c->loc.line - 1))
			f->want_blank = true;
		line_begin(f, indent);
		add_comment_text(f, c->text);
		line_end(f);
		f->last_has_comment = true;
		if (c->own_line && src_line_blank(f, c->loc.line + 1))
			f->want_blank = true;
	}
}

static size_t columns(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Align the trailing comments of consecutive lines, two spaces after the
 * longest code of the group. */
static void align_trailing(struct fmt *f)
{
	if (!f->ntr)
		return;
	struct strbuf res = STRBUF_INIT;
	const char *s = f->out->buf;
	size_t line = 0, t = 0;
	size_t width = 0;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) + 1 : strlen(s);
		if (t < f->ntr && f->tr[t].line == line) {
			/* first line of a group: the widest code of the group */
			if (t == 0 || f->tr[t - 1].line + 1 != line) {
				width = 0;
				const char *ls = s;
				for (size_t u = t; u < f->ntr; u++) {
					if (u > t && f->tr[u].line != f->tr[u - 1].line + 1)
						break;
					size_t w = columns(ls, f->tr[u].code);
					if (w > width)
						width = w;
					ls = strchr(ls, '\n') + 1;
				}
			}
			size_t code = f->tr[t].code;
			sb_addmem(&res, s, code);
			sb_addindent(&res, (int)(width - columns(s, code) + 2));
			sb_addmem(&res, s + code + 1, n - code - 1);
			t++;
		} else {
			sb_addmem(&res, s, n);
		}
		s += n;
		line++;
	}
	sb_reset(f->out);
	sb_addmem(f->out, res.buf, res.len);
	sb_release(&res);
}

/* ---- literals and small pieces -------------------------------------------------- */

static void pr_string(struct strbuf *out, const char *s)
{
	sb_addch(out, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '"': sb_addstr(out, "\\\""); break;
		case '\\': sb_addstr(out, "\\\\"); break;
		case '\n': sb_addstr(out, "\\n"); break;
		case '\t': sb_addstr(out, "\\t"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				sb_addf(out, "\\u%04x", c);
			else
				sb_addch(out, (char)c);
		}
	}
	sb_addch(out, '"');
}

static void pr_literal(struct strbuf *out, const struct literal *l)
{
	switch (l->kind) {
	case LIT_STRING: pr_string(out, l->text); break;
	case LIT_NUMBER: sb_addstr(out, l->text); break;
	case LIT_BOOL: sb_addstr(out, l->boolean ? "true" : "false"); break;
	case LIT_DATE: case LIT_TIME: case LIT_TIMESTAMP:
		sb_addf(out, "%s ", lit_kind_name(l->kind));
		pr_string(out, l->text);
		break;
	}
}

static void pr_names(struct strbuf *out, const char *const *v, size_t n, const char *sep)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addstr(out, sep);
		sb_addstr(out, v[i]);
	}
}

static void pr_path(struct strbuf *out, const struct path *p)
{
	pr_names(out, p->parts, p->n, ".");
}

static void pr_operand(struct strbuf *out, const struct operand *o)
{
	switch (o->ref) {
	case REF_NONE: pr_literal(out, &o->lit); break;
	case REF_TRAIT:
		sb_addstr(out, "trait.");
		pr_names(out, o->trait_path, o->ntrait_path, ".");
		break;
	case REF_COLUMN: sb_addf(out, "%s.%s", o->slug, o->column); break;
	}
}

static void pr_amount(struct strbuf *out, long n, enum time_unit u)
{
	sb_addf(out, "%ld %s", n, time_unit_name(u, n));
}

static void pr_lits(struct strbuf *out, const struct literal *v, size_t n)
{
	sb_addch(out, '(');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addstr(out, ", ");
		pr_literal(out, &v[i]);
	}
	sb_addch(out, ')');
}

/* The operator as written, then its operands. */
static void pr_predicate(struct strbuf *out, const struct predicate *p)
{
	sb_addstr(out, pred_op_text(p));
	switch (p->kind) {
	case PRED_CMP: case PRED_CONTAINS: case PRED_NOT_CONTAINS:
	case PRED_STARTS_WITH: case PRED_ENDS_WITH:
		sb_addch(out, ' ');
		pr_operand(out, &p->rhs);
		break;
	case PRED_IN: case PRED_NOT_IN:
		sb_addch(out, ' ');
		pr_lits(out, p->list, p->nlist);
		break;
	case PRED_BETWEEN:
		sb_addch(out, ' ');
		pr_literal(out, &p->lo);
		sb_addstr(out, " and ");
		pr_literal(out, &p->hi);
		break;
	case PRED_IS_NULL: case PRED_IS_NOT_NULL:
		break;
	case PRED_WITHIN_LAST: case PRED_WITHIN_NEXT: case PRED_BEFORE_LAST: case PRED_AFTER_NEXT:
		sb_addch(out, ' ');
		pr_amount(out, p->amount, p->unit);
		break;
	}
}

static void pr_count(struct strbuf *out, const struct count_spec *c)
{
	switch (c->kind) {
	case COUNT_DEFAULT: break;
	case COUNT_AT_LEAST: sb_addf(out, " at least %ld", c->n); break;
	case COUNT_AT_MOST: sb_addf(out, " at most %ld", c->n); break;
	case COUNT_EXACTLY: sb_addf(out, " exactly %ld", c->n); break;
	}
}

static void pr_having(struct strbuf *out, const struct having *h)
{
	if (!h->present)
		return;
	sb_addf(out, " having %s(%s) %s ", agg_name(h->agg), h->column ? h->column : "",
		cmp_op_text(h->cmp));
	pr_literal(out, &h->value);
}

static void pr_window(struct strbuf *out, const struct window *w)
{
	switch (w->kind) {
	case WIN_NONE: break;
	case WIN_WITHIN_LAST: sb_addstr(out, " within last "); pr_amount(out, w->a, w->unit); break;
	case WIN_BETWEEN_AGO:
		sb_addf(out, " between %ld and ", w->a);
		pr_amount(out, w->b, w->unit);
		sb_addstr(out, " ago");
		break;
	}
}

/* ---- expressions ------------------------------------------------------------------ */

static void pr_expr(struct fmt *f, const struct ast_expr *e, int indent);

static int prec(const struct ast_expr *e)
{
	switch (e->kind) {
	case EX_OR: return 1;
	case EX_AND: return 2;
	case EX_NOT: return 3;
	default: return 4;
	}
}

/* Does e need parentheses as an operand of parent (rhs: its right side)?
 * Only where leaving them out would parse differently. */
static bool needs_parens(const struct ast_expr *parent, const struct ast_expr *e, bool rhs)
{
	int p = prec(parent), c = prec(e);
	if (parent->kind == EX_NOT) {
		/* `not part of audience x` would be the negated condition */
		if (e->kind == EX_AUDIENCE && !e->negated)
			return true;
		/* `not in in (1)` would read as the `not in` predicate */
		if (e->kind == EX_COLUMN && (str_eq(e->column, "in") || str_eq(e->column, "contains")))
			return true;
		return c < p;
	}
	return rhs ? c <= p : c < p;
}

static void pr_operand_expr(struct fmt *f, const struct ast_expr *parent,
			    const struct ast_expr *e, bool rhs, int indent)
{
	bool par = needs_parens(parent, e, rhs);
	if (par)
		sb_addch(f->out, '(');
	pr_expr(f, e, indent);
	if (par)
		sb_addch(f->out, ')');
}

/* An expression with no block anywhere in it. */
static bool is_flat(const struct ast_expr *e)
{
	switch (e->kind) {
	case EX_AND: case EX_OR: return is_flat(e->lhs) && is_flat(e->rhs);
	case EX_NOT: return is_flat(e->lhs);
	case EX_BLOCK: case EX_ANY: case EX_ALL: return false;
	case EX_ENTITY: case EX_EVENT: return !e->block;
	default: return true;
	}
}

/* A block: `{}`, `{ item }` when it has one flat item and no comments, else
 * one item per line.  Leaves the line open after the closing brace. */
static void pr_block(struct fmt *f, const struct ast_expr *b, int indent, bool multi)
{
	bool comments = comments_in(f, b->loc);
	if (!b->nitems && !comments) {
		sb_addstr(f->out, "{}");
		return;
	}
	if (!multi && !comments && b->nitems == 1 && is_flat(b->items[0])) {
		sb_addstr(f->out, "{ ");
		pr_expr(f, b->items[0], indent);
		sb_addstr(f->out, " }");
		return;
	}
	sb_addch(f->out, '{');
	line_end(f);
	f->block_start = true;
	for (size_t i = 0; i < b->nitems; i++) {
		flush(f, loc_start(b->items[i]->loc), indent + 2);
		line_begin(f, indent + 2);
		pr_expr(f, b->items[i], indent + 2);
		line_end(f);
	}
	flush(f, loc_last(b->loc), indent + 2);
	close_begin(f, indent);
	sb_addch(f->out, '}');
}

static void pr_expr(struct fmt *f, const struct ast_expr *e, int indent)
{
	struct strbuf *out = f->out;
	switch (e->kind) {
	case EX_AND:
	case EX_OR:
		pr_operand_expr(f, e, e->lhs, false, indent);
		sb_addstr(out, e->kind == EX_AND ? " and " : " or ");
		pr_operand_expr(f, e, e->rhs, true, indent);
		break;
	case EX_NOT:
		sb_addstr(out, "not ");
		pr_operand_expr(f, e, e->lhs, false, indent);
		break;
	case EX_BLOCK:
		pr_block(f, e, indent, false);
		break;
	case EX_ANY:
	case EX_ALL:
		sb_addstr(out, e->kind == EX_ANY ? "any " : "all ");
		pr_block(f, e, indent, false);
		break;
	case EX_ENTITY:
		sb_addstr(out, e->negated ? "without entity " : "with entity ");
		pr_path(out, &e->path);
		pr_count(out, &e->count);
		if (e->block) {
			sb_addch(out, ' ');
			pr_block(f, e->block, indent, false);
		}
		pr_having(out, &e->having);
		break;
	case EX_TRAIT:
		sb_addstr(out, e->negated ? "without trait " : "with trait ");
		pr_path(out, &e->path);
		if (e->pred) {
			sb_addch(out, ' ');
			pr_predicate(out, e->pred);
		}
		break;
	case EX_EVENT:
		sb_addstr(out, e->negated ? "without event " : "with event ");
		pr_string(out, e->event_name);
		pr_count(out, &e->count);
		pr_window(out, &e->window);
		if (e->block) {
			sb_addch(out, ' ');
			pr_block(f, e->block, indent, false);
		}
		pr_having(out, &e->having);
		break;
	case EX_AUDIENCE:
		sb_addf(out, "%spart of audience %s", e->negated ? "not " : "", e->audience);
		if (e->using_ == USING_CONDITIONS)
			sb_addstr(out, " using conditions");
		else if (e->using_ == USING_MEMBERSHIP)
			sb_addstr(out, " using membership");
		break;
	case EX_COLUMN:
		sb_addf(out, "%s ", e->column);
		pr_predicate(out, e->pred);
		break;
	}
}

/* ---- audiences and activations ---------------------------------------------------- */

/* One line of an audience or activation, in source order. */
enum item_kind {
	IT_NAME, IT_DESCRIPTION, IT_FOLDER, IT_TARGET, IT_SCHEDULE, IT_ENABLED, IT_WHERE,
	IT_ACTIVATION,
	IT_DESTINATION, IT_TRIGGER, IT_EVENT, IT_IDENTIFIER, IT_ENRICH_TRAITS, IT_ENRICH_PATH,
	IT_SEND_CURRENT, IT_MAP, IT_ACT_ENABLED,
	IT_ALERT,
	IT_KIND, IT_THRESHOLD, IT_NOTIFY
};

struct item {
	enum item_kind kind;
	struct loc loc;
	size_t index;                  /* which enrich path / map / activation */
	size_t seq;                    /* canonical order, for equal locations */
	int width;                     /* keyword column width (aligned settings) */
};

static const char *item_keyword(enum item_kind k)
{
	switch (k) {
	case IT_NAME: return "name";
	case IT_DESCRIPTION: return "description";
	case IT_FOLDER: return "folder";
	case IT_TARGET: return "target";
	case IT_SCHEDULE: return "schedule";
	case IT_ENABLED: case IT_ACT_ENABLED: return "enabled";
	case IT_DESTINATION: return "destination";
	case IT_TRIGGER: return "trigger";
	case IT_EVENT: return "event";
	case IT_IDENTIFIER: return "identifier";
	case IT_ENRICH_TRAITS: case IT_ENRICH_PATH: return "enrich";
	case IT_MAP: return "map";
	case IT_KIND: return "kind";
	case IT_THRESHOLD: return "threshold";
	case IT_NOTIFY: return "notify";
	default: return NULL;          /* where, activation, alert, send current */
	}
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	uint64_t px = loc_start(x->loc), py = loc_start(y->loc);
	if (px != py)
		return px < py ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void add_item(struct item **v, size_t *n, size_t *cap, enum item_kind k, struct loc l,
		     size_t index)
{
	struct item it = { k, l, index, *n, 0 };
	VEC_PUSH(*v, *n, *cap, it);
}

/* Bare definitions list settings by kind, so moving a line is no change. */
static int cmp_item_kind(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Sort into source order and give each run of settings one keyword width;
 * `send current` neither counts nor breaks a run, where/activation break it. */
static void order_items(struct item *v, size_t n, bool bare)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), bare ? cmp_item_kind : cmp_item);
	for (size_t i = 0; i < n;) {
		if (!item_keyword(v[i].kind)) {
			i++;
			continue;
		}
		size_t j = i;
		int width = 0;
		for (; j < n && (item_keyword(v[j].kind) || v[j].kind == IT_SEND_CURRENT); j++) {
			const char *kw = item_keyword(v[j].kind);
			if (kw && (int)strlen(kw) > width)
				width = (int)strlen(kw);
		}
		for (size_t k = i; k < j; k++)
			v[k].width = width;
		i = j;
	}
}

static void pr_keyword(struct fmt *f, const struct item *it)
{
	sb_addf(f->out, "%-*s ", it->width, item_keyword(it->kind));
}

static void pr_schedule(struct strbuf *out, const struct schedule *s)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	switch (s->kind) {
	case SCHED_DEFAULT:
	case SCHED_MANUAL: sb_addstr(out, "manual"); break;
	case SCHED_EVERY: sb_addstr(out, "every "); pr_amount(out, s->every, s->unit); break;
	case SCHED_AT: {
		sb_addf(out, "at %02d:%02d on", s->hour, s->minute);
		const char *sep = " ";
		for (unsigned i = 0; i < 7; i++)
			if (s->days & (1u << i)) {
				sb_addf(out, "%s%s", sep, days[i]);
				sep = ", ";
			}
		break;
	}
	}
}

static void pr_activation(struct fmt *f, const struct ast_activation *a, int indent)
{
	struct strbuf *out = f->out;
	struct item *v = NULL;
	size_t n = 0, cap = 0;

	if (a->destination)
		add_item(&v, &n, &cap, IT_DESTINATION, a->destination_loc, 0);
	if (a->trigger != TRIG_NONE)
		add_item(&v, &n, &cap, IT_TRIGGER, a->trigger_loc, 0);
	if (a->event)
		add_item(&v, &n, &cap, IT_EVENT, a->event_loc, 0);
	if (a->identifier)
		add_item(&v, &n, &cap, IT_IDENTIFIER, a->identifier_loc, 0);
	if (a->nenrich_traits)
		add_item(&v, &n, &cap, IT_ENRICH_TRAITS, a->enrich_trait_locs[0], 0);
	for (size_t i = 0; i < a->nenrich_paths; i++)
		add_item(&v, &n, &cap, IT_ENRICH_PATH, a->enrich_paths[i].loc, i);
	if (a->send_current)
		add_item(&v, &n, &cap, IT_SEND_CURRENT, a->send_current_loc, 0);
	for (size_t i = 0; i < a->nmaps; i++)
		add_item(&v, &n, &cap, IT_MAP, a->maps[i].loc, i);
	if (a->enabled >= 0 && !f->bare)
		add_item(&v, &n, &cap, IT_ACT_ENABLED, a->enabled_loc, 0);
	order_items(v, n, f->bare);

	sb_addf(out, "activation %s {", a->name);
	line_end(f);
	f->block_start = true;
	for (size_t i = 0; i < n; i++) {
		const struct item *it = &v[i];
		flush(f, loc_start(it->loc), indent + 2);
		line_begin(f, indent + 2);
		if (item_keyword(it->kind))
			pr_keyword(f, it);
		switch (it->kind) {
		case IT_DESTINATION: sb_addstr(out, a->destination); break;
		case IT_TRIGGER:
			sb_addstr(out, trigger_name(a->trigger));
			if (a->trigger == TRIG_ENTITY_ADDED || a->trigger == TRIG_ENTITY_REMOVED) {
				sb_addch(out, ' ');
				pr_path(out, &a->trigger_path);
			}
			break;
		case IT_EVENT: pr_string(out, a->event); break;
		case IT_IDENTIFIER: sb_addstr(out, a->identifier); break;
		case IT_ENRICH_TRAITS:
			sb_addstr(out, "traits ");
			pr_names(out, a->enrich_traits, a->nenrich_traits, ", ");
			break;
		case IT_ENRICH_PATH: {
			const struct enrich_path *e = &a->enrich_paths[it->index];
			pr_path(out, &e->path);
			sb_addstr(out, " { ");
			pr_names(out, e->columns, e->ncolumns, ", ");
			sb_addstr(out, " }");
			break;
		}
		case IT_SEND_CURRENT: sb_addstr(out, "send current"); break;
		case IT_MAP: {
			const struct map_entry *m = &a->maps[it->index];
			pr_string(out, m->key);
			sb_addstr(out, " = ");
			pr_operand(out, &m->value);
			break;
		}
		case IT_ACT_ENABLED: sb_addstr(out, a->enabled ? "true" : "false"); break;
		default: break;
		}
		line_end(f);
	}
	flush(f, loc_last(a->loc), indent + 2);
	close_begin(f, indent);
	sb_addch(out, '}');
	free(v);
}

/* An alert's settings, in the grammar's one order (comments between kept). */
static void pr_alert(struct fmt *f, const struct ast_alert *a, int indent)
{
	struct strbuf *out = f->out;
	struct item v[3] = {
		{ IT_KIND, a->kind_loc, 0, 0, 0 },
		{ IT_THRESHOLD, a->threshold_loc, 0, 1, 0 },
		{ IT_NOTIFY, a->notify_loc, 0, 2, 0 },
	};
	order_items(v, ARRAY_LEN(v), false);

	sb_addf(out, "alert %s {", a->name);
	line_end(f);
	f->block_start = true;
	for (size_t i = 0; i < ARRAY_LEN(v); i++) {
		const struct item *it = &v[i];
		flush(f, loc_start(it->loc), indent + 2);
		line_begin(f, indent + 2);
		pr_keyword(f, it);
		switch (it->kind) {
		case IT_KIND:
			sb_addstr(out, alert_kind_name(a->kind));
			if (a->kind == ALERT_EVENT_HEALTH)
				sb_addf(out, " destination %s", a->destination);
			break;
		case IT_THRESHOLD: sb_addf(out, "%ld percent", a->threshold); break;
		case IT_NOTIFY: pr_names(out, a->channels, a->nchannels, ", "); break;
		default: break;
		}
		line_end(f);
	}
	flush(f, loc_last(a->loc), indent + 2);
	close_begin(f, indent);
	sb_addch(out, '}');
}

static void pr_audience(struct fmt *f, const struct ast_audience *a)
{
	struct strbuf *out = f->out;
	struct item *v = NULL;
	size_t n = 0, cap = 0;

	if (a->display_name)
		add_item(&v, &n, &cap, IT_NAME, a->display_name_loc, 0);
	if (a->description)
		add_item(&v, &n, &cap, IT_DESCRIPTION, a->description_loc, 0);
	if (a->folder)
		add_item(&v, &n, &cap, IT_FOLDER, a->folder_loc, 0);
	if (a->target == TARGET_ENTITY || a->target_loc.line)
		add_item(&v, &n, &cap, IT_TARGET, a->target_loc, 0);
	if (a->schedule.kind != SCHED_DEFAULT)
		add_item(&v, &n, &cap, IT_SCHEDULE, a->schedule.loc, 0);
	if (a->enabled >= 0 && !f->bare)
		add_item(&v, &n, &cap, IT_ENABLED, a->enabled_loc, 0);
	if (a->where)
		add_item(&v, &n, &cap, IT_WHERE, a->where_loc, 0);
	for (size_t i = 0; i < a->nactivations && !f->bare; i++)
		add_item(&v, &n, &cap, IT_ACTIVATION, a->activations[i]->loc, i);
	/* alerts stay in the bare definition: changing one is a change of
	 * the audience that `lac plan` shows and `lac apply` stores */
	for (size_t i = 0; i < a->nalerts; i++)
		add_item(&v, &n, &cap, IT_ALERT, a->alerts[i]->loc, i);
	order_items(v, n, f->bare);

	line_begin(f, 0);
	sb_addf(out, "audience %s {", a->name);
	line_end(f);
	f->block_start = true;
	for (size_t i = 0; i < n; i++) {
		const struct item *it = &v[i];
		if (it->kind == IT_ACTIVATION || it->kind == IT_ALERT)
			f->want_blank = true;
		flush(f, loc_start(it->loc), 2);
		line_begin(f, 2);
		if (item_keyword(it->kind))
			pr_keyword(f, it);
		switch (it->kind) {
		case IT_NAME: pr_string(out, a->display_name); break;
		case IT_DESCRIPTION: pr_string(out, a->description); break;
		case IT_FOLDER: pr_string(out, a->folder); break;
		case IT_TARGET:
			if (a->target == TARGET_ENTITY) {
				sb_addstr(out, "entity ");
				pr_path(out, &a->target_path);
			} else {
				sb_addstr(out, "profile");
			}
			break;
		case IT_SCHEDULE: pr_schedule(out, &a->schedule); break;
		case IT_ENABLED: sb_addstr(out, a->enabled ? "true" : "false"); break;
		case IT_WHERE:
			sb_addstr(out, "where ");
			pr_block(f, a->where, 2, true);
			break;
		case IT_ACTIVATION: pr_activation(f, a->activations[it->index], 2); break;
		case IT_ALERT: pr_alert(f, a->alerts[it->index], 2); break;
		default: break;
		}
		line_end(f);
	}
	flush(f, loc_last(a->loc), 2);
	close_begin(f, 0);
	sb_addch(out, '}');
	line_end(f);
	free(v);
}

void fmt_file(const struct ast_file *file, const char *src, size_t len, struct strbuf *out)
{
	struct fmt f = { .out = out, .cm = file->comments, .ncm = file->ncomments,
			 .block_start = true };

	sb_reset(out);
	line_table_build(&f.lines, src, len);

	for (size_t i = 0; i < file->naudiences; i++) {
		const struct ast_audience *a = file->audiences[i];
		if (i)
			f.want_blank = true;
		flush(&f, loc_start(a->loc), 0);
		pr_audience(&f, a);
	}
	flush(&f, UINT64_MAX, 0);
	align_trailing(&f);
	line_table_release(&f.lines);
	free(f.tr);
}

void fmt_audience_definition(const struct ast_audience *a, struct strbuf *out)
{
	struct fmt f = { .out = out, .block_start = true, .bare = true };
	pr_audience(&f, a);
	free(f.tr);
}

void fmt_audience_source(const struct ast_audience *a, struct strbuf *out)
{
	struct fmt f = { .out = out, .block_start = true };
	pr_audience(&f, a);
	free(f.tr);
}

void fmt_activation_definition(const struct ast_activation *t, struct strbuf *out)
{
	struct fmt f = { .out = out, .block_start = true, .bare = true };
	line_begin(&f, 0);
	pr_activation(&f, t, 0);
	line_end(&f);
	free(f.tr);
}

/* ---- location-free dump of the syntax tree ------------------------------------ */

static void dump_lit(struct strbuf *o, const struct literal *l)
{
	sb_addf(o, "(%s ", lit_kind_name(l->kind));
	if (l->kind == LIT_BOOL)
		sb_addstr(o, l->boolean ? "true" : "false");
	else
		pr_string(o, l->text ? l->text : "");
	sb_addch(o, ')');
}

static void dump_operand(struct strbuf *o, const struct operand *op)
{
	if (op->ref == REF_NONE) {
		dump_lit(o, &op->lit);
	} else {
		sb_addf(o, "(ref%d ", (int)op->ref);
		pr_operand(o, op);
		sb_addch(o, ')');
	}
}

static void dump_pred(struct strbuf *o, const struct predicate *p)
{
	if (!p) {
		sb_addstr(o, " (nopred)");
		return;
	}
	sb_addf(o, " (%s ", pred_op_text(p));
	switch (p->kind) {
	case PRED_CMP: case PRED_CONTAINS: case PRED_NOT_CONTAINS:
	case PRED_STARTS_WITH: case PRED_ENDS_WITH:
		dump_operand(o, &p->rhs);
		break;
	case PRED_IN: case PRED_NOT_IN:
		for (size_t i = 0; i < p->nlist; i++)
			dump_lit(o, &p->list[i]);
		break;
	case PRED_BETWEEN:
		dump_lit(o, &p->lo);
		dump_lit(o, &p->hi);
		break;
	case PRED_IS_NULL: case PRED_IS_NOT_NULL:
		break;
	default:
		sb_addf(o, "%ld unit=%d", p->amount, (int)p->unit);
	}
	sb_addch(o, ')');
}

static void dump_path(struct strbuf *o, const struct path *p)
{
	sb_addch(o, '[');
	pr_path(o, p);
	sb_addch(o, ']');
}

static void dump_expr(struct strbuf *o, const struct ast_expr *e)
{
	if (!e) {
		sb_addstr(o, "nil");
		return;
	}
	sb_addf(o, "(%s%s", expr_kind_name(e->kind), e->negated ? " neg" : "");
	switch (e->kind) {
	case EX_AND: case EX_OR: case EX_NOT:
		sb_addch(o, ' ');
		dump_expr(o, e->lhs);
		if (e->kind != EX_NOT) {
			sb_addch(o, ' ');
			dump_expr(o, e->rhs);
		}
		break;
	case EX_BLOCK: case EX_ANY: case EX_ALL:
		for (size_t i = 0; i < e->nitems; i++) {
			sb_addch(o, ' ');
			dump_expr(o, e->items[i]);
		}
		break;
	case EX_ENTITY: case EX_EVENT:
		if (e->kind == EX_ENTITY)
			dump_path(o, &e->path);
		else
			pr_string(o, e->event_name);
		sb_addf(o, " count=%d/%ld win=%d/%ld/%ld/%d ", (int)e->count.kind,
			e->count.kind == COUNT_DEFAULT ? 0 : e->count.n, (int)e->window.kind,
			e->window.a, e->window.b, (int)e->window.unit);
		dump_expr(o, e->block);
		if (e->having.present) {
			sb_addf(o, " having %d %s %d ", (int)e->having.agg,
				e->having.column ? e->having.column : "-", (int)e->having.cmp);
			dump_lit(o, &e->having.value);
		}
		break;
	case EX_TRAIT:
		dump_path(o, &e->path);
		dump_pred(o, e->pred);
		break;
	case EX_AUDIENCE:
		sb_addf(o, " %s using=%d", e->audience, (int)e->using_);
		break;
	case EX_COLUMN:
		sb_addf(o, " %s", e->column);
		dump_pred(o, e->pred);
		break;
	}
	sb_addch(o, ')');
}

static void dump_opt_str(struct strbuf *o, const char *key, const char *s)
{
	sb_addf(o, " %s=", key);
	if (s)
		pr_string(o, s);
	else
		sb_addstr(o, "nil");
}

void fmt_ast_dump(const struct ast_file *file, struct strbuf *o)
{
	for (size_t i = 0; i < file->naudiences; i++) {
		const struct ast_audience *a = file->audiences[i];
		sb_addf(o, "audience %s", a->name);
		dump_opt_str(o, "name", a->display_name);
		dump_opt_str(o, "description", a->description);
		dump_opt_str(o, "folder", a->folder);
		sb_addf(o, " target=%d", (int)a->target);
		if (a->target == TARGET_ENTITY)
			dump_path(o, &a->target_path);
		const struct schedule *s = &a->schedule;
		sb_addf(o, " schedule=%d/%ld/%d/%d:%d/%u enabled=%d\n  where ", (int)s->kind,
			s->every, (int)s->unit, s->hour, s->minute, s->days, a->enabled);
		dump_expr(o, a->where);
		sb_addch(o, '\n');
		for (size_t j = 0; j < a->nactivations; j++) {
			const struct ast_activation *t = a->activations[j];
			sb_addf(o, "  activation %s dest=%s trigger=%d", t->name,
				t->destination ? t->destination : "nil", (int)t->trigger);
			if (t->trigger == TRIG_ENTITY_ADDED || t->trigger == TRIG_ENTITY_REMOVED)
				dump_path(o, &t->trigger_path);
			dump_opt_str(o, "event", t->event);
			sb_addf(o, " identifier=%s traits=", t->identifier ? t->identifier : "nil");
			pr_names(o, t->enrich_traits, t->nenrich_traits, ",");
			for (size_t k = 0; k < t->nenrich_paths; k++) {
				sb_addstr(o, " enrich");
				dump_path(o, &t->enrich_paths[k].path);
				pr_names(o, t->enrich_paths[k].columns, t->enrich_paths[k].ncolumns, ",");
			}
			for (size_t k = 0; k < t->nmaps; k++) {
				sb_addstr(o, " map");
				pr_string(o, t->maps[k].key);
				dump_operand(o, &t->maps[k].value);
			}
			sb_addf(o, " send_current=%d enabled=%d\n", t->send_current, t->enabled);
		}
		for (size_t j = 0; j < a->nalerts; j++) {
			const struct ast_alert *t = a->alerts[j];
			sb_addf(o, "  alert %s kind=%s dest=%s threshold=%ld notify=", t->name,
				alert_kind_name(t->kind), t->destination ? t->destination : "nil",
				t->threshold);
			pr_names(o, t->channels, t->nchannels, ",");
			sb_addch(o, '\n');
		}
	}
}
