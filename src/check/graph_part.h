/*
 * graph_part.h — the part of the data graph one checked audience uses
 * (SPEC §5 "Applied definitions"), in the data-graph format (SPEC §2) as
 * canonical JSON, which the YAML graph loader reads back.
 *
 * `lac apply` stores each audience's part next to its canonical source and
 * hashes both; `lac run` and `lac daemon` rebuild a graph from the union of
 * the stored parts.  A part holds only what the audience's conditions and
 * activations use: the profile table, id and external ids; the traits,
 * events, relationships (with their ancestors) and entities it names, each
 * entity with its primary key, its join columns and the columns named.
 * Every element it holds is written in full, so that two parts holding the
 * same element agree unless the graph changed in between.
 */
#ifndef LAC_GRAPH_PART_H
#define LAC_GRAPH_PART_H

#include <jansson.h>

#include "base/util.h"
#include "graph/graph.h"
#include "lang/ast.h"

/* The part of g that the checked audience a uses, as canonical JSON (keys
 * sorted, one line, ", " and ": " separators so that YAML reads it).
 * malloc'd. */
char *graph_part_json(const struct graph *g, const struct ast_audience *a);

/* Merge the part (JSON text) into *graph (NULL at first: the part
 * itself): objects by key, arrays of objects by their "slug" member, other
 * values replaced by the part's.  0, or -1 with a message in err when the
 * part is not JSON. */
int graph_part_merge(json_t **graph, const char *part, struct strbuf *err);
/* The merged graph as the text graph_part_json writes.  malloc'd. */
char *graph_part_text(const json_t *graph);

#endif
