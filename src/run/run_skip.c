/*
 * run_skip.c — skip a scheduled run whose inputs did not change (run_skip.h).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check/graph_part.h"
#include "run/run.h"
#include "run/run_skip.h"
#include "sql/tables.h"

bool run_skip_decide(const struct run_skip_facts *f)
{
	if (f->moves_with_clock || f->definition_changed || f->last_run_ms < 0 || !f->ninputs)
		return false;
	for (size_t i = 0; i < f->ninputs; i++)
		if (f->altered_ms[i] < 0 || f->altered_ms[i] >= f->last_run_ms)
			return false;
	return true;
}

/* ---- what the audience reads ---------------------------------------------------- */

struct reads {
	bool clock;
	const struct ast_audience **members; /* read `using membership` */
	size_t nmembers, cap;
};

static void walk(const struct ast_expr *e, struct reads *r);

static bool pred_moves(const struct predicate *p)
{
	return p && (p->kind == PRED_WITHIN_LAST || p->kind == PRED_WITHIN_NEXT ||
		     p->kind == PRED_BEFORE_LAST || p->kind == PRED_AFTER_NEXT);
}

static void walk(const struct ast_expr *e, struct reads *r)
{
	if (!e)
		return;
	walk(e->lhs, r);
	walk(e->rhs, r);
	for (size_t i = 0; i < e->nitems; i++)
		walk(e->items[i], r);
	walk(e->block, r);
	if (pred_moves(e->pred) || (e->kind == EX_EVENT && e->window.kind != WIN_NONE))
		r->clock = true;
	if (e->kind == EX_AUDIENCE && e->ref) {
		if (e->using_ == USING_MEMBERSHIP)
			VEC_PUSH(r->members, r->nmembers, r->cap, e->ref);
		else
			walk(e->ref->where, r); /* its conditions are inlined */
	}
}

bool run_moves_with_clock(const struct ast_audience *a)
{
	struct reads r = { 0 };
	walk(a->where, &r);
	free(r.members);
	return r.clock;
}

static void collect_tables(const json_t *j, char ***out, size_t *n, size_t *cap)
{
	const char *key;
	json_t *v;
	size_t i;
	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, key, v) {
			if (strcmp(key, "table") == 0 && json_is_string(v))
				VEC_PUSH(*out, *n, *cap, xstrdup(json_string_value(v)));
			else
				collect_tables(v, out, n, cap);
		}
	} else if (json_is_array(j)) {
		json_array_foreach((json_t *)j, i, v)
			collect_tables(v, out, n, cap);
	}
}

size_t run_input_tables(const struct project *p, const struct ast_audience *a, char ***out)
{
	size_t n = 0, cap = 0;
	*out = NULL;
	char *part = graph_part_json(&p->graph, a);
	json_t *j = json_loads(part, 0, NULL);
	collect_tables(j, out, &n, &cap);
	json_decref(j);
	free(part);
	struct reads r = { 0 };
	walk(a->where, &r);
	for (size_t i = 0; i < r.nmembers; i++) {
		char *name = sql_snapshot_name(r.members[i]->name, SNAPSHOT_CURRENT);
		VEC_PUSH(*out, n, cap, xasprintf("%s.%s", p->warehouse.schema, name));
		free(name);
	}
	free(r.members);
	return n;
}

/* ---- the facts ------------------------------------------------------------------ */

static int first_live(const struct state_run *run, void *ctx)
{
	int64_t *ms = ctx;
	if (run->result != RUN_LIVE)
		return 0;
	*ms = run->started * 1000;
	return 1; /* newest first: this one */
}

struct since {
	int64_t ms;
	bool changed;
};

static int activation_changed(const struct state_activation *act, void *ctx)
{
	struct since *s = ctx;
	if (act->enabled && (!act->has_baseline || act->updated * 1000 >= s->ms))
		s->changed = true;
	return 0;
}

bool run_inputs_unchanged(struct project *p, struct warehouse *w, struct state *st,
			  const struct ast_audience *a)
{
	/* a warehouse that can never tell costs nothing */
	if (!w->ops || !w->ops->last_altered)
		return false;
	struct run_skip_facts f = { .moves_with_clock = run_moves_with_clock(a), .last_run_ms = -1 };
	struct state_run unf;
	struct state_audience sa;
	int unfinished = state_unfinished_run(st, a->name, &unf);
	if (unfinished == 0)
		state_run_release(&unf);
	if (unfinished != 1)
		f.definition_changed = true; /* it is completed first (or the run says why not) */
	if (state_list_runs(st, a->name, 0, first_live, &f.last_run_ms) < 0)
		f.last_run_ms = -1;
	if (state_get_audience(st, a->name, &sa) == 0) {
		struct since s = { f.last_run_ms, sa.updated * 1000 >= f.last_run_ms };
		state_audience_release(&sa);
		if (state_list_activations(st, a->name, activation_changed, &s) < 0 || s.changed)
			f.definition_changed = true;
	} else {
		f.definition_changed = true;
	}
	/* the warehouse is asked only when its answer can decide */
	char **tables = NULL;
	int64_t *altered = NULL;
	if (!f.moves_with_clock && !f.definition_changed && f.last_run_ms >= 0) {
		f.ninputs = run_input_tables(p, a, &tables);
		altered = xcalloc(f.ninputs ? f.ninputs : 1, sizeof(*altered));
		warehouse_last_altered(w, (const char *const *)tables, f.ninputs, altered);
		f.altered_ms = altered;
	}
	bool skip = run_skip_decide(&f);
	for (size_t i = 0; i < f.ninputs; i++)
		free(tables[i]);
	free(tables);
	free(altered);
	return skip;
}
