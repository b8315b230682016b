/* cmd_fmt.c — stub. */
#include "cli.h"

int cmd_fmt(struct cli *c)
{
	return cli_usage_error(c, "fmt is not built yet");
}
