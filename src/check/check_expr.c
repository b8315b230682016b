/*
 * check_expr.c — where clauses (SPEC §3.4, §3.5): walks each condition with
 * its scope (the target, an entity row, or an event), resolves relationship
 * paths, columns, traits, event properties and dynamic references, checks
 * operators, literal types, counts, having and depth, and fills the sema
 * fields (ids, scope, positive, rels, col, trait, event).
 */
#include <stdlib.h>
#include <string.h>

#include "check/check_private.h"

/* Where a condition is evaluated.  Scopes form a chain to the target. */
struct scope {
	const struct scope *up;
	const struct relationship *rel;  /* entity scope: its relationship; NULL at the profile */
	const struct entity *entity;     /* entity scope: its entity */
	struct ast_expr *node;           /* enclosing ENTITY/EVENT node; NULL = the target */
	const char *slug;                /* name usable in slug.column, or NULL */
	bool is_event;                   /* an event block */
	const struct event_def *event;   /* is_event: catalog entry or NULL */
	const char *event_name;
	bool profile_scope;              /* the profile itself (top of a profile audience) */
	bool unresolved;                 /* scope not known (graph or path failed): skip lookups */
	bool top;                        /* the top level of where */
	bool positive;
};

/* The left side of a predicate, for messages: "NUMBER column 'age'". */
struct subject {
	enum col_type type;
	const char *what;                /* "column", "trait", "event property" */
	const char *name;
	bool entity_row;                 /* a column of an entity row (trait refs restricted) */
};

static void walk(struct checker *c, struct ast_expr *e, const struct scope *sc);

static bool is_ordered(enum col_type t)
{
	return t == TY_NUMBER || t == TY_DATE || t == TY_TIME || t == TY_TIMESTAMP;
}

/* Operators with a constant (SPEC §3.5). */
static bool op_allowed(enum col_type t, const struct predicate *p)
{
	switch (p->kind) {
	case PRED_CMP:
		return p->cmp == CMP_EQ || p->cmp == CMP_NE ? t != TY_OBJECT : is_ordered(t);
	case PRED_CONTAINS: case PRED_NOT_CONTAINS: case PRED_STARTS_WITH: case PRED_ENDS_WITH:
		return t == TY_STRING;
	case PRED_IN: case PRED_NOT_IN:
		return t != TY_BOOLEAN && t != TY_OBJECT;
	case PRED_BETWEEN:
		return is_ordered(t);
	case PRED_IS_NULL: case PRED_IS_NOT_NULL:
		return t != TY_OBJECT;
	case PRED_WITHIN_LAST: case PRED_WITHIN_NEXT: case PRED_BEFORE_LAST: case PRED_AFTER_NEXT:
		return t == TY_DATE || t == TY_TIMESTAMP;
	}
	return false;
}

/* Operators with a dynamic reference (the seeds' table). */
static bool ref_op_allowed(enum col_type t, const struct predicate *p)
{
	if (p->kind == PRED_CMP)
		return is_ordered(t) || (t == TY_STRING && (p->cmp == CMP_EQ || p->cmp == CMP_NE));
	return t == TY_STRING && (p->kind == PRED_CONTAINS || p->kind == PRED_NOT_CONTAINS ||
				  p->kind == PRED_STARTS_WITH || p->kind == PRED_ENDS_WITH);
}

static const char *ops_of_type(enum col_type t)
{
	switch (t) {
	case TY_NUMBER: case TY_TIME:
		return "= != < > <= >= in, not in, between, is null, is not null";
	case TY_DATE: case TY_TIMESTAMP:
		return "= != < > <= >= in, not in, between, is null, is not null, "
		       "within last, within next, before last, after next";
	case TY_STRING:
		return "= != in, not in, contains, not contains, starts with, ends with, "
		       "is null, is not null";
	case TY_BOOLEAN:
		return "= != is null, is not null";
	case TY_OBJECT:
		break;
	}
	return "no operator";
}

static enum col_type lit_type(enum lit_kind k)
{
	switch (k) {
	case LIT_STRING: return TY_STRING;
	case LIT_NUMBER: return TY_NUMBER;
	case LIT_BOOL: return TY_BOOLEAN;
	case LIT_DATE: return TY_DATE;
	case LIT_TIME: return TY_TIME;
	case LIT_TIMESTAMP: return TY_TIMESTAMP;
	}
	return TY_OBJECT;
}

static bool digits_at(const char *s, const char *shape)
{
	/* shape: '9' a digit, anything else itself */
	for (; *shape; s++, shape++) {
		if (*shape == '9' ? (*s < '0' || *s > '9') : *s != *shape)
			return false;
	}
	return *s == '\0' || *s == 'Z' || *s == '.' || *s == '+';
}

/* How to write a literal of type want, from what was written if possible. */
static void hint_literal(struct checker *c, enum col_type want, const struct literal *l)
{
	const char *t = l->text ? l->text : "";
	switch (want) {
	case TY_TIMESTAMP:
		if ((l->kind == LIT_DATE || l->kind == LIT_STRING) && digits_at(t, "9999-99-99") &&
		    strlen(t) == 10)
			diag_hint(c->d, "write timestamp \"%sT00:00:00Z\"", t);
		else if (l->kind == LIT_STRING && digits_at(t, "9999-99-99?99:99:99"))
			diag_hint(c->d, "write timestamp \"%s\"", t);
		else
			diag_hint(c->d, "write a TIMESTAMP literal, such as timestamp \"2025-01-31T00:00:00Z\"");
		return;
	case TY_DATE:
		if (l->kind == LIT_STRING && strlen(t) == 10 && digits_at(t, "9999-99-99"))
			diag_hint(c->d, "write date \"%s\"", t);
		else if (l->kind == LIT_TIMESTAMP && strlen(t) >= 10)
			diag_hint(c->d, "write date \"%.10s\"", t);
		else
			diag_hint(c->d, "write a DATE literal, such as date \"2025-01-31\"");
		return;
	case TY_TIME:
		if (l->kind == LIT_STRING && digits_at(t, "99:99:99"))
			diag_hint(c->d, "write time \"%s\"", t);
		else
			diag_hint(c->d, "write a TIME literal, such as time \"08:30:00\"");
		return;
	case TY_NUMBER:
		diag_hint(c->d, "write a NUMBER literal, such as 42 (without quotes)");
		return;
	case TY_STRING:
		diag_hint(c->d, "write a STRING literal in double quotes, such as \"text\"");
		return;
	case TY_BOOLEAN:
		diag_hint(c->d, "write true or false (without quotes)");
		return;
	case TY_OBJECT:
		return;
	}
}

static void check_literal(struct checker *c, const struct subject *s, const struct literal *l)
{
	enum col_type lt = lit_type(l->kind);
	if (lt == s->type)
		return;
	cerr(c, l->loc, DIAG_E304, "%s %s '%s' cannot be compared with a %s literal",
	     col_type_name(s->type), s->what, s->name, col_type_name(lt));
	hint_literal(c, s->type, l);
}

/* lo > hi for two literals of one type (numbers numerically, the ISO forms as text). */
static bool literal_greater(const struct literal *lo, const struct literal *hi)
{
	if (lo->kind != hi->kind || !lo->text || !hi->text)
		return false;
	if (lo->kind == LIT_NUMBER)
		return strtod(lo->text, NULL) > strtod(hi->text, NULL);
	if (lo->kind == LIT_DATE || lo->kind == LIT_TIME || lo->kind == LIT_TIMESTAMP)
		return strcmp(lo->text, hi->text) > 0;
	return false;
}

static void list_scope_slugs(struct checker *c, const struct scope *sc)
{
	struct strbuf sb = STRBUF_INIT;
	for (const struct scope *s = sc; s; s = s->up)
		if (s->slug) {
			bool dup = false; /* a nested scope may reuse a slug: list it once */
			for (const struct scope *t = sc; t != s; t = t->up)
				dup |= str_eq(t->slug, s->slug);
			if (!dup)
				sb_addf(&sb, "%s%s", sb.len ? ", " : "", s->slug);
		}
	if (sb.len)
		diag_hint(c->d, "entities in scope here: %s", sb.buf);
	else
		diag_hint(c->d, "no 'with entity' is in scope here");
	sb_release(&sb);
}

/* Resolve `trait.a.b`; returns false after reporting E309. */
static bool resolve_trait_path(struct checker *c, const char *const *parts, size_t n,
			       const struct loc *locs, struct loc whole,
			       const struct trait **out, const struct trait **root)
{
	const struct trait *t = profile_trait(&c->g->profile, parts[0]);
	if (!t) {
		cerr(c, locs ? locs[0] : whole, DIAG_E309, "trait '%s' is not declared in the data graph",
		     parts[0]);
		check_hint_trait(c, c->g->profile.traits, c->g->profile.ntraits, parts[0]);
		return false;
	}
	*root = t;
	for (size_t i = 1; i < n; i++) {
		struct loc loc = locs ? locs[i] : whole;
		if (t->type != TY_OBJECT) {
			cerr(c, loc, DIAG_E309, "trait '%s' is %s and has no properties", t->name,
			     col_type_name(t->type));
			return false;
		}
		const struct trait *k = trait_prop(t, parts[i]);
		if (!k) {
			cerr(c, loc, DIAG_E309, "trait '%s' has no property '%s'", t->name, parts[i]);
			check_hint_trait(c, t->props, t->nprops, parts[i]);
			return false;
		}
		t = k;
	}
	*out = t;
	return true;
}

static const char *join_parts(struct checker *c, const char *const *parts, size_t n)
{
	struct path p = { (const char **)parts, NULL, n, { 0, 0, 0, 0, 0 } };
	return check_path_text(c, &p);
}

/* The right side is trait.x or slug.column: resolve it and check it against s. */
static void check_reference(struct checker *c, struct predicate *p, const struct subject *s,
			    const struct scope *sc)
{
	struct operand *o = &p->rhs;
	const char *rname;
	const char *rwhat;
	if (o->ref == REF_TRAIT) {
		rname = join_parts(c, o->trait_path, o->ntrait_path);
		if (s->entity_row && c->cur->aud->target == TARGET_ENTITY) {
			cerr(c, o->loc, DIAG_E314,
			     "trait.%s cannot be used in an entity scope of an entity-targeted audience",
			     rname);
			diag_hint(c->d, "it would not say which associated profile is meant");
			return;
		}
		if (!c->g)
			return;
		const struct trait *t, *root;
		if (!resolve_trait_path(c, o->trait_path, o->ntrait_path, NULL, o->loc, &t, &root))
			return;
		o->trait = t;
		o->trait_root = root;
		o->type = t->type;
		rwhat = "trait";
	} else {
		rname = arena_sprintf(c->a, "%s.%s", o->slug, o->column);
		if (sc->is_event) {
			cerr(c, o->loc, DIAG_E314, "'%s': an event block can reference only traits", rname);
			diag_hint(c->d, "write trait.NAME to compare with a profile trait");
			return;
		}
		const struct scope *found = NULL;
		for (const struct scope *t = sc; t && !found; t = t->up)
			if (t->slug && str_eq(t->slug, o->slug))
				found = t;
		if (!found) {
			cerr(c, o->loc, DIAG_E314, "'%s' is not an entity in scope here", o->slug);
			list_scope_slugs(c, sc);
			return;
		}
		if (found->unresolved || !found->entity)
			return;
		const struct column *col = entity_column(found->entity, o->column);
		if (!col) {
			cerr(c, o->loc, DIAG_E201,
			     "Entity column missing from Data Graph for Entity %s and Column: %s",
			     found->entity->slug, o->column);
			check_hint_column(c, found->entity, o->column);
			return;
		}
		o->col = col;
		o->scope = found->node;
		o->type = col->type;
		rwhat = "column";
	}
	if (o->type != s->type) {
		cerr(c, o->loc, DIAG_E304, "%s %s '%s' cannot be compared with %s %s '%s'",
		     col_type_name(s->type), s->what, s->name, col_type_name(o->type), rwhat, rname);
		diag_hint(c->d, "a reference must have the same type as the %s", s->what);
		return;
	}
	if (!ref_op_allowed(s->type, p)) {
		cerr(c, p->loc, DIAG_E303, "operator '%s' cannot take a reference for %s %s '%s'",
		     pred_op_text(p), col_type_name(s->type), s->what, s->name);
		if (s->type == TY_STRING)
			diag_hint(c->d, "with a reference, STRING supports = != contains, not contains, "
					"starts with, ends with");
		else if (s->type == TY_BOOLEAN)
			diag_hint(c->d, "BOOLEAN values cannot be compared with a reference");
		else
			diag_hint(c->d, "with a reference, %s supports = != < > <= >=",
				  col_type_name(s->type));
	}
}

static void check_pred(struct checker *c, struct predicate *p, const struct subject *s,
		       const struct scope *sc)
{
	if (!op_allowed(s->type, p)) {
		cerr(c, p->loc, DIAG_E303, "operator '%s' is not defined for %s %s '%s'",
		     pred_op_text(p), col_type_name(s->type), s->what, s->name);
		diag_hint(c->d, "%s supports %s", col_type_name(s->type), ops_of_type(s->type));
		return;
	}
	switch (p->kind) {
	case PRED_CMP: case PRED_CONTAINS: case PRED_NOT_CONTAINS:
	case PRED_STARTS_WITH: case PRED_ENDS_WITH:
		if (p->rhs.ref != REF_NONE)
			check_reference(c, p, s, sc);
		else
			check_literal(c, s, &p->rhs.lit);
		break;
	case PRED_IN: case PRED_NOT_IN:
		for (size_t i = 0; i < p->nlist; i++)
			check_literal(c, s, &p->list[i]);
		break;
	case PRED_BETWEEN: {
		size_t before = c->d->nerrors;
		check_literal(c, s, &p->lo);
		check_literal(c, s, &p->hi);
		if (c->d->nerrors == before && literal_greater(&p->lo, &p->hi)) {
			cerr(c, p->loc, DIAG_E319,
			     "between %s and %s matches nothing: the first bound is greater than the second",
			     p->lo.text, p->hi.text);
			diag_hint(c->d, "write between %s and %s", p->hi.text, p->lo.text);
		}
		break;
	}
	case PRED_IS_NULL: case PRED_IS_NOT_NULL:
		break;
	case PRED_WITHIN_LAST: case PRED_WITHIN_NEXT: case PRED_BEFORE_LAST: case PRED_AFTER_NEXT:
		if (s->type == TY_DATE && (p->unit == UNIT_MINUTE || p->unit == UNIT_HOUR)) {
			cerr(c, p->loc, DIAG_E315, "unit '%s' is not valid for DATE %s '%s'",
			     time_unit_name(p->unit, p->amount), s->what, s->name);
			diag_hint(c->d, "a DATE has no time of day: use days or weeks");
		}
		break;
	}
}

/* ---- counts and having ------------------------------------------------------------- */

static void check_count(struct checker *c, struct ast_expr *e, const char *what, const char *name)
{
	const struct count_spec *n = &e->count;
	if (n->n < 0)
		return; /* the parser reported the bad number */
	if (n->kind == COUNT_AT_LEAST && n->n == 0) {
		cerr(c, n->loc, DIAG_E306, "'at least 0' is always true: at least takes 1 or more");
		diag_hint(c->d, "leave the count out (the default is at least 1), or use 'exactly 0'");
		return;
	}
	/* SPEC §3.5: no block at all, not even an empty one, and no having */
	if ((n->kind == COUNT_AT_MOST || n->kind == COUNT_EXACTLY) && n->n == 0 &&
	    (e->block || e->having.present)) {
		cerr(c, n->loc, DIAG_E307,
		     "When filtering by 0, you can't additionally filter on %s properties or nested entities.",
		     what);
		diag_hint(c->d, "use 'without %s %s { ... }' to ask for none that match", what, name);
	}
}

static void check_having(struct checker *c, struct having *h, const struct scope *inner)
{
	if (!h->present)
		return;
	enum col_type agg_type = TY_NUMBER;
	if (h->agg == AGG_COUNT) {
		if (h->column) {
			cerr(c, h->column_loc, DIAG_E305, "count() takes no column");
			diag_hint(c->d, "write having count() %s ...", cmp_op_text(h->cmp));
			return;
		}
	} else {
		if (!h->column) {
			cerr(c, h->loc, DIAG_E305, "%s() needs a column", agg_name(h->agg));
			return;
		}
		if (inner->unresolved)
			return;
		const struct column *col = NULL;
		if (inner->is_event) {
			for (size_t i = 0; inner->event && i < inner->event->nprops; i++)
				if (str_eq(inner->event->props[i].name, h->column))
					col = &inner->event->props[i];
			if (!col) {
				cerr(c, h->column_loc, DIAG_E310,
				     "event property '%s' is not declared for event \"%s\"", h->column,
				     inner->event_name);
				return;
			}
		} else {
			col = entity_column(inner->entity, h->column);
			if (!col) {
				cerr(c, h->column_loc, DIAG_E201,
				     "Entity column missing from Data Graph for Entity %s and Column: %s",
				     inner->entity->slug, h->column);
				check_hint_column(c, inner->entity, h->column);
				return;
			}
		}
		h->col = col;
		bool minmax = h->agg == AGG_MIN || h->agg == AGG_MAX;
		if (minmax ? !is_ordered(col->type) : col->type != TY_NUMBER) {
			cerr(c, h->column_loc, DIAG_E305, "%s() needs a %s column, but '%s' is %s",
			     agg_name(h->agg), minmax ? "NUMBER, DATE, TIME or TIMESTAMP" : "NUMBER",
			     h->column, col_type_name(col->type));
			return;
		}
		if (minmax)
			agg_type = col->type;
	}
	if (lit_type(h->value.kind) != agg_type) {
		cerr(c, h->value.loc, DIAG_E304, "%s() is %s and cannot be compared with a %s literal",
		     agg_name(h->agg), col_type_name(agg_type),
		     col_type_name(lit_type(h->value.kind)));
		hint_literal(c, agg_type, &h->value);
	}
}

/* ---- conditions -------------------------------------------------------------------- */

static void wrong_scope(struct checker *c, struct ast_expr *e, const char *what,
			const struct scope *sc)
{
	cerr(c, e->loc, DIAG_E308, "%s conditions are allowed only at the top level of where", what);
	if (sc->is_event)
		diag_hint(c->d, "an event block holds only conditions on the event's properties");
	else
		diag_hint(c->d, "move it out of the 'with entity' block");
}

static void check_entity(struct checker *c, struct ast_expr *e, const struct scope *sc)
{
	if (e->negated)
		e->positive = false;
	const char *text = check_path_text(c, &e->path);
	if (sc->is_event) {
		cerr(c, e->loc, DIAG_E308, "entity conditions are not allowed in an event block");
		diag_hint(c->d, "an event block holds only conditions on the event's properties");
	}
	check_count(c, e, "entity", text);

	struct scope in;
	memset(&in, 0, sizeof(in));
	in.up = sc;
	in.node = e;
	in.positive = e->positive;
	in.slug = e->path.n ? e->path.parts[e->path.n - 1] : NULL;
	in.unresolved = true;
	if (c->g && !sc->unresolved && !sc->is_event && e->path.n) {
		const struct relationship **rels = arena_alloc(c->a, e->path.n * sizeof(*rels));
		const struct relationship *cur = sc->rel;
		size_t i;
		for (i = 0; i < e->path.n; i++) {
			struct loc loc = e->path.part_locs ? e->path.part_locs[i] : e->path.loc;
			if (!(cur = check_hop(c, cur, e->path.parts[i], loc)))
				break;
			rels[i] = cur;
		}
		if (i == e->path.n) {
			e->rels = rels;
			e->nrels = e->path.n;
			in.rel = cur;
			in.entity = cur->entity;
			in.unresolved = false;
			int max = c->g->max_depth > 0 ? c->g->max_depth : 6;
			if (cur->depth > max) {
				cerr(c, e->path.loc, DIAG_E302,
				     "'%s' reaches depth %d, deeper than limits.max_depth (%d)", cur->path,
				     cur->depth, max);
				diag_hint(c->d, "depth counts the profile as level 1");
			}
			VEC_PUSH(c->cur->entities, c->cur->nentities, c->cur->entcap, e);
		}
	}
	walk(c, e->block, &in);
	check_having(c, &e->having, &in);
}

static void check_event(struct checker *c, struct ast_expr *e, const struct scope *sc)
{
	if (e->negated)
		e->positive = false;
	if (!sc->top)
		wrong_scope(c, e, "event", sc);
	const char *name = arena_sprintf(c->a, "\"%s\"", e->event_name ? e->event_name : "");
	check_count(c, e, "event", name);
	if (e->window.kind == WIN_BETWEEN_AGO && e->window.a >= 0 && e->window.b >= 0 &&
	    e->window.a > e->window.b) {
		cerr(c, e->window.loc, DIAG_E315,
		     "between %ld and %ld %s ago: the first number must not be greater than the second",
		     e->window.a, e->window.b, time_unit_name(e->window.unit, e->window.b));
		diag_hint(c->d, "write between %ld and %ld %s ago", e->window.b, e->window.a,
			  time_unit_name(e->window.unit, e->window.a));
	}

	struct scope in;
	memset(&in, 0, sizeof(in));
	in.up = sc;
	in.node = e;
	in.positive = e->positive;
	in.is_event = true;
	in.event_name = e->event_name ? e->event_name : "";
	in.unresolved = true;
	if (c->g) {
		const struct profile *pr = &c->g->profile;
		if (!pr->events.present) {
			cerr(c, e->loc, DIAG_E211, "the data graph declares no events");
			diag_hint(c->d, "add profile.events to the data graph to use 'with event'");
		} else {
			for (size_t i = 0; i < pr->events.ncatalog && !e->event; i++)
				if (str_eq(pr->events.catalog[i].name, e->event_name))
					e->event = &pr->events.catalog[i];
			if (!e->event) {
				diag_warning(c->d, e->event_name_loc, DIAG_W001,
					     "event \"%s\" is not in the events catalog", in.event_name);
				const char **names = xmalloc((pr->events.ncatalog + 1) * sizeof(*names));
				for (size_t i = 0; i < pr->events.ncatalog; i++)
					names[i] = pr->events.catalog[i].name;
				diag_hint_closest(c->d, in.event_name, names, pr->events.ncatalog);
				free(names);
			}
			in.event = e->event;
			in.unresolved = false;
		}
	}
	walk(c, e->block, &in);
	check_having(c, &e->having, &in);
}

static void check_trait(struct checker *c, struct ast_expr *e, const struct scope *sc)
{
	if (e->negated)
		e->positive = false;
	if (!sc->top)
		wrong_scope(c, e, "trait", sc);
	if (!c->g || !e->path.n)
		return;
	const struct trait *t, *root;
	if (!resolve_trait_path(c, e->path.parts, e->path.n, e->path.part_locs, e->path.loc, &t, &root))
		return;
	e->trait = t;
	e->trait_root = root;
	if (!e->pred)
		return;
	const char *name = check_path_text(c, &e->path);
	if (t->type == TY_OBJECT) {
		cerr(c, e->pred->loc, DIAG_E303, "operator '%s' is not defined for OBJECT trait '%s'",
		     pred_op_text(e->pred), name);
		diag_hint(c->d, "test an OBJECT trait without an operator ('with trait %s' means it is "
				"not null), or name one of its properties", name);
		return;
	}
	struct subject s = { t->type, "trait", name, false };
	check_pred(c, e->pred, &s, sc);
}

static void check_column(struct checker *c, struct ast_expr *e, const struct scope *sc)
{
	if (sc->profile_scope) {
		cerr(c, e->loc, DIAG_E308, "column '%s' is not in an entity scope", e->column);
		if (c->g && profile_trait(&c->g->profile, e->column))
			diag_hint(c->d, "for the profile trait, write 'with trait %s ...'", e->column);
		else
			diag_hint(c->d, "column conditions go inside a 'with entity' or 'with event' block");
		return;
	}
	if (sc->unresolved || !e->pred)
		return;
	const struct column *col = NULL;
	struct subject s;
	if (sc->is_event) {
		e->event_prop = true;
		for (size_t i = 0; sc->event && i < sc->event->nprops; i++)
			if (str_eq(sc->event->props[i].name, e->column))
				col = &sc->event->props[i];
		if (!col) {
			cerr(c, e->column_loc, DIAG_E310,
			     "event property '%s' is not declared for event \"%s\"", e->column,
			     sc->event_name);
			if (sc->event) {
				const char **names = xmalloc((sc->event->nprops + 1) * sizeof(*names));
				for (size_t i = 0; i < sc->event->nprops; i++)
					names[i] = sc->event->props[i].name;
				diag_hint_closest(c->d, e->column, names, sc->event->nprops);
				free(names);
			} else {
				diag_hint(c->d, "declare the event and its properties in profile.events.catalog");
			}
			return;
		}
		s = (struct subject){ col->type, "event property", e->column, false };
	} else {
		col = entity_column(sc->entity, e->column);
		if (!col) {
			cerr(c, e->column_loc, DIAG_E201,
			     "Entity column missing from Data Graph for Entity %s and Column: %s",
			     sc->entity->slug, e->column);
			check_hint_column(c, sc->entity, e->column);
			return;
		}
		s = (struct subject){ col->type, "column", e->column, true };
	}
	e->col = col;
	check_pred(c, e->pred, &s, sc);
}

static void walk(struct checker *c, struct ast_expr *e, const struct scope *sc)
{
	if (!e)
		return;
	e->id = ++c->cur->aud->nexprs;
	e->scope = sc->node;
	e->positive = sc->positive;
	switch (e->kind) {
	case EX_AND: case EX_OR:
		walk(c, e->lhs, sc);
		walk(c, e->rhs, sc);
		break;
	case EX_NOT: {
		struct scope s = *sc;
		s.positive = false;
		walk(c, e->lhs, &s);
		break;
	}
	case EX_BLOCK: case EX_ANY: case EX_ALL:
		for (size_t i = 0; i < e->nitems; i++)
			walk(c, e->items[i], sc);
		break;
	case EX_ENTITY:
		check_entity(c, e, sc);
		break;
	case EX_TRAIT:
		check_trait(c, e, sc);
		break;
	case EX_EVENT:
		check_event(c, e, sc);
		break;
	case EX_AUDIENCE:
		if (e->negated)
			e->positive = false;
		if (!sc->top)
			wrong_scope(c, e, "part of audience", sc);
		check_audience_ref(c, e);
		break;
	case EX_COLUMN:
		check_column(c, e, sc);
		break;
	}
}

void check_where(struct checker *c, struct ast_audience *a)
{
	struct scope top;
	memset(&top, 0, sizeof(top));
	top.top = true;
	top.positive = true;
	if (a->target == TARGET_ENTITY) {
		if (c->g && c->cur->target_ok && a->ntarget_rels) {
			top.rel = a->target_rels[a->ntarget_rels - 1];
			top.entity = top.rel->entity;
			top.slug = a->target_path.parts[a->target_path.n - 1];
		} else {
			top.unresolved = true;
		}
	} else {
		top.profile_scope = true;
		top.unresolved = !c->g;
	}
	a->nexprs = 0;
	walk(c, a->where, &top);
}
