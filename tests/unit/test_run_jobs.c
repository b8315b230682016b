/*
 * test_run_jobs.c — what --jobs rests on: the queue that starts an audience
 * only after those it reads (run_queue) and how many runs go at once
 * (run_jobs_effective); what the forked runs share per destination:
 * test_dest_shared.c.  The runs themselves: tests/e2e/run_jobs_pg.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "run/run_private.h"
#include "run/run_queue.h"

static struct ast_audience aud(const char *name)
{
	struct ast_audience a;
	memset(&a, 0, sizeof(a));
	a.name = name;
	return a;
}

static void queue_waits_for_what_it_reads(void **state)
{
	(void)state;
	struct ast_audience a = aud("a"), b = aud("b"), c = aud("c"), d = aud("d");
	struct ast_audience *b_refs[] = { &a }, *d_refs[] = { &b, &c };
	b.refs = b_refs;
	b.nrefs = 1;
	d.refs = d_refs;
	d.nrefs = 2;
	const struct ast_audience *want[] = { &d, &b, &c, &a };
	struct run_queue q;
	run_queue_init(&q, want, 4);
	assert_int_equal(q.n, 4);
	/* run_order: each after what it reads */
	size_t ia = 0, ib = 0, ic = 0, id = 0;
	for (size_t i = 0; i < q.n; i++) {
		if (q.order[i] == &a) ia = i;
		if (q.order[i] == &b) ib = i;
		if (q.order[i] == &c) ic = i;
		if (q.order[i] == &d) id = i;
	}
	assert_true(ia < ib && ib < id && ic < id);
	/* a and c start at once; b after a; d after b and c */
	size_t first = run_queue_ready(&q);
	assert_true(first == ia || first == ic);
	q.slot[ia] = RUN_STARTED;
	q.slot[ic] = RUN_STARTED;
	assert_int_equal(run_queue_ready(&q), q.n);
	q.slot[ic] = RUN_DONE;
	assert_int_equal(run_queue_ready(&q), q.n);
	q.slot[ia] = RUN_DONE;
	assert_int_equal(run_queue_ready(&q), ib);
	q.slot[ib] = RUN_STARTED;
	assert_int_equal(run_queue_ready(&q), q.n);
	q.slot[ib] = RUN_DONE;
	assert_int_equal(run_queue_ready(&q), id);
	q.slot[id] = RUN_DONE;
	assert_int_equal(run_queue_ready(&q), q.n);
	run_queue_release(&q);
}

/* An audience it reads that is not in the pass does not hold it back. */
static void queue_ignores_audiences_outside_the_pass(void **state)
{
	(void)state;
	struct ast_audience a = aud("a"), b = aud("b");
	struct ast_audience *b_refs[] = { &a };
	b.refs = b_refs;
	b.nrefs = 1;
	const struct ast_audience *want[] = { &b };
	struct run_queue q;
	run_queue_init(&q, want, 1);
	assert_int_equal(q.n, 1);
	assert_int_equal(run_queue_ready(&q), 0);
	run_queue_release(&q);
}

static void jobs_effective(void **state)
{
	(void)state;
	struct project p;
	memset(&p, 0, sizeof(p));
	p.warehouse.type = WH_POSTGRES;
	p.warehouse.jobs = 4;
	assert_int_equal(run_jobs_effective(&p, 0, 10), 4);  /* warehouse.jobs */
	assert_int_equal(run_jobs_effective(&p, 8, 10), 8);  /* --jobs wins */
	assert_int_equal(run_jobs_effective(&p, 8, 3), 3);   /* no more than the audiences */
	assert_int_equal(run_jobs_effective(&p, 0, 0), 1);
	assert_int_equal(run_jobs_effective(&p, 1, 10), 1);
	p.warehouse.type = WH_SQLITE;                        /* one writer at a time */
	assert_int_equal(run_jobs_effective(&p, 8, 10), 1);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(queue_waits_for_what_it_reads),
		cmocka_unit_test(queue_ignores_audiences_outside_the_pass),
		cmocka_unit_test(jobs_effective),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
