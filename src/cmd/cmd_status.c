/*
 * cmd_status.c — what runs did (SPEC §6), read from the state DB without
 * changing it: `lac status` (every audience: enabled, schedule, last and
 * next run, members, status), `lac runs AUDIENCE` (the last runs, newest
 * first), `lac delivery AUDIENCE` (delivery overview per activation) and
 * `lac consumers AUDIENCE` (audiences whose conditions reference it).
 * Text, or JSON with --format json.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/check.h"
#include "cmd/cli.h"
#include "run/event.h"
#include "run/run.h"
#include "sql/gen.h"
#include "state/state.h"
#include "base/time.h"

static void schedule_text(const struct schedule *s, char *out, size_t n)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	switch (s->kind) {
	case SCHED_EVERY:
		snprintf(out, n, "every %ld %s", s->every, time_unit_name(s->unit, s->every));
		break;
	case SCHED_AT: {
		size_t len = (size_t)snprintf(out, n, "at %02d:%02d on", s->hour, s->minute);
		bool first = true;
		for (int d = 0; d < 7 && len < n; d++)
			if (s->days & (1u << d)) {
				len += (size_t)snprintf(out + len, n - len, "%s %s", first ? "" : ",", days[d]);
				first = false;
			}
		break;
	}
	default:
		snprintf(out, n, "manual");
	}
}

static json_t *time_json(int64_t t)
{
	if (!t)
		return json_null();
	char buf[32];
	time_format_iso(t, buf);
	return json_string(buf);
}

static const char *time_text(int64_t t, char buf[32])
{
	if (!t)
		return "-";
	time_format_iso(t, buf);
	return buf;
}

/* Opens the state read-only; *st stays NULL when there is none yet. */
static int open_state(struct cli *c, struct project *p, struct state **st)
{
	struct strbuf err = STRBUF_INIT;
	*st = NULL;
	int rc = state_open_project(st, p, STATE_RO, &err);
	if (rc < 0)
		fprintf(stderr, "lac: %s\n", err.buf);
	sb_release(&err);
	(void)c;
	return rc < 0 ? -1 : 0;
}

/* Close the state; a read that failed on the way (a damaged file) makes
 * what was shown incomplete: an error, exit 1. */
static int close_state(struct state *st, int rc)
{
	if (!st)
		return rc;
	if (state_failed(st)) {
		fprintf(stderr, "lac: %s: %s\n", state_path(st), state_errmsg(st));
		rc = EXIT_ERRORS;
	}
	state_close(st);
	return rc;
}

static int first_run(const struct state_run *r, void *ctx)
{
	struct state_run *out = ctx;
	if (out->id)
		return 0;
	out->id = xstrdup(r->id);
	out->generation = r->generation;
	out->started = r->started;
	out->duration_ms = r->duration_ms;
	out->result = r->result;
	out->error = r->error ? xstrdup(r->error) : NULL;
	out->summary = r->summary ? xstrdup(r->summary) : NULL;
	return 0;
}

/* The members of the newest Live or Paused run (both swap the snapshot):
 * the current snapshot. */
struct live {
	bool found;
	char *summary;
};

static int first_live(const struct state_run *r, void *ctx)
{
	struct live *l = ctx;
	if (r->result != RUN_LIVE && r->result != RUN_PAUSED)
		return 0;
	l->found = true;
	l->summary = r->summary ? xstrdup(r->summary) : NULL;
	return 1;
}

static int64_t summary_int(const char *summary, const char *key)
{
	json_t *j = summary ? json_loads(summary, 0, NULL) : NULL;
	int64_t v = j ? (int64_t)json_integer_value(json_object_get(j, key)) : 0;
	json_decref(j);
	return v;
}

static int load(struct cli *c, struct project *p)
{
	if (cli_load_project(c, p) != 0) {
		cli_print_diags(c, p);
		project_release(p);
		return -1;
	}
	return 0;
}

static void print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	printf("%s\n", s);
	free(s);
	json_decref(j);
}

/* ---- lac status ------------------------------------------------------------- */

int cmd_status(struct cli *c)
{
	if (c->argc > 1)
		return cli_usage_error(c, "status takes no arguments");
	struct lac_now ln;
	if (cli_parse_now(c, &ln) != 0)
		return EXIT_USAGE;
	struct project p;
	struct state *st;
	if (load(c, &p) < 0)
		return EXIT_ERRORS;
	if (open_state(c, &p, &st) < 0) {
		project_release(&p);
		return EXIT_ERRORS;
	}
	json_t *arr = json_array();
	if (c->format != OUT_JSON)
		printf("%-24s %-8s %-22s %-21s %-8s %-21s %8s\n", "AUDIENCE", "ENABLED", "SCHEDULE",
		       "LAST RUN", "STATUS", "NEXT RUN", "MEMBERS");
	for (size_t f = 0; f < p.nfiles; f++)
		for (size_t k = 0; k < p.files[f]->naudiences; k++) {
			const struct ast_audience *a = p.files[f]->audiences[k];
			struct state_audience sa = { 0 };
			bool have = st && state_get_audience(st, a->name, &sa) == 0;
			struct state_run last = { 0 };
			struct live live = { false, NULL };
			if (st) {
				state_list_runs(st, a->name, 1, first_run, &last);
				state_list_runs(st, a->name, 0, first_live, &live);
			}
			bool enabled = a->enabled != 0;
			char sched[96], t1[32], t2[32];
			schedule_text(&a->schedule, sched, sizeof(sched));
			const char *status = !enabled ? "Disabled" : last.id ? run_result_name(last.result)
					   : "Never run";
			int64_t next = have ? sa.next_run : 0;
			if (!enabled || a->schedule.kind == SCHED_MANUAL || a->schedule.kind == SCHED_DEFAULT)
				next = 0;
			/* due now by the rule apply and the daemon use (run_schedule.c):
			 * new, never run, or past its next run time */
			bool due = enabled && (!have || sa.enabled) && run_is_due(a, have ? &sa : NULL, ln.secs);
			if (due && next == 0)
				next = ln.secs;
			int64_t members = live.found ? summary_int(live.summary, "members") : 0;
			free(live.summary);
			if (c->format == OUT_JSON) {
				json_t *o = json_object();
				json_object_set_new(o, "audience", json_string(a->name));
				json_object_set_new(o, "name", json_string(a->display_name ? a->display_name : a->name));
				json_object_set_new(o, "enabled", json_boolean(enabled));
				json_object_set_new(o, "schedule", json_string(sched));
				json_object_set_new(o, "applied", json_boolean(have));
				json_object_set_new(o, "last_run", last.id ? json_string(last.id) : json_null());
				json_object_set_new(o, "last_run_at", time_json(last.started));
				json_object_set_new(o, "next_run_at", time_json(next));
				json_object_set_new(o, "due", json_boolean(due));
				json_object_set_new(o, "members", live.found ? json_integer(members) : json_null());
				json_object_set_new(o, "status", json_string(status));
				json_object_set_new(o, "error", last.error ? json_string(last.error) : json_null());
				json_array_append_new(arr, o);
			} else {
				char mem[24];
				snprintf(mem, sizeof(mem), "%lld", (long long)members);
				printf("%-24s %-8s %-22s %-21s %-8s %-21s %8s\n", a->name, enabled ? "yes" : "no",
				       sched, time_text(last.started, t1), status,
				       due ? "now" : time_text(next, t2),
				       live.found ? mem : "-");
			}
			state_run_release(&last);
			if (have)
				state_audience_release(&sa);
		}
	if (c->format == OUT_JSON)
		print_json(arr);
	else
		json_decref(arr);
	int rc = close_state(st, EXIT_OK);
	project_release(&p);
	return rc;
}

/* ---- lac runs / delivery / consumers: one audience ----------------------------- */

static const char *one_name(struct cli *c, const char *what)
{
	if (c->argc != 2 || c->argv[1][0] == '-') {
		cli_usage_error(c, "%s needs one audience name", what);
		return NULL;
	}
	return c->argv[1];
}

struct runs_ctx {
	struct cli *c;
	struct state *st;
	const struct ast_audience *a;
	json_t *arr;
};

static json_t *counts_json(const struct delivery_counts *k)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
			 "events_from_audience", (json_int_t)k->from_audience,
			 "filtered_at_destination", (json_int_t)k->filtered,
			 "pending_retry", (json_int_t)k->pending,
			 "failed_delivery", (json_int_t)k->failed,
			 "successful_delivery", (json_int_t)k->delivered,
			 "invalid", (json_int_t)k->invalid);
}

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

static int runs_one(const struct state_run *r, void *arg)
{
	struct runs_ctx *x = arg;
	char t[32];
	int64_t entered = summary_int(r->summary, "entered"), exited = summary_int(r->summary, "exited");
	int64_t members = summary_int(r->summary, "members"), events = summary_int(r->summary, "events");
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
			json_object_set_new(acts, x->a->activations[i]->name, counts_json(&k));
		}
	if (x->c->format == OUT_JSON) {
		json_t *o = json_object();
		json_object_set_new(o, "run_id", json_string(r->id));
		json_object_set_new(o, "started_at", time_json(r->started));
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
		printf("%-34s %-20s %-8s nothing computed or sent\n", r->id, time_text(r->started, t),
		       run_result_name(r->result));
		json_decref(acts);
	} else {
		printf("%-34s %-20s %-8s %7lldms  members %lld  +%lld -%lld  events %lld  delivered %lld",
		       r->id, time_text(r->started, t), run_result_name(r->result),
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
		if (r->error)
			printf("    error: %s\n", r->error);
		json_decref(acts);
	}
	return 0;
}

static bool known(struct project *p, struct state *st, const char *name)
{
	struct state_audience sa;
	if (project_audience(p, name))
		return true;
	if (st && state_get_audience(st, name, &sa) == 0) {
		state_audience_release(&sa);
		return true;
	}
	fprintf(stderr, "lac: unknown audience '%s'\n", name);
	return false;
}

int cmd_runs(struct cli *c)
{
	const char *name = one_name(c, "runs");
	if (!name)
		return EXIT_USAGE;
	struct project p;
	struct state *st;
	if (load(c, &p) < 0)
		return EXIT_ERRORS;
	if (open_state(c, &p, &st) < 0) {
		project_release(&p);
		return EXIT_ERRORS;
	}
	int rc = EXIT_OK;
	if (!known(&p, st, name)) {
		rc = EXIT_ERRORS;
	} else {
		struct runs_ctx x = { c, st, project_audience(&p, name), json_array() };
		if (st)
			state_list_runs(st, name, STATE_RUNS_KEPT, runs_one, &x);
		if (c->format == OUT_JSON)
			print_json(x.arr);
		else {
			if (!json_array_size(x.arr) && !st)
				printf("%s: no runs yet\n", name);
			json_decref(x.arr);
		}
	}
	rc = close_state(st, rc);
	project_release(&p);
	return rc;
}

/* Samples shown per activation and status (SPEC §5: invalid records are
 * "counted, with samples"). */
#define DELIVERY_SAMPLES 5

/* A JSON string of s even when it is not UTF-8 (a reason may quote the bytes
 * that made an event invalid): such bytes become '?'. */
static json_t *any_string(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	char *t = xstrdup(s);
	for (char *q = t; *q; q++)
		if ((unsigned char)*q >= 0x80)
			*q = '?';
	j = json_string(t);
	free(t);
	return j;
}

struct samples_ctx {
	json_t *arr;       /* JSON: the samples */
	const char *status; /* text: printed as lines */
};

static int sample_one(const struct outbox_sample *o, void *arg)
{
	struct samples_ctx *x = arg;
	if (x->arr) {
		json_t *j = json_object();
		json_object_set_new(j, "message_id", any_string(o->message_id));
		json_object_set_new(j, "run_id", any_string(o->run_id));
		json_object_set_new(j, "at", time_json(o->at));
		json_object_set_new(j, "reason", any_string(o->reason));
		json_array_append_new(x->arr, j);
		return 0;
	}
	/* one line each: control characters in a reason become '?' */
	printf("    %-8s %s  ", x->status, o->message_id ? o->message_id : "-");
	for (const char *q = o->reason ? o->reason : "(no reason recorded)"; *q; q++)
		putchar((unsigned char)*q < 0x20 || *q == 0x7f ? '?' : *q);
	putchar('\n');
	return 0;
}

/* The newest invalid and failed events of an activation, with their reasons. */
static void delivery_samples(struct state *st, const char *audience, const char *activation,
			     json_t *obj)
{
	static const char *const statuses[] = { "invalid", "failed" };
	for (size_t i = 0; i < ARRAY_LEN(statuses); i++) {
		struct samples_ctx x = { obj ? json_array() : NULL, statuses[i] };
		if (st)
			state_list_outbox_samples(st, audience, activation, statuses[i], DELIVERY_SAMPLES,
						  sample_one, &x);
		if (obj)
			json_object_set_new(obj, i == 0 ? "invalid_samples" : "failed_samples", x.arr);
	}
}

int cmd_delivery(struct cli *c)
{
	const char *name = one_name(c, "delivery");
	if (!name)
		return EXIT_USAGE;
	struct project p;
	struct state *st;
	if (load(c, &p) < 0)
		return EXIT_ERRORS;
	if (open_state(c, &p, &st) < 0) {
		project_release(&p);
		return EXIT_ERRORS;
	}
	int rc = EXIT_OK;
	const struct ast_audience *a = project_audience(&p, name);
	if (!known(&p, st, name)) {
		rc = EXIT_ERRORS;
	} else {
		json_t *arr = json_array();
		if (c->format != OUT_JSON)
			printf("%-24s %-16s %10s %10s %10s %10s %10s %8s\n", "ACTIVATION", "DESTINATION",
			       "EVENTS", "FILTERED", "PENDING", "FAILED", "DELIVERED", "INVALID");
		for (size_t i = 0; a && i < a->nactivations; i++) {
			const struct ast_activation *act = a->activations[i];
			struct delivery_counts k = { 0 };
			if (st)
				state_get_counts_total(st, name, act->name, &k);
			if (c->format == OUT_JSON) {
				json_t *o = json_object();
				json_object_set_new(o, "activation", json_string(act->name));
				json_object_set_new(o, "destination", json_string(act->destination ? act->destination : ""));
				json_object_set_new(o, "trigger", json_string(trigger_name(act->trigger)));
				json_object_set_new(o, "enabled", json_boolean(act->enabled != 0));
				json_t *cj = counts_json(&k);
				json_object_update(o, cj);
				json_decref(cj);
				delivery_samples(st, name, act->name, o);
				json_array_append_new(arr, o);
			} else {
				printf("%-24s %-16s %10lld %10lld %10lld %10lld %10lld %8lld\n", act->name,
				       act->destination ? act->destination : "", (long long)k.from_audience,
				       (long long)k.filtered, (long long)k.pending, (long long)k.failed,
				       (long long)k.delivered, (long long)k.invalid);
				delivery_samples(st, name, act->name, NULL);
			}
		}
		if (c->format == OUT_JSON)
			print_json(arr);
		else
			json_decref(arr);
	}
	rc = close_state(st, rc);
	project_release(&p);
	return rc;
}

int cmd_consumers(struct cli *c)
{
	const char *name = one_name(c, "consumers");
	if (!name)
		return EXIT_USAGE;
	struct project p;
	if (load(c, &p) < 0)
		return EXIT_ERRORS;
	const struct ast_audience *target = project_audience(&p, name);
	if (!target) {
		fprintf(stderr, "lac: unknown audience '%s'\n", name);
		project_release(&p);
		return EXIT_ERRORS;
	}
	json_t *arr = json_array();
	size_t n = 0;
	for (size_t f = 0; f < p.nfiles; f++)
		for (size_t k = 0; k < p.files[f]->naudiences; k++) {
			const struct ast_audience *a = p.files[f]->audiences[k];
			bool uses = false;
			for (size_t i = 0; i < a->nrefs; i++)
				uses |= a->refs[i] == target;
			if (!uses)
				continue;
			n++;
			if (c->format == OUT_JSON)
				json_array_append_new(arr, json_pack("{s:s, s:s, s:i}", "audience", a->name,
					"file", sql_audience_path(&p, a), "line", (int)a->loc.line));
			else
				printf("%s\t%s:%u\n", a->name, sql_audience_path(&p, a), a->loc.line);
		}
	if (c->format == OUT_JSON)
		print_json(arr);
	else {
		if (!n && !c->quiet)
			fprintf(stderr, "lac: no audience references '%s'\n", name);
		json_decref(arr);
	}
	project_release(&p);
	return EXIT_OK;
}
