/*
 * progress.h — one updating line on stderr for a long step (a run's
 * snapshot, diff, queueing, delivery, retries): the step, how many rows or
 * events so far, the rate and the time elapsed.  Shown only once
 * progress_enable(true) was called (main: stderr is a terminal and -q was
 * not given), so a pipe or a log file never sees it.
 */
#ifndef LAC_BASE_PROGRESS_H
#define LAC_BASE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/util.h"

void progress_enable(bool on);

struct progress {
	char *step;               /* "cat_owners: queueing" */
	const char *unit;         /* "events", or NULL: elapsed time only */
	int64_t n;                /* so far */
	int64_t start_ms, drawn_ms;
	bool drawn;
};

/* Start a step (step is copied).  Nothing is drawn until the step has
 * lasted a moment, so short steps never flicker. */
void progress_begin(struct progress *p, const char *step, const char *unit);
/* n more rows or events; redraws at most a few times a second. */
void progress_add(struct progress *p, int64_t n);
/* Redraw if due. */
void progress_tick(struct progress *p);
/* Draw now: a step that blocks in one call (a statement, a wait) shows
 * at its start what it is doing. */
void progress_show(struct progress *p);
/* The step is over: its line is erased. */
void progress_end(struct progress *p);

/* The line's text, without the carriage return and erase:
 * "lac: <step>: <n> <unit>, <rate> <unit>/s, <elapsed>s" (or
 * "lac: <step>: <elapsed>s" without a unit). */
void progress_format(struct strbuf *out, const char *step, const char *unit, int64_t n,
		     int64_t elapsed_ms);

#endif
