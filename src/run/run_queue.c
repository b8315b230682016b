/*
 * run_queue.c — which audience of a pass may start next (run_queue.h).
 */
#include <stdbool.h>
#include <stdlib.h>

#include "base/util.h"
#include "run/run.h"
#include "run/run_queue.h"

void run_queue_init(struct run_queue *q, const struct ast_audience *const *want, size_t n)
{
	q->n = run_order(want, n, &q->order);
	q->slot = xcalloc(q->n ? q->n : 1, sizeof(*q->slot));
	q->dep_start = xcalloc(q->n + 1, sizeof(*q->dep_start));
	q->deps = NULL;
	q->first_waiting = 0;
	size_t ndeps = 0, cap = 0;
	for (size_t i = 0; i < q->n; i++) {
		q->dep_start[i] = ndeps;
		const struct ast_audience *a = q->order[i];
		/* run_order put every audience a reads before it */
		for (size_t j = 0; j < i; j++)
			for (size_t r = 0; r < a->nrefs; r++)
				if (a->refs[r] == q->order[j]) {
					VEC_PUSH(q->deps, ndeps, cap, j);
					break;
				}
	}
	q->dep_start[q->n] = ndeps;
}

static bool ready(const struct run_queue *q, size_t i)
{
	for (size_t d = q->dep_start[i]; d < q->dep_start[i + 1]; d++)
		if (q->slot[q->deps[d]] != RUN_DONE)
			return false;
	return true;
}

size_t run_queue_ready(struct run_queue *q)
{
	while (q->first_waiting < q->n && q->slot[q->first_waiting] != RUN_WAITING)
		q->first_waiting++;
	for (size_t i = q->first_waiting; i < q->n; i++)
		if (q->slot[i] == RUN_WAITING && ready(q, i))
			return i;
	return q->n;
}

void run_queue_release(struct run_queue *q)
{
	free(q->order);
	free(q->slot);
	free(q->dep_start);
	free(q->deps);
}
