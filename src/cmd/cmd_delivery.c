/*
 * cmd_delivery.c — `lac delivery AUDIENCE`: per activation, the events from
 * the audience, filtered, pending, failed, delivered and invalid over the
 * kept runs, with samples of the invalid, failed, pending and discarded ones
 * (SPEC §5, §6).  Read from the state DB without changing it; text, or
 * JSON.  Its options --events, --retry and --discard are parsed here and
 * done by cmd_delivery_ops.c.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_print.h"
#include "check/check.h"
#include "cmd/delivery_ops.h"
#include "cmd/state_view.h"

/* Samples shown per activation and status (SPEC §5: invalid records are
 * "counted, with samples"). */
#define DELIVERY_SAMPLES 5

struct samples_ctx {
	json_t *arr;       /* JSON: the samples */
	const char *status; /* text: printed as lines */
};

static int sample_one(const struct outbox_sample *o, void *arg)
{
	struct samples_ctx *x = arg;
	if (x->arr) {
		json_t *j = json_object();
		json_object_set_new(j, "message_id", view_string_json(o->message_id));
		json_object_set_new(j, "run_id", view_string_json(o->run_id));
		json_object_set_new(j, "at", view_time_json(o->at));
		json_object_set_new(j, "reason", view_string_json(o->reason));
		json_array_append_new(x->arr, j);
		return 0;
	}
	/* one line each: control characters in a reason become '?' */
	printf("    %-8s %s  ", x->status, o->message_id ? o->message_id : "-");
	view_put_line(o->reason ? o->reason : "(no reason recorded)");
	putchar('\n');
	return 0;
}

/* The activation's discarded events (--discard): how many, and the newest
 * with their reasons, as the other samples. */
static int discarded_one(const struct outbox_listed *o, void *arg)
{
	struct outbox_sample smp = { .message_id = o->message_id, .status = o->status,
				     .run_id = o->run_id, .reason = o->last_error, .at = o->created_at };
	return sample_one(&smp, arg);
}

static void discarded_samples(struct state *st, const char *audience, const char *activation,
			      json_t *obj)
{
	struct samples_ctx x = { obj ? json_array() : NULL, "discarded" };
	int64_t n = st ? outbox_discarded(st, audience, activation, DELIVERY_SAMPLES,
					  discarded_one, &x) : 0;
	if (obj) {
		json_object_set_new(obj, "discarded", json_integer(n > 0 ? n : 0));
		json_object_set_new(obj, "discarded_samples", x.arr);
	}
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
	discarded_samples(st, audience, activation, obj);
}

static int take_limit(void *arg, const char *value, struct strbuf *err)
{
	int64_t *limit = arg;
	char *end;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (!*value || *end || v < 1 || errno == ERANGE) {
		sb_addf(err, "--limit takes a number >= 1, not '%s'", value);
		return -1;
	}
	*limit = v;
	return 0;
}

/* The overview (no operation asked for). */
static int delivery_overview(struct cli *c, const char *name);

int cmd_delivery(struct cli *c)
{
	bool events = false, retry = false, discard = false, failed = false, pending = false;
	struct delivery_op op = { .limit = 0 };
	const struct opt opts[] = {
		OPT_FLAG("--events", NULL, &events),
		OPT_FLAG("--retry", NULL, &retry),
		OPT_FLAG("--discard", NULL, &discard),
		OPT_VALUE("--activation", NULL, &op.activation, "option '%s' needs an activation name"),
		OPT_VALUE("--status", NULL, &op.status, "option '%s' needs pending, failed or invalid"),
		OPT_TAKE("--limit", "-n", take_limit, &op.limit, "option '%s' needs a number"),
		OPT_FLAG("--failed", NULL, &failed),
		OPT_FLAG("--pending", NULL, &pending),
		OPT_VALUE("--message-id", NULL, &op.message_id, "option '%s' needs a messageId"),
		OPT_VALUE("--reason", NULL, &op.reason, "option '%s' needs a text"),
	};
	const struct opt_table table = { OPT_TABLE(opts), .max_args = 1,
		.too_many = "delivery takes one audience (got '%s' and '%s')" };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0)
		return EXIT_USAGE;
	op.audience = args.v[0];
	opt_args_release(&args);
	if (!op.audience)
		return cli_usage_error(c, "delivery needs one audience name");
	if (events + retry + discard > 1)
		return cli_usage_error(c, "--events, --retry and --discard exclude each other");
	if (op.activation && !(events || retry || discard))
		return cli_usage_error(c, "--activation goes with --events, --retry or --discard");
	if ((op.status || op.limit) && !events)
		return cli_usage_error(c, "--status and --limit go with --events");
	if ((failed || pending || op.message_id || op.reason) && !discard)
		return cli_usage_error(c, "--failed, --pending, --message-id and --reason go with --discard");
	if (op.status && strcmp(op.status, "pending") != 0 && strcmp(op.status, "failed") != 0 &&
	    strcmp(op.status, "invalid") != 0)
		return cli_usage_error(c, "--status takes pending, failed or invalid, not '%s'", op.status);
	if (events)
		return delivery_events(c, &op);
	if (retry)
		return delivery_retry(c, &op);
	if (!discard)
		return delivery_overview(c, op.audience);
	if (failed + pending + (op.message_id != NULL) != 1)
		return cli_usage_error(c, "--discard needs one of --failed, --pending or --message-id ID");
	if (!op.reason || !*op.reason)
		return cli_usage_error(c, "--discard needs --reason TEXT (kept with the events)");
	op.what = failed ? OUTBOX_DISCARD_FAILED : pending ? OUTBOX_DISCARD_PENDING : OUTBOX_DISCARD_MESSAGE;
	return delivery_discard(c, &op);
}

static int delivery_overview(struct cli *c, const char *name)
{
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
