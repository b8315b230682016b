/*
 * alert_eval.c — judge every alert once per UTC day, record what fired,
 * then tell its channels (alert_eval.h).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert_change.h"
#include "alert/alert_eval.h"
#include "alert/alert_notify.h"
#include "base/time.h"
#include "state/alert_state.h"

/* An alert that fired this evaluation, to notify after the commit. */
struct fired {
	const struct ast_alert *al;
	struct alert_change change;
	int64_t id;
};

/* The alert's D−2 and D−1 figures: 0 both known, 1 not comparable, -1 error. */
static int figures(struct state *st, const struct ast_alert *al, int64_t day, int64_t *prev,
		   int64_t *cur)
{
	const char *aud = al->audience->name;
	int64_t m2, m1;
	int r2 = state_alert_members(st, aud, day - 2, &m2);
	int r1 = r2 == 0 ? state_alert_members(st, aud, day - 1, &m1) : r2;
	if (r1 != 0)
		return r1;
	if (al->kind == ALERT_SIZE_CHANGE) {
		*prev = m2;
		*cur = m1;
		return 0;
	}
	if (state_alert_delivered(st, aud, al->destination, day - 2, prev) < 0 ||
	    state_alert_delivered(st, aud, al->destination, day - 1, cur) < 0)
		return -1;
	return 0;
}

/* The channels' JSON as `lac alerts` shows it: every one "pending" until told. */
static char *channels_json(const struct ast_alert *al, const char *const *status,
			   char *const *errors)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < al->nchannels; i++) {
		json_t *c = json_pack("{s:s, s:s, s:o}", "name", al->channels[i], "status",
				      status ? status[i] : "pending", "error",
				      errors && errors[i] ? json_string(errors[i]) : json_null());
		json_array_append_new(arr, c);
	}
	char *s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return s;
}

/* Judge every alert of the project's enabled audiences; fired ones are
 * recorded (with their channels pending) and appended to *v. */
static int judge(struct project *p, struct state *st, int64_t day, int64_t now,
		 struct fired **v, size_t *n, size_t *cap)
{
	for (size_t f = 0; f < p->nfiles; f++)
		for (size_t k = 0; k < p->files[f]->naudiences; k++) {
			const struct ast_audience *a = p->files[f]->audiences[k];
			if (!a->ok || a->enabled == 0)
				continue;
			for (size_t i = 0; i < a->nalerts; i++) {
				const struct ast_alert *al = a->alerts[i];
				int64_t prev, cur;
				int rc = figures(st, al, day, &prev, &cur);
				if (rc < 0)
					return -1;
				if (rc > 0)
					continue;
				struct fired fr = { al, alert_change_of(prev, cur), 0 };
				bool outside = alert_change_outside(&fr.change, al->threshold), was;
				if (state_alert_outside(st, a->name, al->name, &was) < 0 ||
				    state_alert_set_outside(st, a->name, al->name, outside) < 0)
					return -1;
				if (!outside || was)
					continue;
				char *ch = channels_json(al, NULL, NULL);
				struct state_fired_alert sf = {
					.fired_at = now, .audience = a->name, .alert = al->name,
					.kind = alert_kind_name(al->kind), .previous = prev,
					.current = cur, .channels = ch,
				};
				rc = state_alert_add_fired(st, &sf);
				free(ch);
				if (rc < 0)
					return -1;
				fr.id = sf.id;
				VEC_PUSH(*v, *n, *cap, fr);
			}
		}
	return 0;
}

/* Tell each channel of a fired alert, record the outcomes, log a line. */
static void notify(struct project *p, struct state *st, const struct fired *fr, int64_t day,
		   const struct alert_eval_options *o)
{
	const struct ast_alert *al = fr->al;
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	alert_message(al, &fr->change, day, &text);
	char *subject = xasprintf("lac alert '%s' of audience '%s'", al->name, al->audience->name);
	const char **status = xcalloc(al->nchannels + 1, sizeof(*status));
	char **errors = xcalloc(al->nchannels + 1, sizeof(*errors));
	for (size_t i = 0; i < al->nchannels; i++) {
		const struct alert_channel *ch = project_alert_channel(p, al->channels[i]);
		sb_reset(&why);
		int rc = -1;
		if (!ch)
			sb_addf(&why, "channel '%s' is not declared in lac.yaml", al->channels[i]);
		else
			rc = alert_notify(p, ch, subject, text.buf, o->now, &why);
		status[i] = rc == 0 ? "sent" : "failed";
		errors[i] = rc == 0 ? NULL : xstrdup(why.len ? why.buf : "failed");
	}
	char *ch = channels_json(al, status, errors);
	state_alert_set_channels(st, fr->id, ch);
	free(ch);
	if (o->log) {
		fprintf(o->log, "lac: alert: %s", text.buf);
		for (size_t i = 0; i < al->nchannels; i++)
			fprintf(o->log, "%s%s %s%s%s", i ? ", " : "; ", al->channels[i], status[i],
				errors[i] ? ": " : "", errors[i] ? errors[i] : "");
		fputc('\n', o->log);
	}
	for (size_t i = 0; i < al->nchannels; i++)
		free(errors[i]);
	free(errors);
	free(status);
	free(subject);
	sb_release(&text);
	sb_release(&why);
}

int alert_evaluate(struct project *p, struct state *st, const struct alert_eval_options *o,
		   struct strbuf *err)
{
	int64_t day = state_day_of(o->now);
	int done = state_alert_day_evaluated(st, day);
	if (done != 0) {
		if (done < 0)
			sb_addf(err, "alerts: %s", state_errmsg(st));
		return done < 0 ? -1 : 0;
	}
	struct fired *v = NULL;
	size_t n = 0, cap = 0;
	/* the claim and the judgements commit together: another process that
	 * evaluates the same day finds it claimed, or waits for this one */
	if (state_begin(st) < 0)
		goto fail;
	int claimed = state_alert_claim_day(st, day, o->now);
	if (claimed < 0 || (claimed == 1 && judge(p, st, day, o->now, &v, &n, &cap) < 0)) {
		state_rollback(st);
		goto fail;
	}
	if (state_commit(st) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		notify(p, st, &v[i], day, o);
	free(v);
	return (int)n;
fail:
	sb_addf(err, "alerts: %s", state_errmsg(st));
	free(v);
	return -1;
}
