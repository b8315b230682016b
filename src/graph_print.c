/* graph_print.c — stub. */
#include "graph_print.h"
