/*
 * graph_load.h — build and validate the data graph from YAML (SPEC §2).
 */
#ifndef LAC_GRAPH_LOAD_H
#define LAC_GRAPH_LOAD_H

#include "project.h"

/* Load every file of p->graph_files (with their includes) into p->graph and
 * validate it.  Returns 0 when the graph has no errors. */
int graph_load(struct project *p);

#endif
