/*
 * graph_tables.c — the tables and columns a data graph reads (graph_tables.h).
 */
#include <stdlib.h>
#include <string.h>

#include "graph/graph_tables.h"

struct table_list {
	struct graph_table *t;
	size_t n, cap;
};

static struct graph_table *table_for(struct table_list *l, const char *name,
				     const char *const *parts, size_t nparts)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->t[i].name, name) == 0)
			return &l->t[i];
	struct graph_table t = { name, parts, nparts, NULL, 0 };
	VEC_PUSH(l->t, l->n, l->cap, t);
	return &l->t[l->n - 1];
}

static void add_column(struct graph_table *t, const char *name, enum col_type type)
{
	if (!name || graph_table_column(t, name))
		return;
	t->columns = xrealloc(t->columns, (t->ncolumns + 1) * sizeof(*t->columns));
	t->columns[t->ncolumns++] = (struct graph_table_column){ name, type };
}

struct graph_table *graph_tables(const struct graph *g, size_t *n)
{
	struct table_list l = { NULL, 0, 0 };
	const struct profile *p = &g->profile;
	if (p->table) {
		struct graph_table *t = table_for(&l, p->table, p->table_parts, p->ntable_parts);
		add_column(t, p->id, TY_STRING);
		for (size_t i = 0; i < p->ntraits; i++)
			add_column(t, p->traits[i].column, p->traits[i].type);
	}
	if (p->external_ids.present) {
		struct graph_table *t = table_for(&l, p->external_ids.table, p->external_ids.table_parts,
						  p->external_ids.ntable_parts);
		add_column(t, p->external_ids.id, TY_STRING);
		add_column(t, p->external_ids.type, TY_STRING);
		add_column(t, p->external_ids.value, TY_STRING);
	}
	if (p->events.present) {
		struct graph_table *t = table_for(&l, p->events.table, p->events.table_parts,
						  p->events.ntable_parts);
		add_column(t, p->events.id, TY_STRING);
		add_column(t, p->events.name, TY_STRING);
		add_column(t, p->events.timestamp, TY_TIMESTAMP);
		add_column(t, p->events.properties, TY_OBJECT);
	}
	for (size_t i = 0; i < g->nentities; i++) {
		const struct entity *e = &g->entities[i];
		struct graph_table *t = table_for(&l, e->table, e->table_parts, e->ntable_parts);
		for (size_t j = 0; j < e->ncolumns; j++)
			add_column(t, e->columns[j].name, e->columns[j].type);
	}
	*n = l.n;
	return l.t;
}

void graph_tables_free(struct graph_table *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].columns);
	free(t);
}

const struct graph_table *graph_table_find(const struct graph_table *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

const struct graph_table_column *graph_table_column(const struct graph_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncolumns; i++)
		if (strcmp(t->columns[i].name, name) == 0)
			return &t->columns[i];
	return NULL;
}
