/*
 * check.c — the checker's driver: unique names, targets, schedules, the
 * references between audiences (existence, same target, cycles), and the
 * graph lookups shared by check_expr.c and check_activation.c.
 *
 * Passes: (1) index names and resolve every target; (2) check each where
 * clause and activation; (3) look for reference cycles.  Nothing stops at
 * the first error, so one run reports as much as possible.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_private.h"

int cerr(struct checker *c, struct loc loc, enum diag_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (c->cur)
		c->cur->nerrors++;
	diag_error(c->d, loc, code, "%s", msg);
	free(msg);
	return -1;
}

/* ---- graph lookups ------------------------------------------------------- */

static const struct relationship *find_rel(const struct relationship *v, size_t n, const char *slug)
{
	for (size_t i = 0; i < n; i++) {
		if (str_eq(v[i].slug, slug))
			return &v[i];
		const struct relationship *r = find_rel(v[i].children, v[i].nchildren, slug);
		if (r)
			return r;
	}
	return NULL;
}

/* The first relationship with that slug anywhere in the tree (pre-order). */
const struct relationship *check_rel_anywhere(const struct graph *g, const char *slug)
{
	return find_rel(g->profile.relationships, g->profile.nrelationships, slug);
}

void check_hint_child(struct checker *c, const struct relationship *parent, const char *slug)
{
	const struct relationship *v = parent ? parent->children : c->g->profile.relationships;
	size_t n = parent ? parent->nchildren : c->g->profile.nrelationships;
	const char **names = xmalloc((n + 1) * sizeof(*names));
	for (size_t i = 0; i < n; i++)
		names[i] = v[i].slug;
	diag_hint_closest(c->d, slug, names, n);
	free(names);
}

void check_hint_column(struct checker *c, const struct entity *e, const char *name)
{
	const char **names = xmalloc((e->ncolumns + 1) * sizeof(*names));
	for (size_t i = 0; i < e->ncolumns; i++)
		names[i] = e->columns[i].name;
	diag_hint_closest(c->d, name, names, e->ncolumns);
	free(names);
}

void check_hint_trait(struct checker *c, const struct trait *traits, size_t n, const char *name)
{
	const char **names = xmalloc((n + 1) * sizeof(*names));
	for (size_t i = 0; i < n; i++)
		names[i] = traits[i].name;
	diag_hint_closest(c->d, name, names, n);
	free(names);
}

const struct relationship *check_hop(struct checker *c, const struct relationship *parent,
				     const char *slug, struct loc loc)
{
	const struct relationship *r = relationship_child(c->g, parent, slug);
	if (r)
		return r;
	const struct relationship *elsewhere = check_rel_anywhere(c->g, slug);
	if (!elsewhere) {
		cerr(c, loc, DIAG_E300, "Entity relationship not in Data Graph for relationship: %s", slug);
		check_hint_child(c, parent, slug);
		return NULL;
	}
	cerr(c, loc, DIAG_E301,
	     "Entity relationship not in Data Graph for entity: %s and relationship: %s",
	     parent ? parent->entity->slug : "profile", slug);
	check_hint_child(c, parent, slug);
	diag_hint(c->d, "'%s' is the relationship %s", slug, elsewhere->path);
	return NULL;
}

const char *check_path_text(struct checker *c, const struct path *p)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < p->n; i++) {
		if (i)
			sb_addch(&sb, '.');
		sb_addstr(&sb, p->parts[i]);
	}
	const char *s = arena_strdup(c->a, sb.buf);
	sb_release(&sb);
	return s;
}

/* ---- audience names -------------------------------------------------------- */

static size_t name_hash(const char *s)
{
	size_t h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

struct aud_info *check_find_audience(const struct checker *c, const char *name)
{
	if (!c->tablecap || !name)
		return NULL;
	for (size_t i = name_hash(name) & (c->tablecap - 1);; i = (i + 1) & (c->tablecap - 1)) {
		if (!c->table[i])
			return NULL;
		if (str_eq(c->table[i]->aud->name, name))
			return c->table[i];
	}
}

static void first_defined_hint(struct checker *c, const char *what, const char *name, struct loc first)
{
	diag_hint(c->d, "%s '%s' is first defined at %s:%u", what, name,
		  source_path(&c->p->sources, first.file), (unsigned)first.line);
}

/* Index audiences by name (E316 on the second of a pair), and check that
 * activation names are unique too. */
static void index_names(struct checker *c)
{
	c->tablecap = 16;
	while (c->tablecap < c->ninfos * 2)
		c->tablecap *= 2;
	c->table = xcalloc(c->tablecap, sizeof(*c->table));
	for (size_t k = 0; k < c->ninfos; k++) {
		struct aud_info *ai = &c->infos[k];
		if (!ai->aud->name)
			continue;
		struct aud_info *first = check_find_audience(c, ai->aud->name);
		if (first) {
			c->cur = ai;
			cerr(c, ai->aud->name_loc, DIAG_E316, "duplicate audience name '%s'", ai->aud->name);
			first_defined_hint(c, "audience", ai->aud->name, first->aud->name_loc);
			continue;
		}
		size_t i = name_hash(ai->aud->name) & (c->tablecap - 1);
		while (c->table[i])
			i = (i + 1) & (c->tablecap - 1);
		c->table[i] = ai;
	}

	/* Activations: few per audience, so a sorted copy is enough. */
	struct act_ref { struct ast_activation *act; struct aud_info *ai; size_t order; } *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t k = 0; k < c->ninfos; k++)
		for (size_t j = 0; j < c->infos[k].aud->nactivations; j++) {
			struct act_ref r = { c->infos[k].aud->activations[j], &c->infos[k], n };
			if (r.act->name)
				VEC_PUSH(v, n, cap, r);
		}
	for (size_t i = 1; i < n; i++) { /* insertion sort by (name, order): stable, usually tiny */
		struct act_ref r = v[i];
		size_t j = i;
		while (j > 0 && strcmp(v[j - 1].act->name, r.act->name) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = r;
	}
	for (size_t i = 1; i < n; i++) {
		size_t f = i - 1;
		if (strcmp(v[f].act->name, v[i].act->name) != 0)
			continue;
		while (f > 0 && strcmp(v[f - 1].act->name, v[i].act->name) == 0)
			f--;
		c->cur = v[i].ai;
		cerr(c, v[i].act->name_loc, DIAG_E316, "duplicate activation name '%s'", v[i].act->name);
		first_defined_hint(c, "activation", v[i].act->name, v[f].act->name_loc);
	}
	free(v);
	c->cur = NULL;
}

/* ---- targets and schedules ----------------------------------------------------- */

static void check_target(struct checker *c, struct aud_info *ai)
{
	struct ast_audience *a = ai->aud;
	ai->target_ok = true;
	if (a->target != TARGET_ENTITY)
		return;
	if (!c->g || a->target_path.n == 0) {
		ai->target_ok = false;
		return;
	}
	const struct relationship **rels = arena_alloc(c->a, a->target_path.n * sizeof(*rels));
	const struct relationship *cur = NULL;
	for (size_t i = 0; i < a->target_path.n; i++) {
		const char *slug = a->target_path.parts[i];
		struct loc loc = a->target_path.part_locs ? a->target_path.part_locs[i] : a->target_path.loc;
		const struct relationship *r = relationship_child(c->g, cur, slug);
		if (!r && i == 0 && (r = check_rel_anywhere(c->g, slug))) {
			/* Written from the middle of the tree: SPEC's wording for a slug
			 * not under the profile (E301, as `with entity`), and the full
			 * path to write instead. */
			cerr(c, loc, DIAG_E301,
			     "Entity relationship not in Data Graph for entity: profile and relationship: %s",
			     slug);
			check_hint_child(c, NULL, slug);
			diag_hint(c->d, "write the whole path: target entity %s", r->path);
			ai->target_ok = false;
			return;
		}
		if (!r)
			r = check_hop(c, cur, slug, loc);
		if (!r) {
			ai->target_ok = false;
			return;
		}
		rels[i] = cur = r;
	}
	a->target_rels = rels;
	a->ntarget_rels = a->target_path.n;
}

static bool every_ok(long every, enum time_unit unit)
{
	static const long ok[] = { 900, 1800, 3600, 7200, 14400, 21600, 28800, 43200, 86400 };
	long secs = every * time_unit_seconds(unit);
	if (every <= 0 || every > 86400 * 7)
		return false;
	for (size_t i = 0; i < ARRAY_LEN(ok); i++)
		if (secs == ok[i])
			return true;
	return false;
}

static void check_schedule(struct checker *c, struct ast_audience *a)
{
	const struct schedule *s = &a->schedule;
	if (s->kind == SCHED_EVERY && s->every >= 0 && !every_ok(s->every, s->unit)) {
		cerr(c, s->loc, DIAG_E400, "schedule 'every %ld %s' is not supported", s->every,
		     time_unit_name(s->unit, s->every));
		diag_hint(c->d, "every takes 15 minutes, 30 minutes, 1, 2, 4, 6, 8 or 12 hours, or 1 day");
	} else if (s->kind == SCHED_AT) {
		/* The parser reported a bad time (hour -1) or day (no bit) already. */
		if (s->hour > 23 || s->minute > 59) {
			cerr(c, s->loc, DIAG_E400, "schedule time %02d:%02d is out of range", s->hour,
			     s->minute);
			diag_hint(c->d, "at takes HH:MM (UTC), from 00:00 to 23:59");
		}
		if (s->hour < 0 || (s->days & 0x7f) == 0)
			c->cur->nerrors++;
	}
}

/* ---- references between audiences ------------------------------------------------ */

static const char *target_text(const struct ast_audience *a)
{
	if (a->target != TARGET_ENTITY)
		return "the profile";
	if (a->ntarget_rels)
		return a->target_rels[a->ntarget_rels - 1]->path;
	return "an entity";
}

/* Same target: both profile, or the same relationship path. */
static bool same_target(const struct aud_info *x, const struct aud_info *y)
{
	if (x->aud->target != y->aud->target)
		return false;
	if (x->aud->target == TARGET_PROFILE)
		return true;
	if (!x->aud->ntarget_rels || !y->aud->ntarget_rels)
		return true; /* unresolved: already reported */
	return x->aud->target_rels[x->aud->ntarget_rels - 1] ==
	       y->aud->target_rels[y->aud->ntarget_rels - 1];
}

void check_audience_ref(struct checker *c, struct ast_expr *e)
{
	struct aud_info *ri = check_find_audience(c, e->audience);
	if (!ri) {
		cerr(c, e->audience_loc, DIAG_E311, "audience '%s' does not exist", e->audience);
		const char **names = xmalloc((c->ninfos + 1) * sizeof(*names));
		for (size_t i = 0; i < c->ninfos; i++)
			names[i] = c->infos[i].aud->name ? c->infos[i].aud->name : "";
		diag_hint_closest(c->d, e->audience, names, c->ninfos);
		free(names);
		return;
	}
	e->ref = ri->aud;
	/* a target item that did not parse would make a false mismatch */
	bool unsure = (ri->aud->syntax_error && !ri->aud->target_loc.line) ||
		      (c->cur->aud->syntax_error && !c->cur->aud->target_loc.line);
	if (c->cur->target_ok && ri->target_ok && !unsure && !same_target(c->cur, ri)) {
		cerr(c, e->audience_loc, DIAG_E313,
		     "audience '%s' targets %s, but this audience targets %s", e->audience,
		     target_text(ri->aud), target_text(c->cur->aud));
		diag_hint(c->d, "part of audience needs an audience with the same target");
	}
	if (e->using_ == USING_MEMBERSHIP && ri->aud->enabled == 0) {
		/* no run refreshes a disabled audience's snapshot */
		diag_warning(c->d, e->audience_loc, DIAG_W004,
			     "audience '%s' is disabled: its membership is no longer updated, so "
			     "'using membership' reads it as it was at its last run", e->audience);
		diag_hint(c->d, "enable '%s', or write 'part of audience %s' to read its conditions",
			  e->audience, e->audience);
	}
	VEC_PUSH(c->cur->refexprs, c->cur->nrefexprs, c->cur->refcap, e);
	struct ast_audience *a = c->cur->aud;
	for (size_t i = 0; i < a->nrefs; i++)
		if (a->refs[i] == ri->aud)
			return;
	ARENA_PUSH(c->a, a->refs, a->nrefs, ri->aud);
}

/* Depth-first search; a reference to a grey audience closes a cycle. */
static void find_cycles(struct checker *c, struct aud_info *ai, struct aud_info **stack, size_t depth)
{
	ai->color = 1;
	stack[depth] = ai;
	for (size_t i = 0; i < ai->nrefexprs; i++) {
		struct ast_expr *e = ai->refexprs[i];
		struct aud_info *to = check_find_audience(c, e->audience);
		if (!to)
			continue;
		if (to->color == 1) {
			c->cur = ai;
			cerr(c, e->audience_loc, DIAG_E312,
			     "The audience would create a cycle by referencing another audience");
			struct strbuf sb = STRBUF_INIT;
			size_t from = depth;
			while (stack[from] != to)
				from--;
			for (size_t k = from; k <= depth; k++)
				sb_addf(&sb, "%s -> ", stack[k]->aud->name);
			sb_addstr(&sb, to->aud->name);
			diag_hint(c->d, "cycle: %s", sb.buf);
			sb_release(&sb);
			to->nerrors++; /* every audience on the cycle is unusable */
		} else if (to->color == 0) {
			find_cycles(c, to, stack, depth + 1);
		}
	}
	ai->color = 2;
}

/* ---- driver ------------------------------------------------------------------------- */

size_t check_project(struct project *p)
{
	struct checker c;
	memset(&c, 0, sizeof(c));
	c.p = p;
	c.d = &p->diags;
	c.a = &p->arena;
	c.g = p->graph_ok ? &p->graph : NULL;
	size_t errors_before = p->diags.nerrors;

	for (size_t i = 0; i < p->nfiles; i++)
		c.ninfos += p->files[i]->naudiences;
	c.infos = xcalloc(c.ninfos + 1, sizeof(*c.infos));
	size_t k = 0;
	for (size_t i = 0; i < p->nfiles; i++)
		for (size_t j = 0; j < p->files[i]->naudiences; j++)
			c.infos[k++].aud = p->files[i]->audiences[j];

	index_names(&c);
	for (k = 0; k < c.ninfos; k++) {
		c.cur = &c.infos[k];
		check_target(&c, c.cur);
	}
	for (k = 0; k < c.ninfos; k++) {
		struct ast_audience *a = c.infos[k].aud;
		c.cur = &c.infos[k];
		a->nrefs = 0;
		a->refs = NULL;
		if (a->syntax_error)
			c.cur->nerrors++; /* reported by the parser; the rest is checked */
		check_schedule(&c, a);
		check_where(&c, a);
		check_json_depth(&c, a, p->warehouse.type);
		for (size_t j = 0; j < a->nactivations; j++)
			check_activation(&c, a, a->activations[j]);
		check_alerts(&c, a);
	}
	struct aud_info **stack = xcalloc(c.ninfos + 1, sizeof(*stack));
	for (k = 0; k < c.ninfos; k++)
		if (c.infos[k].color == 0)
			find_cycles(&c, &c.infos[k], stack, 0);
	free(stack);

	for (k = 0; k < c.ninfos; k++) {
		c.infos[k].aud->ok = c.infos[k].nerrors == 0;
		free(c.infos[k].refexprs);
		free(c.infos[k].entities);
	}
	free(c.infos);
	free(c.table);
	return p->diags.nerrors - errors_before;
}

struct ast_audience *project_audience(const struct project *p, const char *name)
{
	for (size_t i = 0; i < p->nfiles; i++)
		for (size_t j = 0; j < p->files[i]->naudiences; j++)
			if (str_eq(p->files[i]->audiences[j]->name, name))
				return p->files[i]->audiences[j];
	return NULL;
}

char *unknown_audience_error(const struct project *p, const char *name)
{
	const char **names = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < p->nfiles; i++)
		for (size_t j = 0; j < p->files[i]->naudiences; j++)
			VEC_PUSH(names, n, cap, p->files[i]->audiences[j]->name);
	struct strbuf msg = STRBUF_INIT;
	sb_addf(&msg, "unknown audience '%s'", name);
	sb_add_did_you_mean(&msg, name, names, n);
	free(names);
	return sb_detach(&msg);
}

int check_load(struct project *p, const char *dir)
{
	project_load(p, dir);
	/* with a broken graph too: what does not need it is still reported */
	check_project(p);
	return p->diags.nerrors ? -1 : 0;
}
