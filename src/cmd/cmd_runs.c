/*
 * cmd_runs.c — `lac runs AUDIENCE`: the last runs of an audience, newest
 * first, with their stats, step timings and delivery counts (SPEC §6), read
 * from the state DB without changing it.  Text, or JSON with --format json.
 */
#include <jansson.h>
#include <stdio.h>

#include "base/json_print.h"
#include "check/check.h"
#include "cmd/state_view.h"
#include "run/run.h"

struct runs_ctx {
	struct cli *c;
	struct state *st;
	const struct ast_audience *a;
	json_t *arr;
	bool header_shown;         /* text: the column header, above the first run */
};

/* Was act one of the run's active activations?  Enabled in the audience's
 * definition and applied (recorded) by the time the run started; a Disabled
 * or Paused run had none (docs/runs.md). */
static bool active_in_run(struct runs_ctx *x, const struct ast_activation *act,
			  const struct state_run *r)
{
	if (r->result == RUN_DISABLED || r->result == RUN_PAUSED || act->enabled == 0 ||
	    !act->dest || act->trigger == TRIG_NONE)
		return false;
	struct state_activation sa;
	if (state_get_activation(x->st, x->a->name, act->name, &sa) != 0)
		return false;
	bool existed = sa.created <= r->started;
	state_activation_release(&sa);
	return existed;
}

static void runs_header(struct runs_ctx *x)
{
	if (x->header_shown)
		return;
	x->header_shown = true;
	printf("%-34s %-20s  %-8s %9s  %s\n", "RUN", "STARTED", "RESULT", "DURATION", "CHANGES");
}

static int runs_one(const struct state_run *r, void *arg)
{
	struct runs_ctx *x = arg;
	char t[32];
	int64_t entered = view_summary_int(r->summary, "entered");
	int64_t exited = view_summary_int(r->summary, "exited");
	int64_t members = view_summary_int(r->summary, "members");
	int64_t events = view_summary_int(r->summary, "events");
	struct delivery_counts tot = { 0 };
	json_t *acts = json_object();
	if (x->a)
		for (size_t i = 0; i < x->a->nactivations; i++) {
			/* every activation of the run, zeros when it had no events */
			struct delivery_counts k;
			if (state_get_counts(x->st, r->id, r->audience, x->a->activations[i]->name, &k) != 0 &&
			    !active_in_run(x, x->a->activations[i], r))
				continue;
			tot.from_audience += k.from_audience;
			tot.filtered += k.filtered;
			tot.pending += k.pending;
			tot.failed += k.failed;
			tot.delivered += k.delivered;
			tot.invalid += k.invalid;
			json_object_set_new(acts, x->a->activations[i]->name, view_counts_json(&k));
		}
	if (x->c->format == OUT_JSON) {
		json_t *o = json_object();
		json_object_set_new(o, "run_id", json_string(r->id));
		json_object_set_new(o, "started_at", view_time_json(r->started));
		json_object_set_new(o, "duration_ms", json_integer(r->duration_ms));
		json_object_set_new(o, "result", json_string(run_result_name(r->result)));
		json_object_set_new(o, "error", r->error ? json_string(r->error) : json_null());
		json_object_set_new(o, "generation", json_integer(r->generation));
		json_t *sum = r->summary ? json_loads(r->summary, 0, NULL) : NULL;
		json_object_set_new(o, "summary", sum ? sum : json_null());
		json_object_set_new(o, "timings_ms", json_pack("{s:I, s:I, s:I, s:I}",
			"queueing", (json_int_t)r->queueing_ms, "extracting", (json_int_t)r->extracting_ms,
			"preparing", (json_int_t)r->preparing_ms, "delivering", (json_int_t)r->delivering_ms));
		json_object_set_new(o, "delivery", acts);
		json_array_append_new(x->arr, o);
	} else if (r->result == RUN_DISABLED) {
		runs_header(x);
		printf("%-34s %-20s  %-8s %9s  nothing computed or sent\n", r->id,
		       view_time_text(r->started, t), run_result_name(r->result), "-");
		json_decref(acts);
	} else {
		runs_header(x);
		printf("%-34s %-20s  %-8s %7lldms  members %lld  +%lld -%lld  events %lld  delivered %lld",
		       r->id, view_time_text(r->started, t), run_result_name(r->result),
		       (long long)r->duration_ms, (long long)members, (long long)entered,
		       (long long)exited, (long long)events, (long long)tot.delivered);
		if (tot.pending)
			printf("  pending %lld", (long long)tot.pending);
		if (tot.failed)
			printf("  failed %lld", (long long)tot.failed);
		if (tot.filtered)
			printf("  filtered %lld", (long long)tot.filtered);
		if (tot.invalid)
			printf("  invalid %lld", (long long)tot.invalid);
		putchar('\n');
		printf("    steps: queueing %lldms, extracting %lldms, preparing %lldms, delivering %lldms\n",
		       (long long)r->queueing_ms, (long long)r->extracting_ms, (long long)r->preparing_ms,
		       (long long)r->delivering_ms);
		if (r->error)
			printf("    error: %s\n", r->error);
		json_decref(acts);
	}
	return 0;
}

int cmd_runs(struct cli *c)
{
	const char *name = view_audience_arg(c, "runs");
	if (!name)
		return EXIT_USAGE;
	struct project p;
	struct state *st;
	if (view_open(c, &p, &st) < 0)
		return EXIT_ERRORS;
	int rc = EXIT_OK;
	if (!view_known(&p, st, name)) {
		rc = EXIT_ERRORS;
	} else {
		struct runs_ctx x = { c, st, project_audience(&p, name), json_array(), false };
		if (st && state_list_runs(st, name, STATE_RUNS_KEPT, runs_one, &x) < 0)
			rc = EXIT_ERRORS; /* view_close_state says why */
		else if (c->format == OUT_JSON)
			json_print_doc(stdout, x.arr);
		else if (!x.header_shown)
			printf("%s: no runs yet\n", name);
		json_decref(x.arr);
	}
	rc = view_close_state(st, rc);
	project_release(&p);
	return rc;
}
