/*
 * cmd_delivery.c — `lac delivery AUDIENCE`: per activation, the events from
 * the audience, filtered, pending, failed, delivered and invalid over the
 * kept runs, with samples of the invalid and failed ones (SPEC §5, §6).
 * Read from the state DB without changing it; text, or JSON.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/json_print.h"
#include "check/check.h"
#include "cmd/state_view.h"

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
		json_object_set_new(j, "at", view_time_json(o->at));
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

/* The newest invalid, failed and pending events of an activation with
 * their reasons: a pending event with a row of its own was tried and not
 * taken, and its last error says why it waits. */
static void delivery_samples(struct state *st, const char *audience, const char *activation,
			     json_t *obj)
{
	static const char *const statuses[] = { "invalid", "failed", "pending" };
	static const char *const keys[] = { "invalid_samples", "failed_samples", "pending_samples" };
	for (size_t i = 0; i < ARRAY_LEN(statuses); i++) {
		struct samples_ctx x = { obj ? json_array() : NULL, statuses[i] };
		if (st)
			state_list_outbox_samples(st, audience, activation, statuses[i], DELIVERY_SAMPLES,
						  sample_one, &x);
		if (obj)
			json_object_set_new(obj, keys[i], x.arr);
	}
}

int cmd_delivery(struct cli *c)
{
	const char *name = view_audience_arg(c, "delivery");
	if (!name)
		return EXIT_USAGE;
	struct project p;
	struct state *st;
	if (view_open(c, &p, &st) < 0)
		return EXIT_ERRORS;
	int rc = EXIT_OK;
	const struct ast_audience *a = project_audience(&p, name);
	if (!view_known(&p, st, name)) {
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
				json_t *cj = view_counts_json(&k);
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
			json_print_doc(stdout, arr);
		json_decref(arr);
	}
	rc = view_close_state(st, rc);
	project_release(&p);
	return rc;
}
