/*
 * run_skip.h — skip a scheduled run whose inputs did not change (issue 14;
 * docs/runs.md "Skipping unchanged inputs"): no query of the audience's
 * tables is paid for when the warehouse says none of them changed since the
 * audience's last successful run.
 */
#ifndef LAC_RUN_SKIP_H
#define LAC_RUN_SKIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "project/project.h"
#include "state/state.h"
#include "warehouse/warehouse.h"

/* What the decision rests on. */
struct run_skip_facts {
	bool moves_with_clock;    /* a window, within/before/after: the members move with time */
	bool definition_changed;  /* applied (or an activation added, changed, without a
				   * baseline) after the last successful run, or a run unfinished */
	int64_t last_run_ms;      /* the last successful (Live) run's start; -1: none */
	size_t ninputs;           /* the tables it reads, lac's snapshots of audiences it
				   * reads `using membership` included */
	const int64_t *altered_ms; /* each input's last change (Unix ms); -1: cannot tell */
};

/* Skip only when nothing could have changed the members: no clock, no new
 * definition, a last successful run, at least one input, and every input
 * known to have changed last before that run started. */
bool run_skip_decide(const struct run_skip_facts *f);

/* Does a's membership move with the clock (event windows, within/before/
 * after, also in the audiences it reads `using conditions`)? */
bool run_moves_with_clock(const struct ast_audience *a);

/* The tables a run of a reads: the graph's tables its conditions and
 * activations use, then "schema.snapshot_X" of each audience X it reads
 * `using membership`.  *out and its strings are malloc'd; returns how many. */
size_t run_input_tables(const struct project *p, const struct ast_audience *a, char ***out);

/* The facts from the state and the warehouse, then the decision, for a
 * scheduled run of a (its run lock held). */
bool run_inputs_unchanged(struct project *p, struct warehouse *w, struct state *st,
			  const struct ast_audience *a);

#endif
