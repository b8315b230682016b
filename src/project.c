/* project.c — stub. */
#include <stdlib.h>
#include <string.h>

#include "project.h"

void project_init(struct project *p)
{
	memset(p, 0, sizeof(*p));
	source_set_init(&p->sources);
	diag_sink_init(&p->diags, &p->sources);
}

void project_release(struct project *p)
{
	diag_sink_release(&p->diags);
	source_set_release(&p->sources);
	arena_release(&p->arena);
	free(p->dir);
}

int project_load(struct project *p, const char *dir)
{
	p->dir = xstrdup(dir);
	return 0;
}
