/*
 * run_dry.h — `lac run --dry-run` (cmd_run_dry.c): cmd_run.c loads the
 * applied definitions read-only and hands the audiences here.  Private to
 * src/cmd/.
 */
#ifndef LAC_CMD_RUN_DRY_H
#define LAC_CMD_RUN_DRY_H

#include <stddef.h>

#include "cmd/cli.h"
#include "run/run.h"

/* Print what the next run of want[0..n) would send (text, or one JSON
 * document); st read-only, w open for reading.  The exit code. */
int run_dry(struct cli *c, struct project *p, struct warehouse *w, struct state *st,
	    const struct ast_audience *const *want, size_t n);

#endif
