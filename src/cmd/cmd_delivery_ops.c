/*
 * cmd_delivery_ops.c — `lac delivery AUDIENCE --events | --retry |
 * --discard` (delivery_ops.h).  --events reads the state; --retry and
 * --discard change it under the audience's run lock, so that no run of the
 * audience delivers at the same time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_print.h"
#include "check/check.h"
#include "cmd/delivery_ops.h"
#include "cmd/state_view.h"
#include "deliver/dest.h"

/* The activation named by --activation is the audience's, or says not. */
static bool activation_known(const struct project *p, const struct delivery_op *op)
{
	const struct ast_audience *a = project_audience(p, op->audience);
	if (!op->activation)
		return true;
	for (size_t i = 0; a && i < a->nactivations; i++)
		if (strcmp(a->activations[i]->name, op->activation) == 0)
			return true;
	fprintf(stderr, "lac: audience '%s' has no activation '%s'\n", op->audience, op->activation);
	return false;
}

/* ---- --events ------------------------------------------------------------------------ */

struct events_ctx {
	json_t *arr;              /* JSON: the events; NULL: text lines */
	size_t n;                 /* text: the events printed (the header above the first) */
};

static int event_one(const struct outbox_listed *o, void *arg)
{
	struct events_ctx *x = arg;
	if (x->arr) {
		json_t *j = json_object();
		json_object_set_new(j, "message_id", view_string_json(o->message_id));
		json_object_set_new(j, "status", json_string(o->status));
		json_object_set_new(j, "activation", view_string_json(o->activation));
		json_object_set_new(j, "destination", view_string_json(o->destination));
		json_object_set_new(j, "run_id", view_string_json(o->run_id));
		json_object_set_new(j, "attempts", json_integer(o->attempts));
		json_object_set_new(j, "created_at", view_time_json(o->created_at));
		json_object_set_new(j, "last_error", view_string_json(o->last_error));
		json_array_append_new(x->arr, j);
		return 0;
	}
	if (x->n++ == 0) /* a messageId is 64 hex digits */
		printf("%-8s %-24s %-16s %8s  %-64s  %s\n", "STATUS", "ACTIVATION", "DESTINATION",
		       "ATTEMPTS", "MESSAGE_ID", "LAST_ERROR");
	printf("%-8s %-24s %-16s %8lld  ", o->status, o->activation, o->destination,
	       (long long)o->attempts);
	view_put_line(o->message_id);
	if (o->last_error) {
		fputs("  ", stdout);
		view_put_line(o->last_error);
	}
	putchar('\n');
	return 0;
}

int delivery_events(struct cli *c, const struct delivery_op *op)
{
	struct project p;
	struct state *st;
	if (view_open(c, &p, &st) < 0)
		return EXIT_ERRORS;
	int rc = EXIT_OK;
	if (!view_known(&p, st, op->audience) || !activation_known(&p, op)) {
		rc = EXIT_ERRORS;
	} else {
		struct events_ctx x = { c->format == OUT_JSON ? json_array() : NULL, 0 };
		if (st && outbox_list(st, op->audience, op->activation, op->status, op->limit,
				      event_one, &x) < 0)
			rc = EXIT_ERRORS; /* view_close_state says why */
		else if (!x.arr && !x.n)
			printf("%s: no queued events%s\n", op->audience,
			       op->status || op->activation ? " that match" : "");
		if (x.arr)
			json_print_doc(stdout, x.arr);
		json_decref(x.arr);
	}
	rc = view_close_state(st, rc);
	project_release(&p);
	return rc;
}

/* ---- the state, read-write, under the audience's run lock ------------------------------ */

/* Open the state read-write and take run:<audience>.  0, or -1 after
 * saying why (nothing left open). */
static int open_locked(struct cli *c, struct project *p, const struct delivery_op *op,
		       struct state **st)
{
	struct strbuf err = STRBUF_INIT;
	*st = NULL;
	if (state_open_project(st, p, STATE_RW, &err) < 0) {
		fprintf(stderr, "lac: %s\n", err.buf);
		sb_release(&err);
		return -1;
	}
	char *lock_id = xasprintf("run:%s", op->audience);
	int lk = state_lock(*st, lock_id, c->command, 0, &err);
	if (lk != 0) {
		if (lk == 1)
			fprintf(stderr, "lac: lock '%s' is %s\n", lock_id, err.buf);
		else
			fprintf(stderr, "lac: %s\n", err.buf);
		state_close(*st);
		*st = NULL;
	}
	free(lock_id);
	sb_release(&err);
	return lk == 0 ? 0 : -1;
}

static int close_locked(struct state *st, const struct delivery_op *op, int rc)
{
	char *lock_id = xasprintf("run:%s", op->audience);
	state_unlock(st, lock_id);
	free(lock_id);
	return view_close_state(st, rc);
}

/* ---- --retry ------------------------------------------------------------------------- */

/* The audience's events still pending for destination dest (of one
 * activation unless op says every one). */
static int64_t pending_for(struct state *st, const struct ast_audience *a, const struct delivery_op *op,
			   const struct destination *dest)
{
	int64_t n = 0;
	for (size_t i = 0; i < a->nactivations; i++) {
		const struct ast_activation *act = a->activations[i];
		struct delivery_counts k = { 0 };
		if (act->dest != dest || (op->activation && strcmp(op->activation, act->name) != 0))
			continue;
		if (state_get_counts_total(st, a->name, act->name, &k) == 0)
			n += k.pending;
	}
	return n;
}

/* Deliver the audience's events queued for one destination; the outcome in
 * *o (JSON) or as a line.  0, or -1 when the destination could not be used
 * or stayed unreachable. */
static int retry_destination(struct cli *c, struct project *p, struct state *st,
			     const struct ast_audience *a, const struct delivery_op *op,
			     const struct destination *dest, int64_t now, json_t *arr)
{
	struct dest_config cfg;
	struct dest *d = NULL;
	struct strbuf e = STRBUF_INIT, why = STRBUF_INIT; /* why: the outcome's error */
	struct deliver_stats ds = { 0 };
	size_t ndiags = p->diags.n;
	dest_config_defaults(&cfg);
	if (dest_config_from_project(p, dest, &cfg) < 0) {
		cli_print_new_diags(c, p, ndiags);
		sb_addf(&why, "destination '%s' is not usable (see the error above)", dest->name);
	} else if (dest_open(&cfg, &d, &e) < 0) {
		sb_addf(&why, "destination '%s': %s", dest->name, e.buf);
	} else {
		if (deliver_outbox_of(st, d, a->name, op->activation, now, &ds, &e) < 0)
			sb_addf(&why, "delivering to '%s': %s", dest->name, e.buf);
		else if (ds.stopped)
			sb_addf(&why, "destination '%s' is unreachable; undelivered events stay pending",
				dest->name);
		dest_close(d);
	}
	sb_release(&e);
	int64_t pending = pending_for(st, a, op, dest);
	if (arr) {
		json_array_append_new(arr, json_pack("{s:s, s:I, s:I, s:I, s:o}", "destination", dest->name,
						     "delivered", (json_int_t)ds.delivered,
						     "failed", (json_int_t)ds.failed,
						     "pending", (json_int_t)pending,
						     "error", why.len ? view_string_json(why.buf) : json_null()));
	} else {
		printf("%s: %lld delivered, %lld failed, %lld pending\n", dest->name,
		       (long long)ds.delivered, (long long)ds.failed, (long long)pending);
	}
	if (why.len && !arr)
		fprintf(stderr, "lac: %s\n", why.buf);
	int rc = why.len ? -1 : 0;
	sb_release(&why);
	return rc;
}

int delivery_retry(struct cli *c, const struct delivery_op *op)
{
	struct lac_now ln;
	if (cli_parse_now(c, &ln) != 0)
		return EXIT_USAGE;
	struct project p;
	if (view_load(c, &p) < 0)
		return EXIT_ERRORS;
	const struct ast_audience *a = project_audience(&p, op->audience);
	struct state *st = NULL;
	int rc = EXIT_ERRORS;
	if (!a)
		cli_unknown_audience(&p, op->audience);
	if (!a || !activation_known(&p, op) || open_locked(c, &p, op, &st) < 0) {
		project_release(&p);
		return rc;
	}
	rc = EXIT_OK;
	json_t *arr = c->format == OUT_JSON ? json_array() : NULL;
	/* each destination once: its reader takes every event of the audience
	 * queued for it */
	const struct destination **seen = NULL;
	size_t nseen = 0, cap = 0;
	for (size_t i = 0; i < a->nactivations; i++) {
		const struct ast_activation *act = a->activations[i];
		bool dup = !act->dest;
		for (size_t k = 0; k < nseen; k++)
			dup |= seen[k] == act->dest;
		if (dup || (op->activation && strcmp(op->activation, act->name) != 0))
			continue;
		VEC_PUSH(seen, nseen, cap, act->dest);
		if (retry_destination(c, &p, st, a, op, act->dest, ln.secs, arr) < 0)
			rc = EXIT_ERRORS;
	}
	free(seen);
	if (arr) {
		json_t *doc = json_pack("{s:s, s:o}", "audience", a->name, "destinations", arr);
		json_print_doc(stdout, doc);
		json_decref(doc);
	}
	rc = close_locked(st, op, rc);
	project_release(&p);
	return rc;
}

/* ---- --discard ----------------------------------------------------------------------- */

int delivery_discard(struct cli *c, const struct delivery_op *op)
{
	struct lac_now ln;
	if (cli_parse_now(c, &ln) != 0)
		return EXIT_USAGE;
	struct project p;
	if (view_load(c, &p) < 0)
		return EXIT_ERRORS;
	struct state *st = NULL;
	int rc = EXIT_ERRORS;
	if (!project_audience(&p, op->audience))
		cli_unknown_audience(&p, op->audience);
	else if (activation_known(&p, op) && open_locked(c, &p, op, &st) == 0) {
		int64_t n = outbox_discard(st, op->audience, op->activation, op->what, op->message_id,
					   op->reason, ln.secs);
		if (n < 0) {
			rc = EXIT_ERRORS; /* view_close_state says why */
		} else if (n == 0 && op->what == OUTBOX_DISCARD_MESSAGE) {
			fprintf(stderr, "lac: audience '%s' has no pending or failed event '%s'\n",
				op->audience, op->message_id);
		} else if (c->format == OUT_JSON) {
			json_t *doc = json_pack("{s:s, s:I, s:o}", "audience", op->audience,
						"discarded", (json_int_t)n, "reason", view_string_json(op->reason));
			json_print_doc(stdout, doc);
			json_decref(doc);
			rc = EXIT_OK;
		} else {
			printf("%s: %lld event%s discarded\n", op->audience, (long long)n, n == 1 ? "" : "s");
			rc = EXIT_OK;
		}
		rc = close_locked(st, op, rc);
	}
	project_release(&p);
	return rc;
}
