/*
 * run_audiences.c — a batch of runs, as `lac run`, `lac apply` and
 * `lac daemon` do it: the audiences in dependency order, each run's report
 * shown (run_report.c) and its failure told, the failures counted.  With
 * more than one job the runs go to child processes (run_jobs.c); one job
 * runs them here, one after the other.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/json_print.h"
#include "deliver/dest_shared.h"
#include "run/run.h"
#include "run/run_private.h"
#include "run/run_queue.h"

const struct ast_audience **run_every_audience(const struct project *p, size_t *n)
{
	const struct ast_audience **v = NULL;
	size_t cap = 0;
	*n = 0;
	for (size_t f = 0; f < p->nfiles; f++)
		for (size_t k = 0; k < p->files[f]->naudiences; k++)
			VEC_PUSH(v, *n, cap, p->files[f]->audiences[k]);
	return v;
}

/* The report on stdout, in the batch's form. */
static void show_report(const struct run_batch *b, const char *name, const struct run_report *rep,
			bool failed)
{
	bool quiet = b->run.quiet;
	switch (b->form) {
	case RUN_REPORTS_JSON:
		json_array_append_new(b->reports, run_report_json(name, rep));
		break;
	case RUN_REPORTS_NDJSON: {
		/* the daemon's log lines: {"type": "run"|"error"|"heartbeat", ...} */
		json_t *j = run_report_json(name, rep);
		json_object_set_new(j, "type", json_string("run"));
		json_print_line(stdout, j);
		json_decref(j);
		break;
	}
	case RUN_REPORTS_TEXT:
		if (b->failure == RUN_FAILURE_BEFORE_REPORT ? !quiet || failed
		    : b->failure == RUN_FAILURE_INSTEAD ? !quiet && !failed : !quiet)
			run_report_print(b->prefix, name, rep);
		break;
	}
}

void run_batch_tell(const struct run_batch *b, const char *name, const struct run_report *rep,
		    bool run_failed)
{
	const char *why = rep->error ? rep->error : "the run failed";
	if (run_failed && b->failure == RUN_FAILURE_BEFORE_REPORT)
		fprintf(stderr, "lac: %s: %s\n", name, why);
	if (b->warnings && rep->warning && !b->run.quiet)
		fprintf(stderr, "lac: warning: %s: %s\n", name, rep->warning);
	show_report(b, name, rep, run_failed);
	if (run_failed && b->failure == RUN_FAILURE_INSTEAD)
		fprintf(stderr, "lac: run of '%s' failed: %s\n", name,
			rep->error ? rep->error : "unknown error");
	else if (run_failed && b->failure == RUN_FAILURE_AFTER_REPORT)
		fprintf(stderr, "lac: %s\n", why);
}

bool run_batch_one(struct project *p, struct warehouse *w, struct state *st,
		   const struct ast_audience *a, const struct run_batch *b)
{
	struct run_report rep;
	size_t nerrors = p->diags.nerrors;
	bool run_failed = run_audience(p, w, st, a, &b->run, &rep) != 0;
	if (b->progress)
		fprintf(stderr, "\033[K");
	run_batch_tell(b, a->name, &rep, run_failed);
	run_report_release(&rep);
	return run_failed || (b->diag_errors_fail && p->diags.nerrors > nerrors);
}

/* --jobs 1: each run here, in order. */
static int run_in_order(struct project *p, struct warehouse *w, struct state *st,
			const struct run_queue *q, const struct run_batch *b, struct strbuf *err)
{
	int failed = 0;
	for (size_t i = 0; i < q->n && !(b->stop && *b->stop); i++) {
		const struct ast_audience *a = q->order[i];
		if (b->due && !b->due(b->due_arg, a))
			continue;
		if (!w->ops && warehouse_open_project(p, WH_READ | WH_WRITE, w, err) != 0)
			return -1;
		if (b->before)
			b->before(b->due_arg, a);
		if (b->progress)
			fprintf(stderr, "lac: running %s (%zu/%zu)...\r", a->name, i + 1, q->n);
		if (run_batch_one(p, w, st, a, b))
			failed++;
		if (b->flush)
			fflush(stdout);
		/* the locks went with the connection: nothing more runs */
		if (state_lost(st))
			break;
	}
	return failed;
}

int run_jobs_effective(const struct project *p, int jobs, size_t naudiences)
{
	if (jobs < 1)
		jobs = p->warehouse.jobs;
	/* SQLite takes one writer at a time: its runs would only queue */
	if (p->warehouse.type == WH_SQLITE)
		return 1;
	if ((size_t)jobs > naudiences)
		jobs = naudiences ? (int)naudiences : 1;
	return jobs;
}

int run_audiences(struct project *p, struct warehouse *w, struct state *st,
		  const struct ast_audience *const *want, size_t n, const struct run_batch *b,
		  struct strbuf *err)
{
	struct run_queue q;
	run_queue_init(&q, want, n);
	int jobs = run_jobs_effective(p, b->jobs, q.n);
	/* the destinations' turns and limits, shared with the runs (one run
	 * too: max_rate holds across the runs of the pass); without shared
	 * memory, one run at a time, each pacing itself */
	if (dest_shared_map(p->ndestinations) != 0)
		jobs = 1;
	int failed = jobs > 1 ? run_in_children(p, w, &q, b, jobs, err)
		: run_in_order(p, w, st, &q, b, err);
	dest_shared_unmap();
	run_queue_release(&q);
	return failed;
}
