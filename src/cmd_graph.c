/* cmd_graph.c — stub. */
#include "cli.h"

int cmd_graph(struct cli *c)
{
	return cli_usage_error(c, "graph is not built yet");
}
