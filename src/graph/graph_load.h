/*
 * graph_load.h — build and validate the data graph from YAML (SPEC §2).
 */
#ifndef LAC_GRAPH_LOAD_H
#define LAC_GRAPH_LOAD_H

#include "base/diag.h"
#include "base/util.h"
#include "graph/graph.h"

/* What graph_load reads and fills: a small context, not the whole project. */
struct graph_load_ctx {
	struct graph *graph;          /* filled in */
	struct diag_sink *diags;
	struct arena *arena;          /* holds the graph's strings */
	struct source_set *sources;   /* each file read is added (for diagnostics) */
	const char *const *paths;     /* the graph files, as opened and shown */
	size_t npaths;
	struct loc named_at;          /* where lac.yaml names them */
	const char *stdlib_dir;       /* where "stdlib/..." includes are found */
	/* A graph held in memory (the union of the applied parts), loaded
	 * after the files and shown as text_name in diagnostics; NULL: none. */
	const char *text;
	const char *text_name;
};

/* Load every file of ctx->paths (with their includes) and ctx->text into ctx->graph and
 * validate it.  Returns 0 when the graph has no errors. */
int graph_load(const struct graph_load_ctx *ctx);

#endif
