/*
 * parse_tree.c — the syntax tree the grammar's actions build (parse_tree.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/time.h"
#include "lang/parse_tree.h"
#include "scanner.h"

struct loc pt_span(struct loc a, struct loc b)
{
	a.end_line = b.end_line;
	a.end_col = b.end_col;
	return a;
}

/* ---- expressions ---------------------------------------------------------- */

struct ast_expr *pt_expr(struct lac_parse *p, enum expr_kind k, struct loc l)
{
	struct ast_expr *e = ARENA_NEW(p->arena, struct ast_expr);
	e->kind = k;
	e->loc = l;
	return e;
}

struct ast_expr *pt_binary(struct lac_parse *p, enum expr_kind k, struct ast_expr *lhs,
			   struct ast_expr *rhs, struct loc l)
{
	struct ast_expr *e = pt_expr(p, k, l);
	e->lhs = lhs;
	e->rhs = rhs;
	return e;
}

struct ast_expr *pt_not(struct lac_parse *p, struct ast_expr *e, struct loc l)
{
	/* `not part of audience x` is the negated condition itself */
	if (e->kind == EX_AUDIENCE && !e->parens && !e->negated) {
		e->negated = true;
		e->loc = l;
		return e;
	}
	struct ast_expr *n = pt_expr(p, EX_NOT, l);
	n->lhs = e;
	return n;
}

struct ast_expr *pt_block(struct lac_parse *p, struct expr_list items, struct loc l)
{
	struct ast_expr *e = pt_expr(p, EX_BLOCK, l);
	e->items = items.v;
	e->nitems = items.n;
	return e;
}

void pt_items_add(struct lac_parse *p, struct expr_list *items, struct ast_expr *e)
{
	/* an item that starts at the token a syntax error was reported on is
	 * the rest of the broken one (`x is null = 1`): left out, so that it
	 * causes no second error */
	struct loc l = e->loc;
	if (l.line != p->err_loc.line || l.col != p->err_loc.col || l.file != p->err_loc.file)
		ARENA_PUSH(p->arena, items->v, items->n, e);
}

struct ast_expr *pt_entity(struct lac_parse *p, bool without, struct path path,
			   struct count_spec count, struct ast_expr *block, struct having having,
			   struct loc l)
{
	struct ast_expr *e = pt_expr(p, EX_ENTITY, l);
	e->negated = without;
	e->path = path;
	e->count = count;
	e->block = block;
	e->having = having;
	return e;
}

struct ast_expr *pt_trait(struct lac_parse *p, bool without, struct path path,
			  struct predicate *pred, struct loc l)
{
	struct ast_expr *e = pt_expr(p, EX_TRAIT, l);
	e->negated = without;
	e->path = path;
	e->pred = pred;
	return e;
}

struct ast_expr *pt_event(struct lac_parse *p, bool without, const char *name,
			  struct loc name_loc, struct count_spec count, struct window window,
			  struct ast_expr *block, struct having having, struct loc l)
{
	struct ast_expr *e = pt_expr(p, EX_EVENT, l);
	e->negated = without;
	e->event_name = name;
	e->event_name_loc = name_loc;
	e->count = count;
	e->window = window;
	e->block = block;
	e->having = having;
	return e;
}

struct ast_expr *pt_part_of(struct lac_parse *p, const char *audience, struct loc audience_loc,
			    enum using_kind using_, struct loc l)
{
	struct ast_expr *e = pt_expr(p, EX_AUDIENCE, l);
	e->audience = audience;
	e->audience_loc = audience_loc;
	e->using_ = using_;
	return e;
}

struct ast_expr *pt_column(struct lac_parse *p, const char *column, struct loc column_loc,
			   struct predicate *pred, struct loc l)
{
	struct ast_expr *e = pt_expr(p, EX_COLUMN, l);
	e->column = column;
	e->column_loc = column_loc;
	e->pred = pred;
	return e;
}

struct predicate *pt_pred(struct lac_parse *p, enum pred_kind k, struct loc l)
{
	struct predicate *pr = ARENA_NEW(p->arena, struct predicate);
	pr->kind = k;
	pr->loc = l;
	return pr;
}

/* ---- values ---------------------------------------------------------------- */

/*
 * A count, window or amount: a whole non-negative number.  The bound keeps
 * the value in range of every integer type the checker and SQL use.  A bad
 * number is reported here and becomes -1, which the checker passes over, so
 * it causes no second, misleading error ("at least 0", "between 5 and 0").
 */
long pt_int(struct lac_parse *p, const char *text, struct loc l)
{
	if (*text == '-' || strchr(text, '.')) {
		diag_error(p->diag, l, DIAG_E103, "expected a whole number of 0 or more, got '%s'", text);
		return -1;
	}
	errno = 0;
	long v = strtol(text, NULL, 10);
	if (errno || v > INT_MAX) {
		diag_error(p->diag, l, DIAG_E319, "number '%s' is too large", text);
		return -1;
	}
	return v;
}

struct literal pt_typed_literal(struct lac_parse *p, enum lit_kind k, const char *text,
				struct loc text_loc)
{
	struct literal lit = { k, text, false, text_loc };
	switch (k) {
	case LIT_DATE:
		if (time_parse(text, TIME_DATE_ONLY, NULL) < 0) {
			diag_error(p->diag, text_loc, DIAG_E103, "invalid date '%s'", text);
			diag_hint(p->diag, "write a calendar date as YYYY-MM-DD");
		}
		break;
	case LIT_TIME:
		if (time_parse(text, TIME_USER_TIME, NULL) < 0) {
			diag_error(p->diag, text_loc, DIAG_E103, "invalid time '%s'", text);
			diag_hint(p->diag, "write a time as HH:MM:SS, with optional fractional seconds");
		}
		break;
	case LIT_TIMESTAMP:
		if (time_parse(text, TIME_USER_TIMESTAMP, NULL) < 0) {
			diag_error(p->diag, text_loc, DIAG_E103, "invalid timestamp '%s'", text);
			diag_hint(p->diag, "write a timestamp as YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM]");
		}
		break;
	default:
		break;
	}
	return lit;
}

/* Schedule errors are E400 (SPEC §3.5), reported here once: hour -1 and
 * days 0 tell the checker they were. */
struct schedule pt_schedule_at(struct lac_parse *p, const char *clock, struct loc clock_loc,
			       unsigned days, struct loc l)
{
	int h = -1, m = -1;
	if (sscanf(clock, "%d:%d", &h, &m) != 2 || h > 23 || m > 59 || strlen(clock) != 5) {
		diag_error(p->diag, clock_loc, DIAG_E400, "schedule time '%s' is not a time of day", clock);
		diag_hint(p->diag, "at takes HH:MM (UTC), from 00:00 to 23:59");
		h = m = -1;
	}
	return (struct schedule){ .kind = SCHED_AT, .hour = h, .minute = m, .days = days, .loc = l };
}

unsigned pt_day_bit(struct lac_parse *p, const char *name, struct loc l)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	for (unsigned i = 0; i < ARRAY_LEN(days); i++)
		if (!strcmp(name, days[i]))
			return 1u << i;
	diag_error(p->diag, l, DIAG_E400, "schedule day '%s' is not a day of the week", name);
	diag_hint_closest(p->diag, name, days, ARRAY_LEN(days));
	diag_hint(p->diag, "days are mon, tue, wed, thu, fri, sat and sun");
	return 0;
}

struct path pt_path_one(struct lac_parse *p, const char *part, struct loc l)
{
	struct path path = { NULL, NULL, 0, l };
	pt_path_add(p, &path, part, l);
	return path;
}

void pt_path_add(struct lac_parse *p, struct path *path, const char *part, struct loc l)
{
	size_t n = path->n;
	ARENA_PUSH(p->arena, path->parts, path->n, part);
	ARENA_PUSH(p->arena, path->part_locs, n, l);
	path->loc = pt_span(path->loc, l);
}

struct name_list pt_names_one(struct lac_parse *p, const char *name, struct loc l)
{
	struct name_list names = { NULL, NULL, 0 };
	pt_names_add(p, &names, name, l);
	return names;
}

void pt_names_add(struct lac_parse *p, struct name_list *names, const char *name, struct loc l)
{
	size_t n = names->n;
	ARENA_PUSH(p->arena, names->v, names->n, name);
	ARENA_PUSH(p->arena, names->locs, n, l);
}

/* ---- settings -------------------------------------------------------------- */

/* True (and reported) when the setting was already given. */
static bool report_dup(struct lac_parse *p, bool seen, const char *what, const char *in,
		       const char *name, struct loc first, struct loc here)
{
	if (!seen)
		return false;
	diag_error(p->diag, here, DIAG_E317, "duplicate setting '%s' in %s '%s'", what, in, name);
	diag_hint(p->diag, "the first '%s' is at line %u; keep one", what, (unsigned)first.line);
	return true;
}

static bool dup_audience(struct lac_parse *p, bool seen, const char *what, struct loc first,
			 struct loc here)
{
	return report_dup(p, seen, what, "audience", p->aud->name, first, here);
}

static bool dup_activation(struct lac_parse *p, bool seen, const char *what, struct loc first,
			   struct loc here)
{
	return report_dup(p, seen, what, "activation", p->act->name, first, here);
}

/* ---- the audience ------------------------------------------------------------ */

void pt_audience_begin(struct lac_parse *p, const char *name, struct loc name_loc, bool keep)
{
	struct ast_audience *a = ARENA_NEW(p->arena, struct ast_audience);
	a->name = name;
	a->name_loc = name_loc;
	a->enabled = -1;
	a->file = p->file;
	p->aud = a;
	p->aud_keep = keep;
	p->aud_syntax = p->nsyntax;
	p->aud_act_syntax = 0;
}

/* An audience with a syntax error inside is kept, marked, without the
 * items that did not parse: the checker reports the errors of the rest
 * (SPEC §3.5: several errors in one run), and nothing runs it. */
void pt_audience_end(struct lac_parse *p, struct loc l)
{
	struct ast_file *f = p->file;
	struct ast_audience *a = p->aud;
	a->loc = l;
	size_t errors = p->nsyntax - p->aud_syntax;
	a->syntax_error = errors > 0;
	a->where_incomplete = errors > p->aud_act_syntax;
	if (p->aud_keep)
		ARENA_PUSH(p->arena, f->audiences, f->naudiences, a);
}

void pt_audience_text(struct lac_parse *p, const char *what, const char **field,
		      struct loc *field_loc, const char *value, struct loc value_loc,
		      struct loc item)
{
	if (dup_audience(p, *field, what, *field_loc, item))
		return;
	*field = value;
	*field_loc = value_loc;
}

void pt_audience_target(struct lac_parse *p, enum target_kind k, const struct path *path,
			struct loc target_loc, struct loc item)
{
	struct ast_audience *a = p->aud;
	if (dup_audience(p, a->target_loc.line, "target", a->target_loc, item))
		return;
	a->target = k;
	if (path)
		a->target_path = *path;
	a->target_loc = target_loc;
}

void pt_audience_schedule(struct lac_parse *p, struct schedule s, struct loc item)
{
	struct ast_audience *a = p->aud;
	if (!dup_audience(p, a->schedule.kind != SCHED_DEFAULT, "schedule", a->schedule.loc, item))
		a->schedule = s;
}

void pt_audience_enabled(struct lac_parse *p, bool on, struct loc value_loc, struct loc item)
{
	struct ast_audience *a = p->aud;
	if (dup_audience(p, a->enabled >= 0, "enabled", a->enabled_loc, item))
		return;
	a->enabled = on;
	a->enabled_loc = value_loc;
}

/* Depth of e, counting only up to limit (so this recursion stays bounded). */
static int depth(const struct ast_expr *e, int d, int limit)
{
	if (!e || d > limit)
		return d;
	int max = d;
	const struct ast_expr *kids[] = { e->lhs, e->rhs, e->block };
	for (size_t i = 0; i < ARRAY_LEN(kids); i++) {
		int k = depth(kids[i], d + 1, limit);
		if (k > max)
			max = k;
	}
	for (size_t i = 0; i < e->nitems && max <= limit; i++) {
		int k = depth(e->items[i], d + 1, limit);
		if (k > max)
			max = k;
	}
	return max;
}

static void check_depth(struct lac_parse *p, struct ast_expr *e)
{
	if (depth(e, 0, LAC_MAX_EXPR_DEPTH) > LAC_MAX_EXPR_DEPTH) {
		struct loc l = e->loc; /* the opening brace: the block may be huge */
		l.end_line = l.line;
		l.end_col = l.col + 1;
		diag_error(p->diag, l, DIAG_E100,
			   "conditions nested too deeply (more than %d levels)", LAC_MAX_EXPR_DEPTH);
		e->items = NULL;
		e->nitems = 0;
		p->nsyntax++; /* the where lost its items: see pt_audience_end */
	}
}

void pt_audience_where(struct lac_parse *p, struct ast_expr *block, struct loc keyword_loc,
		       struct loc item)
{
	struct ast_audience *a = p->aud;
	if (dup_audience(p, a->where, "where", a->where_loc, keyword_loc))
		return;
	check_depth(p, block);
	a->where = block;
	a->where_loc = item;
}

/* ---- the activation ------------------------------------------------------------ */

void pt_activation_begin(struct lac_parse *p, const char *name, struct loc name_loc, bool keep)
{
	struct ast_activation *a = ARENA_NEW(p->arena, struct ast_activation);
	a->name = name;
	a->name_loc = name_loc;
	a->enabled = -1;
	a->audience = p->aud;
	p->act = a;
	p->act_keep = keep;
	p->act_syntax = p->nsyntax;
}

void pt_activation_end(struct lac_parse *p, struct loc l)
{
	struct ast_audience *a = p->aud;
	p->act->loc = l;
	p->act->syntax_error = p->nsyntax != p->act_syntax;
	p->aud_act_syntax += p->nsyntax - p->act_syntax;
	if (p->act_keep)
		ARENA_PUSH(p->arena, a->activations, a->nactivations, p->act);
}

void pt_activation_text(struct lac_parse *p, const char *what, const char **field,
			struct loc *field_loc, const char *value, struct loc value_loc,
			struct loc item)
{
	if (dup_activation(p, *field, what, *field_loc, item))
		return;
	*field = value;
	*field_loc = value_loc;
}

void pt_activation_trigger(struct lac_parse *p, enum trigger_kind t, struct loc trigger_loc,
			   struct loc item)
{
	struct ast_activation *a = p->act;
	if (dup_activation(p, a->trigger != TRIG_NONE, "trigger", a->trigger_loc, item))
		return;
	a->trigger = t;
	a->trigger_loc = trigger_loc;
}

void pt_activation_enabled(struct lac_parse *p, bool on, struct loc value_loc, struct loc item)
{
	struct ast_activation *a = p->act;
	if (dup_activation(p, a->enabled >= 0, "enabled", a->enabled_loc, item))
		return;
	a->enabled = on;
	a->enabled_loc = value_loc;
}

void pt_activation_send_current(struct lac_parse *p, struct loc item)
{
	struct ast_activation *a = p->act;
	if (dup_activation(p, a->send_current, "send current", a->send_current_loc, item))
		return;
	a->send_current = true;
	a->send_current_loc = item;
}

void pt_activation_enrich_traits(struct lac_parse *p, struct name_list traits)
{
	struct ast_activation *a = p->act;
	for (size_t i = 0; i < traits.n; i++) {
		size_t n = a->nenrich_traits;
		ARENA_PUSH(p->arena, a->enrich_traits, a->nenrich_traits, traits.v[i]);
		ARENA_PUSH(p->arena, a->enrich_trait_locs, n, traits.locs[i]);
	}
}

void pt_activation_enrich_path(struct lac_parse *p, struct path path, struct name_list columns,
			       struct loc l)
{
	struct ast_activation *a = p->act;
	struct enrich_path e = { .path = path, .columns = columns.v, .column_locs = columns.locs,
				 .ncolumns = columns.n, .loc = l };
	ARENA_PUSH(p->arena, a->enrich_paths, a->nenrich_paths, e);
}

void pt_activation_map(struct lac_parse *p, const char *key, struct loc key_loc,
		       struct operand value, struct loc item)
{
	struct map_entry m = { .key = key, .key_loc = key_loc, .value = value, .loc = item };
	ARENA_PUSH(p->arena, p->act->maps, p->act->nmaps, m);
}

/* ---- the alert ------------------------------------------------------------------ */

void pt_alert_begin(struct lac_parse *p, const char *name, struct loc name_loc, bool keep)
{
	struct ast_alert *a = ARENA_NEW(p->arena, struct ast_alert);
	a->name = name;
	a->name_loc = name_loc;
	a->threshold = -1;
	a->audience = p->aud;
	p->alert = a;
	p->alert_keep = keep;
	p->alert_syntax = p->nsyntax;
}

/* Like an activation's, an alert's syntax errors cost the where nothing. */
void pt_alert_end(struct lac_parse *p, struct loc l)
{
	struct ast_audience *a = p->aud;
	p->alert->loc = l;
	p->alert->syntax_error = p->nsyntax != p->alert_syntax;
	p->aud_act_syntax += p->nsyntax - p->alert_syntax;
	if (p->alert_keep)
		ARENA_PUSH(p->arena, a->alerts, a->nalerts, p->alert);
}

void pt_alert_kind(struct lac_parse *p, enum alert_kind k, const char *destination,
		   struct loc destination_loc)
{
	p->alert->kind = k;
	p->alert->destination = destination;
	p->alert->destination_loc = destination_loc;
}

void pt_alert_body(struct lac_parse *p, struct loc kind_loc, long threshold,
		   struct loc threshold_value_loc, struct loc threshold_loc,
		   struct name_list channels, struct loc notify_loc)
{
	struct ast_alert *a = p->alert;
	a->kind_loc = kind_loc;
	a->threshold = threshold;
	a->threshold_value_loc = threshold_value_loc;
	a->threshold_loc = threshold_loc;
	a->channels = channels.v;
	a->channel_locs = channels.locs;
	a->nchannels = channels.n;
	a->notify_loc = notify_loc;
}
