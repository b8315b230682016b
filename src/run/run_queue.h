/*
 * run_queue.h — which audience of a pass may start next when several run
 * at once (--jobs N): each one after the audiences of the pass it reads
 * (`part of audience`), independent ones in any number.
 */
#ifndef LAC_RUN_QUEUE_H
#define LAC_RUN_QUEUE_H

#include <stddef.h>

#include "lang/ast.h"

enum run_slot { RUN_WAITING, RUN_STARTED, RUN_DONE };

struct run_queue {
	const struct ast_audience **order; /* run_order's order, which the reports keep */
	size_t n;
	enum run_slot *slot;               /* per audience of order */
	size_t *dep_start;                 /* order[i] waits for deps[dep_start[i]..dep_start[i+1]) */
	size_t *deps;                      /* indexes into order, each before its reader */
	size_t first_waiting;              /* no audience before it is waiting */
};

/* The pass over want[0..n): ordered (run_order), every audience waiting. */
void run_queue_init(struct run_queue *q, const struct ast_audience *const *want, size_t n);
/* The first waiting audience (its index in q->order) whose audiences it
 * reads are all done, or q->n when none can start now. */
size_t run_queue_ready(struct run_queue *q);
void run_queue_release(struct run_queue *q);

#endif
