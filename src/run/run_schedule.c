/*
 * run_schedule.c — when an audience runs (SPEC §3.3 schedules, §5): `every N
 * unit` counts from the end of the last run, `at HH:MM on days` fires at
 * that UTC time on those weekdays, `manual` (and no schedule) only with
 * `lac run`, and at once when a run was left unfinished; and in which order
 * audiences run (each after those it reads).
 */
#include <stdlib.h>
#include <string.h>

#include "run/run.h"

int64_t run_next_time(const struct ast_audience *a, int64_t after)
{
	const struct schedule *s = &a->schedule;
	switch (s->kind) {
	case SCHED_EVERY:
		return after + s->every * time_unit_seconds(s->unit);
	case SCHED_AT: {
		int64_t day = after >= 0 ? after / 86400 : (after - 86399) / 86400;
		for (int64_t d = day; d <= day + 8; d++) {
			int64_t t = d * 86400 + s->hour * 3600 + s->minute * 60;
			/* 1970-01-01 was a Thursday; bit 0 is Monday */
			int wd = (int)(((d % 7) + 7 + 3) % 7);
			if (t > after && (s->days & (1u << wd)))
				return t;
		}
		return 0;
	}
	default:
		return 0;
	}
}

bool run_is_due(const struct ast_audience *a, const struct state_audience *sa, int64_t now)
{
	if (a->enabled == 0)
		return false;
	if (!sa)
		return true;            /* new: runs at once */
	if (!sa->enabled)
		return false;
	if (sa->generation == 0)
		return true;            /* never ran (or newly enabled) */
	if (a->schedule.kind == SCHED_MANUAL || a->schedule.kind == SCHED_DEFAULT)
		return false;
	return sa->next_run == 0 || now >= sa->next_run;
}

/* ---- a pass's view of the state ------------------------------------------------------ */

static int add_pass_audience(const struct state_audience *sa, void *arg)
{
	struct run_pass_state *ps = arg;
	struct run_pass_audience pa = { { 0 }, false };
	pa.sa.name = xstrdup(sa->name);
	pa.sa.enabled = sa->enabled;
	pa.sa.generation = sa->generation;
	pa.sa.next_run = sa->next_run;
	VEC_PUSH(ps->a, ps->n, ps->cap, pa);
	return 0;
}

static int by_name(const void *x, const void *y)
{
	return strcmp(((const struct run_pass_audience *)x)->sa.name,
		      ((const struct run_pass_audience *)y)->sa.name);
}

static int mark_unfinished(const char *audience, void *arg)
{
	struct run_pass_state *ps = arg;
	struct run_pass_audience key = { { .name = (char *)audience }, false };
	struct run_pass_audience *pa = ps->n ? bsearch(&key, ps->a, ps->n, sizeof(*ps->a), by_name)
					      : NULL;
	if (pa)
		pa->unfinished = true;
	return 0;
}

int run_pass_state_load(struct state *st, struct run_pass_state *ps)
{
	memset(ps, 0, sizeof(*ps));
	if (state_list_audiences(st, add_pass_audience, ps) != 0)
		goto fail;
	/* the state's ORDER BY follows its collation; the lookups, strcmp
	 * (none: no array, which qsort may not be given) */
	if (ps->n)
		qsort(ps->a, ps->n, sizeof(*ps->a), by_name);
	if (state_list_unfinished(st, mark_unfinished, ps) != 0)
		goto fail;
	return 0;
fail:
	run_pass_state_release(ps);
	return -1;
}

const struct run_pass_audience *run_pass_state_find(const struct run_pass_state *ps, const char *name)
{
	struct run_pass_audience key = { { .name = (char *)name }, false };
	return ps->n ? bsearch(&key, ps->a, ps->n, sizeof(*ps->a), by_name) : NULL;
}

void run_pass_state_release(struct run_pass_state *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->a[i].sa.name);
	free(ps->a);
	memset(ps, 0, sizeof(*ps));
}

bool run_pass_due(const struct ast_audience *a, const struct run_pass_audience *pa, int64_t now)
{
	if (!pa || !pa->sa.enabled || a->enabled == 0)
		return false;
	return run_is_due(a, &pa->sa, now) || pa->unfinished;
}

/* ---- order ------------------------------------------------------------------------------ */

struct order {
	const struct ast_audience **a;
	size_t n, cap;
	const struct ast_audience **visiting;
	size_t nv, capv;
};

static bool in_list(const struct ast_audience *const *l, size_t n, const struct ast_audience *a)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] == a)
			return true;
	return false;
}

/* Depth first: the audiences a reads come before it (the checker rejects cycles). */
static void order_add(struct order *o, const struct ast_audience *a, const struct ast_audience *const *want,
		      size_t nwant)
{
	if (in_list(o->a, o->n, a) || in_list(o->visiting, o->nv, a))
		return;
	VEC_PUSH(o->visiting, o->nv, o->capv, a);
	for (size_t i = 0; i < a->nrefs; i++)
		if (in_list(want, nwant, a->refs[i]))
			order_add(o, a->refs[i], want, nwant);
	o->nv--;
	VEC_PUSH(o->a, o->n, o->cap, a);
}

size_t run_order(const struct ast_audience *const *want, size_t n, const struct ast_audience ***out)
{
	struct order o = { 0 };
	for (size_t i = 0; i < n; i++)
		order_add(&o, want[i], want, n);
	free(o.visiting);
	*out = o.a;
	return o.n;
}
