/*
 * check_activation.c — activations (SPEC §3.5, §5): destination, trigger and
 * its fit with the audience's target, entity trigger paths, send current,
 * enrichment and map entries.  Fills dest, trigger_rels, enrich rels/cols and
 * enrich_trait_defs.
 */
#include <stdlib.h>
#include <string.h>

#include "check/check_private.h"

/* A with entity node's path written from the profile. */
static const char *full_path(const struct ast_expr *e)
{
	return e->rels[e->nrels - 1]->path;
}

static void check_destination(struct checker *c, struct ast_activation *act)
{
	if (!act->destination && act->syntax_error)
		return; /* maybe the item that did not parse */
	if (!act->destination) {
		cerr(c, act->name_loc, DIAG_E407, "activation '%s' has no destination", act->name);
		diag_hint(c->d, "add 'destination NAME' naming one of the destinations in lac.yaml");
		return;
	}
	act->dest = project_destination(c->p, act->destination);
	if (act->dest)
		return;
	cerr(c, act->destination_loc, DIAG_E401, "destination '%s' is not declared in lac.yaml",
	     act->destination);
	const char **names = xmalloc((c->p->ndestinations + 1) * sizeof(*names));
	struct strbuf all = STRBUF_INIT;
	for (size_t i = 0; i < c->p->ndestinations; i++) {
		names[i] = c->p->destinations[i].name;
		sb_addf(&all, "%s%s", i ? ", " : "", names[i]);
	}
	/* no name close enough for "did you mean": say what there is */
	if (closest_name(act->destination, names, c->p->ndestinations))
		diag_hint_closest(c->d, act->destination, names, c->p->ndestinations);
	else if (c->p->ndestinations)
		diag_hint(c->d, "the destinations in lac.yaml: %s", all.buf);
	else
		diag_hint(c->d, "lac.yaml declares no destinations; add this one under 'destinations:'");
	sb_release(&all);
	free(names);
}

/* entity added/removed P: P must be the full path of a positive with entity. */
static void check_trigger_path(struct checker *c, struct ast_audience *a, struct ast_activation *act)
{
	/* with a where item lost to a syntax error, the path may have been in it */
	if (!c->g || !act->trigger_path.n || a->where_incomplete)
		return;
	const char *want = check_path_text(c, &act->trigger_path);
	const struct aud_info *ai = c->cur;
	const struct ast_expr *match = NULL;
	bool negative_only = false;
	for (size_t i = 0; i < ai->nentities && !match; i++) {
		const struct ast_expr *e = ai->entities[i];
		if (!str_eq(full_path(e), want))
			continue;
		if (e->positive)
			match = e;
		else
			negative_only = true;
	}
	if (match) {
		const struct relationship *last = match->rels[match->nrels - 1];
		act->ntrigger_rels = (size_t)(last->depth - 1);
		act->trigger_rels = arena_alloc(c->a, act->ntrigger_rels * sizeof(*act->trigger_rels));
		size_t k = act->ntrigger_rels;
		for (const struct relationship *r = last; r && k > 0; r = r->parent)
			act->trigger_rels[--k] = r;
		return;
	}
	cerr(c, act->trigger_path.loc, DIAG_E402,
	     "'%s' is not the path of a 'with entity' condition of audience '%s'", want, a->name);
	if (negative_only) {
		diag_hint(c->d, "'%s' appears only under not or without, where it matches no entity", want);
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	const char **names = xmalloc((ai->nentities + 1) * sizeof(*names));
	size_t n = 0;
	for (size_t i = 0; i < ai->nentities; i++) {
		const char *p = full_path(ai->entities[i]);
		bool seen = false;
		for (size_t j = 0; j < n; j++)
			seen |= str_eq(names[j], p);
		if (!ai->entities[i]->positive || seen)
			continue;
		names[n++] = p;
		sb_addf(&sb, "%s%s", sb.len ? ", " : "", p);
	}
	diag_hint_closest(c->d, want, names, n);
	if (sb.len)
		diag_hint(c->d, "paths this audience can trigger on (written from the profile): %s", sb.buf);
	else
		diag_hint(c->d, "this audience has no 'with entity' condition to trigger on");
	free(names);
	sb_release(&sb);
}

static void check_trigger(struct checker *c, struct ast_audience *a, struct ast_activation *act)
{
	enum trigger_kind t = act->trigger;
	if (t == TRIG_NONE && act->syntax_error)
		return; /* maybe the item that did not parse */
	if (t == TRIG_NONE) {
		cerr(c, act->name_loc, DIAG_E407, "activation '%s' has no trigger", act->name);
		diag_hint(c->d, "add 'trigger profile entered' (or profile exited, entity added PATH, "
				"entity removed PATH, membership changed, ...)");
		return;
	}
	bool entity_aud = a->target == TARGET_ENTITY;
	/* membership (or values) changed sends an Identify of the member as a
	 * profile: with an entity as the member it would name the entity's
	 * primary key as a profile id, so it is for profile audiences only. */
	bool profile_only = t == TRIG_PROFILE_ENTERED || t == TRIG_PROFILE_EXITED ||
			    t == TRIG_ENTITY_ADDED || t == TRIG_ENTITY_REMOVED ||
			    t == TRIG_MEMBERSHIP_CHANGED || t == TRIG_MEMBERSHIP_OR_VALUES_CHANGED;
	bool entity_only = t == TRIG_ENTITY_ENTERED || t == TRIG_ENTITY_EXITED;
	if (profile_only && entity_aud) {
		cerr(c, act->trigger_loc, DIAG_E403,
		     "trigger '%s' is only for audiences that target the profile", trigger_name(t));
		diag_hint(c->d, "an entity-targeted audience uses 'entity entered' or 'entity exited'");
	} else if (entity_only && !entity_aud) {
		cerr(c, act->trigger_loc, DIAG_E403,
		     "trigger '%s' is only for entity-targeted audiences", trigger_name(t));
		diag_hint(c->d, "a profile audience uses 'profile entered', 'profile exited', "
				"'entity added PATH' or 'entity removed PATH'");
	} else if (t == TRIG_ENTITY_ADDED || t == TRIG_ENTITY_REMOVED) {
		check_trigger_path(c, a, act);
	}
	/* an Identify has no event name: the override would silently do nothing */
	if (act->event && (t == TRIG_MEMBERSHIP_CHANGED || t == TRIG_MEMBERSHIP_OR_VALUES_CHANGED)) {
		diag_warning(c->d, act->event_loc, DIAG_W002,
			     "event name \"%s\" is never used: trigger '%s' sends Identify calls, which have no "
			     "event name", act->event, trigger_name(t));
		diag_hint(c->d, "remove the 'event' line, or use a Track trigger (profile entered, ...)");
	}
	if (act->send_current && t != TRIG_PROFILE_ENTERED && t != TRIG_ENTITY_ADDED &&
	    t != TRIG_MEMBERSHIP_CHANGED) {
		cerr(c, act->send_current_loc, DIAG_E404, "send current cannot be used with trigger '%s'",
		     trigger_name(t));
		diag_hint(c->d, "send current works with profile entered, entity added and membership changed");
	}
	if (t == TRIG_MEMBERSHIP_OR_VALUES_CHANGED && !entity_aud && act->dest &&
	    !act->dest->supports_values_changed) {
		cerr(c, act->trigger_loc, DIAG_E405,
		     "destination '%s' (type %s) does not support 'membership or values changed'",
		     act->dest->name, act->dest->type ? act->dest->type : "?");
		diag_hint(c->d, "use 'membership changed', or a destination that supports value changes");
	}
}

static bool path_prefix(const char *path, size_t n, const char *p)
{
	return strncmp(p, path, n) == 0 && (p[n] == '\0' || p[n] == '.');
}

/* Is path (from the profile) the target, a positive with entity path, or a
 * prefix of one of them? */
static bool enrich_matches(const struct aud_info *ai, const char *path)
{
	size_t n = strlen(path);
	const struct ast_audience *a = ai->aud;
	if (a->target == TARGET_ENTITY && a->ntarget_rels &&
	    path_prefix(path, n, a->target_rels[a->ntarget_rels - 1]->path))
		return true;
	for (size_t i = 0; i < ai->nentities; i++) {
		const char *p = full_path(ai->entities[i]);
		if (ai->entities[i]->positive && path_prefix(path, n, p))
			return true;
	}
	return false;
}

static void check_enrich(struct checker *c, struct ast_audience *a, struct ast_activation *act)
{
	if (!c->g)
		return;
	if (act->nenrich_traits)
		act->enrich_trait_defs = arena_alloc(c->a, act->nenrich_traits * sizeof(*act->enrich_trait_defs));
	for (size_t i = 0; i < act->nenrich_traits; i++) {
		const char *name = act->enrich_traits[i];
		const struct trait *t = profile_trait(&c->g->profile, name);
		if (!t) {
			struct loc loc = act->enrich_trait_locs ? act->enrich_trait_locs[i] : act->loc;
			cerr(c, loc, DIAG_E406, "enrich trait '%s' is not a profile trait", name);
			check_hint_trait(c, c->g->profile.traits, c->g->profile.ntraits, name);
		}
		act->enrich_trait_defs[i] = t;
	}

	const struct relationship *target = NULL;
	if (a->target == TARGET_ENTITY) {
		if (!c->cur->target_ok || !a->ntarget_rels)
			return;
		target = a->target_rels[a->ntarget_rels - 1];
	}
	for (size_t i = 0; i < act->nenrich_paths; i++) {
		struct enrich_path *ep = &act->enrich_paths[i];
		if (!ep->path.n)
			continue;
		/* Written from the profile; in an entity-targeted audience also from the
		 * target entity (`enrich orders { ... }` under target entity customers). */
		const struct relationship *base = NULL;
		if (target && !relationship_child(c->g, NULL, ep->path.parts[0]) &&
		    relationship_child(c->g, target, ep->path.parts[0]))
			base = target;
		const struct relationship **rels = arena_alloc(c->a, ep->path.n * sizeof(*rels));
		const struct relationship *cur = base;
		size_t k;
		for (k = 0; k < ep->path.n; k++) {
			const struct relationship *r = relationship_child(c->g, cur, ep->path.parts[k]);
			if (!r) {
				struct loc loc = ep->path.part_locs ? ep->path.part_locs[k] : ep->path.loc;
				cerr(c, loc, DIAG_E406, "enrich path: '%s' is not a relationship of %s",
				     ep->path.parts[k], cur ? cur->entity->slug : "the profile");
				check_hint_child(c, cur, ep->path.parts[k]);
				break;
			}
			rels[k] = cur = r;
		}
		if (k < ep->path.n)
			continue;
		ep->rels = rels;
		ep->nrels = ep->path.n;
		ep->cols = arena_alloc(c->a, (ep->ncolumns + 1) * sizeof(*ep->cols));
		for (k = 0; k < ep->ncolumns; k++) {
			ep->cols[k] = entity_column(cur->entity, ep->columns[k]);
			if (!ep->cols[k]) {
				struct loc loc = ep->column_locs ? ep->column_locs[k] : ep->loc;
				cerr(c, loc, DIAG_E406, "enrich column '%s' is not a column of entity %s",
				     ep->columns[k], cur->entity->slug);
				check_hint_column(c, cur->entity, ep->columns[k]);
			}
		}
		if (!a->where_incomplete && !enrich_matches(c->cur, cur->path))
			diag_warning(c->d, ep->path.loc, DIAG_W002,
				     "enrich path '%s' matches no 'with entity' condition of this audience, "
				     "so its entity context is always empty", cur->path);
	}
}

static bool reserved_key(const char *name)
{
	static const char *const keys[] = { "audience_key", "audience_name", "entity_id", "entity",
					    "_entity_context" };
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		if (str_eq(name, keys[i]))
			return true;
	return false;
}

static bool ident_ok(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return false;
	return true;
}

static void check_map_value(struct checker *c, struct ast_audience *a, struct ast_activation *act,
			    struct map_entry *m)
{
	struct operand *o = &m->value;
	if (o->ref == REF_NONE) {
		if (o->lit.kind != LIT_STRING)
			cerr(c, o->loc, DIAG_E408, "a map value is a string or a reference");
		return;
	}
	if (!c->g)
		return;
	if (o->ref == REF_TRAIT) {
		const struct trait *t = profile_trait(&c->g->profile, o->trait_path[0]);
		if (!t) {
			cerr(c, o->loc, DIAG_E309, "trait '%s' is not declared in the data graph",
			     o->trait_path[0]);
			check_hint_trait(c, c->g->profile.traits, c->g->profile.ntraits, o->trait_path[0]);
			return;
		}
		o->trait_root = t;
		for (size_t i = 1; i < o->ntrait_path; i++) {
			const struct trait *k = t->type == TY_OBJECT ? trait_prop(t, o->trait_path[i]) : NULL;
			if (!k) {
				cerr(c, o->loc, DIAG_E309, "trait '%s' has no property '%s'", t->name,
				     o->trait_path[i]);
				return;
			}
			t = k;
		}
		o->trait = t;
		o->type = t->type;
		return;
	}
	/* slug.column: the target entity, or the entity of an entity added/removed trigger. */
	const struct relationship *r = NULL;
	if (a->target == TARGET_ENTITY && a->ntarget_rels &&
	    str_eq(a->target_rels[a->ntarget_rels - 1]->slug, o->slug))
		r = a->target_rels[a->ntarget_rels - 1];
	else if (act->ntrigger_rels && str_eq(act->trigger_rels[act->ntrigger_rels - 1]->slug, o->slug))
		r = act->trigger_rels[act->ntrigger_rels - 1];
	if (!r && (a->where_incomplete || act->syntax_error))
		return; /* the trigger that brings it in scope may not have parsed */
	if (!r) {
		cerr(c, o->loc, DIAG_E314, "'%s' is not an entity in scope for this activation", o->slug);
		diag_hint(c->d, "a map can reference the target entity or the entity of an "
				"'entity added/removed' trigger, and traits");
		return;
	}
	const struct column *col = entity_column(r->entity, o->column);
	if (!col) {
		cerr(c, o->loc, DIAG_E201,
		     "Entity column missing from Data Graph for Entity %s and Column: %s",
		     r->entity->slug, o->column);
		check_hint_column(c, r->entity, o->column);
		return;
	}
	o->col = col;
	o->type = col->type;
}

static void check_maps(struct checker *c, struct ast_audience *a, struct ast_activation *act)
{
	for (size_t i = 0; i < act->nmaps; i++) {
		struct map_entry *m = &act->maps[i];
		const char *key = m->key ? m->key : "";
		const char *dot = strchr(key, '.');
		bool shape = dot && ((dot - key == 10 && str_starts(key, "properties.")) ||
				     (dot - key == 6 && str_starts(key, "traits."))) && ident_ok(dot + 1);
		if (!shape) {
			cerr(c, m->key_loc, DIAG_E408, "map key \"%s\" must be \"properties.NAME\" or \"traits.NAME\"",
			     key);
			diag_hint(c->d, "NAME is a letter or _ followed by letters, digits or _");
		} else if (reserved_key(dot + 1) || str_eq(dot + 1, a->name)) {
			cerr(c, m->key_loc, DIAG_E408, "map key \"%s\" is set by lac", key);
			diag_hint(c->d, "choose another name");
		} else {
			for (size_t j = 0; j < i; j++)
				if (str_eq(act->maps[j].key, key)) {
					cerr(c, m->key_loc, DIAG_E408, "map key \"%s\" is given twice", key);
					break;
				}
		}
		check_map_value(c, a, act, m);
	}
}

void check_activation(struct checker *c, struct ast_audience *a, struct ast_activation *act)
{
	act->audience = a;
	check_destination(c, act);
	check_trigger(c, a, act);
	check_enrich(c, a, act);
	check_maps(c, a, act);
}
