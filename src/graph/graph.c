/*
 * graph.c — lookups over a loaded data graph (SPEC §2): types, columns,
 * traits, events, entities and relationship paths.
 */
#include <string.h>

#include "graph/graph.h"

static const char *const type_names[] = {
	[TY_NUMBER] = "NUMBER", [TY_STRING] = "STRING", [TY_BOOLEAN] = "BOOLEAN",
	[TY_DATE] = "DATE", [TY_TIME] = "TIME", [TY_TIMESTAMP] = "TIMESTAMP",
	[TY_OBJECT] = "OBJECT",
};

const char *col_type_name(enum col_type t)
{
	return (size_t)t < ARRAY_LEN(type_names) ? type_names[t] : "?";
}

bool col_type_parse(const char *s, enum col_type *out)
{
	for (size_t i = 0; i < ARRAY_LEN(type_names); i++) {
		if (strcmp(type_names[i], s) == 0) {
			*out = (enum col_type)i;
			return true;
		}
	}
	return false;
}

const struct column *entity_column(const struct entity *e, const char *name)
{
	for (size_t i = 0; e && i < e->ncolumns; i++)
		if (strcmp(e->columns[i].name, name) == 0)
			return &e->columns[i];
	return NULL;
}

const struct trait *trait_prop(const struct trait *t, const char *key)
{
	for (size_t i = 0; i < t->nprops; i++)
		if (strcmp(t->props[i].name, key) == 0)
			return &t->props[i];
	return NULL;
}

const struct relationship *relationship_child(const struct graph *g,
					      const struct relationship *parent, const char *slug)
{
	const struct relationship *v = parent ? parent->children : g->profile.relationships;
	size_t n = parent ? parent->nchildren : g->profile.nrelationships;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].slug, slug) == 0)
			return &v[i];
	return NULL;
}

const struct trait *profile_trait(const struct profile *p, const char *name)
{
	for (size_t i = 0; i < p->ntraits; i++)
		if (strcmp(p->traits[i].name, name) == 0)
			return &p->traits[i];
	return NULL;
}

const struct event_def *profile_event(const struct profile *p, const char *name)
{
	for (size_t i = 0; i < p->events.ncatalog; i++)
		if (strcmp(p->events.catalog[i].name, name) == 0)
			return &p->events.catalog[i];
	return NULL;
}

struct entity *graph_entity(const struct graph *g, const char *slug)
{
	for (size_t i = 0; i < g->nentities; i++)
		if (strcmp(g->entities[i].slug, slug) == 0)
			return &g->entities[i];
	return NULL;
}

const struct relationship *graph_path(const struct graph *g, const char *const *slugs, size_t n)
{
	const struct relationship *r = NULL;
	for (size_t i = 0; i < n; i++) {
		r = relationship_child(g, r, slugs[i]);
		if (!r)
			return NULL;
	}
	return r;
}

static void walk(const struct relationship *v, size_t n,
		 void (*fn)(const struct relationship *, void *), void *arg)
{
	for (size_t i = 0; i < n; i++) {
		fn(&v[i], arg);
		walk(v[i].children, v[i].nchildren, fn, arg);
	}
}

void graph_walk(const struct graph *g, void (*fn)(const struct relationship *, void *), void *arg)
{
	walk(g->profile.relationships, g->profile.nrelationships, fn, arg);
}
