/*
 * cmd_run_dry.c — `lac run --dry-run [AUDIENCE...]` (SPEC §6): what the next
 * run of each audience would send, per activation (counts and a sample of
 * the events), from the applied definitions and the state's baseline,
 * computed the way `lac plan --preview` counts (run_preview.c), so writing
 * nothing at all: the state is open read-only, the warehouse for reading,
 * no destination is opened.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_print.h"
#include "check/check.h"
#include "cmd/run_dry.h"

/* Events shown per activation. */
#define DRY_RUN_SAMPLES 3

struct samples {
	json_t *events;           /* the first DRY_RUN_SAMPLES events, parsed */
};

static void keep_sample(void *arg, const char *json, size_t len)
{
	struct samples *s = arg;
	if (json_array_size(s->events) >= DRY_RUN_SAMPLES)
		return;
	json_t *j = json_loadb(json, len, 0, NULL);
	if (j)
		json_array_append_new(s->events, j);
}

/* Would the activation's next run record its baseline instead of sending
 * (SPEC §5: no baseline yet and no `send current`)? */
static bool records_baseline(const struct ast_activation *act, const struct state_activation *sa)
{
	return (!sa || !sa->has_baseline) && !act->send_current;
}

/* One activation: its JSON object, or NULL (err says why). */
static json_t *dry_activation(struct project *p, struct warehouse *w, struct state *st,
			      const struct ast_activation *act, const char *now, struct strbuf *err)
{
	const struct ast_audience *a = act->audience;
	struct state_activation sa;
	bool applied = state_get_activation(st, a->name, act->name, &sa) == 0;
	struct run_preview_counts k;
	struct samples smp = { json_array() };
	int rc = run_preview_events_sampled(p, w, act, applied ? &sa : NULL, now, &k, keep_sample,
					    &smp, err);
	bool baseline = records_baseline(act, applied ? &sa : NULL);
	if (applied)
		state_activation_release(&sa);
	if (rc < 0) {
		json_decref(smp.events);
		return NULL;
	}
	/* what earlier runs queued and the next run's delivery retries first */
	struct delivery_counts q = { 0 };
	state_get_counts_total(st, a->name, act->name, &q);
	bool active = a->enabled != 0 && act->enabled != 0;
	return json_pack("{s:s, s:s, s:b, s:b, s:I, s:I, s:I, s:I, s:o}", "activation", act->name,
			 "destination", act->destination ? act->destination : "", "enabled", active,
			 "baseline", active && baseline, "events", (json_int_t)k.events,
			 "filtered", (json_int_t)k.filtered, "invalid", (json_int_t)k.invalid,
			 "queued", (json_int_t)(q.pending + q.failed), "sample", smp.events);
}

static int64_t int_of(json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

static void print_text(json_t *aud)
{
	const char *name = json_string_value(json_object_get(aud, "audience"));
	if (!json_is_true(json_object_get(aud, "enabled"))) {
		printf("%s: Disabled, nothing would be sent\n", name);
		return;
	}
	int64_t total = int_of(aud, "events");
	printf("%s: %lld event%s would be sent\n", name, (long long)total, total == 1 ? "" : "s");
	size_t i;
	json_t *act;
	json_array_foreach(json_object_get(aud, "activations"), i, act) {
		printf("  %s -> %s: ", json_string_value(json_object_get(act, "activation")),
		       json_string_value(json_object_get(act, "destination")));
		if (!json_is_true(json_object_get(act, "enabled")))
			printf("disabled");
		else if (json_is_true(json_object_get(act, "baseline")))
			printf("first run: records the baseline, sends nothing");
		else
			printf("%lld event%s, %lld filtered, %lld invalid", (long long)int_of(act, "events"),
			       int_of(act, "events") == 1 ? "" : "s", (long long)int_of(act, "filtered"),
			       (long long)int_of(act, "invalid"));
		if (int_of(act, "queued"))
			printf("; %lld queued by earlier runs retried first", (long long)int_of(act, "queued"));
		putchar('\n');
		size_t k;
		json_t *ev;
		json_array_foreach(json_object_get(act, "sample"), k, ev) {
			char *line = json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS);
			printf("    %s\n", line ? line : "?");
			free(line);
		}
	}
}

/* One audience: its JSON object, or NULL after saying why. */
static json_t *dry_audience(struct project *p, struct warehouse *w, struct state *st,
			    const struct ast_audience *a, const char *now)
{
	json_t *acts = json_array();
	int64_t total = 0;
	for (size_t i = 0; a->enabled != 0 && i < a->nactivations; i++) {
		struct strbuf err = STRBUF_INIT;
		json_t *o = dry_activation(p, w, st, a->activations[i], now, &err);
		if (!o) {
			fprintf(stderr, "lac: %s: %s\n", a->name, err.buf);
			sb_release(&err);
			json_decref(acts);
			return NULL;
		}
		sb_release(&err);
		total += int_of(o, "events");
		json_array_append_new(acts, o);
	}
	return json_pack("{s:s, s:b, s:I, s:o}", "audience", a->name, "enabled", a->enabled != 0,
			 "events", (json_int_t)total, "activations", acts);
}

int run_dry(struct cli *c, struct project *p, struct warehouse *w, struct state *st,
	    const struct ast_audience *const *want, size_t n)
{
	const struct ast_audience **order = NULL;
	size_t norder = run_order(want, n, &order);
	json_t *arr = json_array();
	int rc = EXIT_OK;
	for (size_t i = 0; i < norder; i++) {
		json_t *o = dry_audience(p, w, st, order[i], c->now);
		if (!o) {
			rc = EXIT_ERRORS;
			continue;
		}
		if (c->format == OUT_JSON)
			json_array_append(arr, o);
		else
			print_text(o);
		json_decref(o);
	}
	if (c->format == OUT_JSON) {
		json_t *doc = json_pack("{s:b, s:o}", "dry_run", 1, "audiences", arr);
		json_print_doc(stdout, doc);
		json_decref(doc);
	} else {
		json_decref(arr);
	}
	free(order);
	return rc;
}
