/*
 * graph_part.c — the part of the data graph an audience uses, and the
 * union of such parts (see graph_part.h).
 *
 * What is used is read off the checker's sema fields: the relationships of
 * `with entity`, targets, triggers and enrich paths (each with its
 * ancestors, its entity and its join), the traits, entity columns and
 * events the conditions, enrichments and mappings name.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check/graph_part.h"

/* What one audience uses, as sets of graph pointers (small: linear). */
struct used {
	const struct graph *g;
	const struct relationship **rels;
	size_t nrels, caprels;
	const struct entity **ents;
	size_t nents, capents;
	const struct column **cols;
	size_t ncols, capcols;
	const struct trait **traits;
	size_t ntraits, captraits;
	const struct event_def **events;
	size_t nevents, capevents;
	bool uses_events;
};

#define ADD_ONCE(v, n, cap, x)                         \
	do {                                           \
		size_t i_;                             \
		for (i_ = 0; i_ < (n); i_++)           \
			if ((v)[i_] == (x))            \
				break;                 \
		if (i_ == (n))                         \
			VEC_PUSH(v, n, cap, x);        \
	} while (0)

static void use_entity(struct used *u, const struct entity *e)
{
	if (!e)
		return;
	ADD_ONCE(u->ents, u->nents, u->capents, e);
	if (e->pk)
		ADD_ONCE(u->cols, u->ncols, u->capcols, e->pk);
}

/* An entity column (an event property is covered by its event). */
static void use_column(struct used *u, const struct column *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < u->g->nentities; i++) {
		const struct entity *e = &u->g->entities[i];
		if (c >= e->columns && c < e->columns + e->ncolumns) {
			use_entity(u, e);
			ADD_ONCE(u->cols, u->ncols, u->capcols, c);
			return;
		}
	}
}

static void use_trait(struct used *u, const struct trait *t)
{
	if (t)
		ADD_ONCE(u->traits, u->ntraits, u->captraits, t);
}

static void use_rel(struct used *u, const struct relationship *r)
{
	for (; r; r = r->parent) {
		ADD_ONCE(u->rels, u->nrels, u->caprels, r);
		use_entity(u, r->entity);
		use_column(u, r->join_key);
		use_column(u, r->parent_col);
		use_column(u, r->child_col);
		use_trait(u, r->join == JOIN_TRAIT ? r->trait : NULL);
		if (r->join == JOIN_JUNCTION) {
			use_entity(u, r->junction);
			use_column(u, r->junction_left);
			use_column(u, r->junction_right);
		}
	}
}

static void use_rels(struct used *u, const struct relationship *const *rels, size_t n)
{
	for (size_t i = 0; i < n; i++)
		use_rel(u, rels[i]);
}

static void use_operand(struct used *u, const struct operand *op)
{
	if (op->ref == REF_TRAIT)
		use_trait(u, op->trait_root);
	else if (op->ref == REF_COLUMN)
		use_column(u, op->col);
}

static void use_expr(struct used *u, const struct ast_expr *x, int depth)
{
	if (!x || depth > 256)
		return;
	use_expr(u, x->lhs, depth + 1);
	use_expr(u, x->rhs, depth + 1);
	for (size_t i = 0; i < x->nitems; i++)
		use_expr(u, x->items[i], depth + 1);
	use_expr(u, x->block, depth + 1);
	if (x->pred && x->pred->kind <= PRED_ENDS_WITH)
		use_operand(u, &x->pred->rhs);
	if (x->having.present)
		use_column(u, x->having.col);
	switch (x->kind) {
	case EX_ENTITY:
		use_rels(u, x->rels, x->nrels);
		break;
	case EX_TRAIT:
		use_trait(u, x->trait_root);
		break;
	case EX_EVENT:
		u->uses_events = true;
		if (x->event)
			ADD_ONCE(u->events, u->nevents, u->capevents, x->event);
		break;
	case EX_COLUMN:
		if (!x->event_prop)
			use_column(u, x->col);
		break;
	default:
		/* part of audience: the other audience's own part holds what
		 * its conditions use */
		break;
	}
}

static void use_audience(struct used *u, const struct ast_audience *a)
{
	use_rels(u, a->target_rels, a->ntarget_rels);
	use_expr(u, a->where, 0);
	for (size_t i = 0; i < a->nactivations; i++) {
		const struct ast_activation *t = a->activations[i];
		use_rels(u, t->trigger_rels, t->ntrigger_rels);
		for (size_t k = 0; t->enrich_trait_defs && k < t->nenrich_traits; k++)
			use_trait(u, t->enrich_trait_defs[k]);
		for (size_t k = 0; k < t->nenrich_paths; k++) {
			const struct enrich_path *ep = &t->enrich_paths[k];
			use_rels(u, ep->rels, ep->nrels);
			for (size_t c = 0; ep->cols && c < ep->ncolumns; c++)
				use_column(u, ep->cols[c]);
		}
		for (size_t k = 0; k < t->nmaps; k++)
			use_operand(u, &t->maps[k].value);
	}
}

/* ---- the part, written in the data-graph format ----------------------------------- */

static bool has(const void *const *v, size_t n, const void *x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static json_t *trait_json(const struct trait *t)
{
	if (t->type != TY_OBJECT && str_eq(t->column, t->name))
		return json_string(col_type_name(t->type));
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string(col_type_name(t->type)));
	if (!str_eq(t->column, t->name))
		json_object_set_new(o, "column", json_string(t->column));
	if (t->type == TY_OBJECT) {
		json_t *props = json_object();
		for (size_t i = 0; i < t->nprops; i++)
			json_object_set_new(props, t->props[i].name, trait_json(&t->props[i]));
		json_object_set_new(o, "properties", props);
	}
	return o;
}

static int cmp_slug_obj(const void *x, const void *y)
{
	const char *a = json_string_value(json_object_get(*(json_t *const *)x, "slug"));
	const char *b = json_string_value(json_object_get(*(json_t *const *)y, "slug"));
	return strcmp(a ? a : "", b ? b : "");
}

/* The array's objects in slug order: layout-independent. */
static json_t *sorted_by_slug(json_t *arr)
{
	size_t n = json_array_size(arr);
	json_t **v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof(*v), cmp_slug_obj);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, v[i]);
	free(v);
	json_decref(arr);
	return out;
}

static json_t *rels_json(const struct used *u, const struct relationship *v, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct relationship *r = &v[i];
		if (!has((const void *const *)u->rels, u->nrels, r))
			continue;
		json_t *o = json_object();
		json_object_set_new(o, "slug", json_string(r->slug));
		json_object_set_new(o, "entity", json_string(r->entity_slug));
		switch (r->join) {
		case JOIN_EXTERNAL_ID:
			json_object_set_new(o, "external_id", json_pack("{s:s, s:s}", "type", r->ext_type,
									"join_key", r->join_key->name));
			break;
		case JOIN_TRAIT:
			json_object_set_new(o, "trait", json_pack("{s:s, s:s}", "name", r->trait->name,
								  "join_key", r->join_key->name));
			break;
		case JOIN_ON: {
			char *on = xasprintf("%s.%s = %s.%s", r->parent->entity->slug, r->parent_col->name,
					     r->entity->slug, r->child_col->name);
			json_object_set_new(o, "join_on", json_string(on));
			free(on);
			break;
		}
		case JOIN_JUNCTION:
			json_object_set_new(o, "junction", json_pack("{s:s, s:s, s:s}", "entity",
					    r->junction->slug, "left", r->junction_left->name, "right",
					    r->junction_right->name));
			break;
		}
		json_t *kids = rels_json(u, r->children, r->nchildren);
		if (json_array_size(kids))
			json_object_set_new(o, "relationships", kids);
		else
			json_decref(kids);
		json_array_append_new(arr, o);
	}
	return sorted_by_slug(arr);
}

static json_t *part_json(const struct used *u)
{
	const struct graph *g = u->g;
	const struct profile *pf = &g->profile;
	json_t *root = json_object(), *ents = json_array(), *prof = json_object();
	json_object_set_new(root, "version", json_integer(g->version));
	/* the depth limit decides whether deep paths check */
	json_object_set_new(root, "limits", json_pack("{s:i}", "max_depth", g->max_depth));
	for (size_t i = 0; i < u->nents; i++) {
		const struct entity *e = u->ents[i];
		json_t *o = json_object(), *cols = json_object();
		json_object_set_new(o, "slug", json_string(e->slug));
		json_object_set_new(o, "table", json_string(e->table));
		json_object_set_new(o, "primary_key", json_string(e->primary_key));
		for (size_t k = 0; k < e->ncolumns; k++)
			if (has((const void *const *)u->cols, u->ncols, &e->columns[k]))
				json_object_set_new(cols, e->columns[k].name,
						    json_string(col_type_name(e->columns[k].type)));
		json_object_set_new(o, "columns", cols);
		json_array_append_new(ents, o);
	}
	json_object_set_new(root, "entities", sorted_by_slug(ents));

	json_object_set_new(prof, "table", json_string(pf->table));
	json_object_set_new(prof, "id", json_string(pf->id));
	json_t *traits = json_object();
	for (size_t i = 0; i < u->ntraits; i++)
		json_object_set_new(traits, u->traits[i]->name, trait_json(u->traits[i]));
	json_object_set_new(prof, "traits", traits);
	/* events choose their userId among the external ids (SPEC §5) */
	if (pf->external_ids.present)
		json_object_set_new(prof, "external_ids", json_pack("{s:s, s:s, s:s, s:s}",
				    "table", pf->external_ids.table, "id", pf->external_ids.id,
				    "type", pf->external_ids.type, "value", pf->external_ids.value));
	if (u->uses_events && pf->events.present) {
		json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s}", "table", pf->events.table,
				       "id", pf->events.id, "name", pf->events.name,
				       "timestamp", pf->events.timestamp,
				       "properties", pf->events.properties);
		json_t *cat = json_object();
		for (size_t i = 0; i < u->nevents; i++) {
			json_t *props = json_object();
			for (size_t k = 0; k < u->events[i]->nprops; k++)
				json_object_set_new(props, u->events[i]->props[k].name,
						    json_string(col_type_name(u->events[i]->props[k].type)));
			json_object_set_new(cat, u->events[i]->name, props);
		}
		json_object_set_new(ev, "catalog", cat);
		json_object_set_new(prof, "events", ev);
	}
	json_object_set_new(prof, "relationships", rels_json(u, pf->relationships, pf->nrelationships));
	json_object_set_new(root, "profile", prof);
	return root;
}

char *graph_part_text(const json_t *graph)
{
	/* not JSON_COMPACT: YAML wants a blank after ':' and ',' */
	char *s = json_dumps(graph, JSON_SORT_KEYS);
	char *out = xstrdup(s ? s : "{}");
	free(s);
	return out;
}

char *graph_part_json(const struct graph *g, const struct ast_audience *a)
{
	struct used u = { .g = g };
	use_audience(&u, a);
	json_t *j = part_json(&u);
	char *s = graph_part_text(j);
	json_decref(j);
	free(u.rels);
	free(u.ents);
	free(u.cols);
	free(u.traits);
	free(u.events);
	return s;
}

/* ---- the union ------------------------------------------------------------------- */

static json_t *merge(json_t *into, json_t *from);

static json_t *merge_by_slug(json_t *into, json_t *from)
{
	size_t i;
	json_t *item;
	json_array_foreach(from, i, item) {
		const char *slug = json_string_value(json_object_get(item, "slug"));
		json_t *same = NULL;
		size_t k;
		json_t *have;
		json_array_foreach(into, k, have) {
			if (slug && str_eq(json_string_value(json_object_get(have, "slug")), slug)) {
				same = have;
				break;
			}
		}
		if (same)
			json_array_set_new(into, k, merge(json_incref(same), item));
		else
			json_array_append(into, item);
	}
	return into;
}

/* into (a reference, given up) merged with from (borrowed): the result. */
static json_t *merge(json_t *into, json_t *from)
{
	if (json_is_object(into) && json_is_object(from)) {
		const char *key;
		json_t *v;
		json_object_foreach(from, key, v) {
			json_t *have = json_object_get(into, key);
			json_object_set_new(into, key, have ? merge(json_incref(have), v) : json_incref(v));
		}
		return into;
	}
	if (json_is_array(into) && json_is_array(from))
		return merge_by_slug(into, from);
	/* a scalar: the parts of one apply agree; a later part wins otherwise */
	json_decref(into);
	return json_incref(from);
}

int graph_part_merge(json_t **graph, const char *part, struct strbuf *err)
{
	json_error_t jerr;
	json_t *j = json_loads(part, 0, &jerr);
	if (!j) {
		sb_addf(err, "a stored graph part is not JSON: %s", jerr.text);
		return -1;
	}
	if (!*graph) {
		*graph = j;
		return 0;
	}
	*graph = merge(*graph, j);
	json_decref(j);
	return 0;
}
