/*
 * graph_tables.h — the warehouse tables a data graph reads, with the
 * columns and types lac expects in each: the profile table (its id and the
 * traits' columns), the external-id and event tables, and every entity's.
 * For audience test fixtures, which build these tables from scratch.
 */
#ifndef LAC_GRAPH_TABLES_H
#define LAC_GRAPH_TABLES_H

#include <stddef.h>

#include "graph/graph.h"

struct graph_table_column {
	const char *name;
	enum col_type type;        /* TY_OBJECT: JSON text */
};

struct graph_table {
	const char *name;          /* as written in the graph */
	const char *const *parts;  /* its 1-3 dot-separated parts */
	size_t nparts;
	struct graph_table_column *columns;
	size_t ncolumns;
};

/* Every table of g once (tables named alike are one, their columns joined),
 * in graph order: profile, external ids, events, entities.  malloc'd; free
 * with graph_tables_free. */
struct graph_table *graph_tables(const struct graph *g, size_t *n);
void graph_tables_free(struct graph_table *t, size_t n);
/* The table named name (as written), or NULL. */
const struct graph_table *graph_table_find(const struct graph_table *t, size_t n, const char *name);
const struct graph_table_column *graph_table_column(const struct graph_table *t, const char *name);

#endif
