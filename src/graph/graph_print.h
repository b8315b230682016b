/*
 * graph_print.h — the data graph as an indented tree, as DOT, or as JSON (`lac graph`).
 */
#ifndef LAC_GRAPH_PRINT_H
#define LAC_GRAPH_PRINT_H

#include "graph/graph.h"

void graph_print_tree(const struct graph *g, struct strbuf *out);
void graph_print_dot(const struct graph *g, struct strbuf *out);
void graph_print_json(const struct graph *g, struct strbuf *out);

#endif
