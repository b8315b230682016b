/* graph.c — stub. */
#include "graph.h"
