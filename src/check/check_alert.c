/*
 * check_alert.c — an audience's alerts (SPEC §3.3, §5 Alerts): names unique
 * within the audience (E316), a threshold from 1 to 1000 percent (E319),
 * `notify` channels declared under lac.yaml's alerts: channels (E409, each
 * named once: E317), and for event_health a destination that one of the
 * audience's activations delivers to (E410).
 */
#include <stdlib.h>
#include <string.h>

#include "check/check_private.h"

#define ALERT_THRESHOLD_MIN 1
#define ALERT_THRESHOLD_MAX 1000

static void check_channels(struct checker *c, const struct ast_alert *al)
{
	const struct project *p = c->p;
	for (size_t i = 0; i < al->nchannels; i++) {
		const char *name = al->channels[i];
		bool twice = false;
		for (size_t j = 0; j < i && !twice; j++)
			twice = strcmp(al->channels[j], name) == 0;
		if (twice) {
			cerr(c, al->channel_locs[i], DIAG_E317, "channel '%s' is named twice in alert '%s'",
			     name, al->name);
			continue;
		}
		if (project_alert_channel(p, name))
			continue;
		cerr(c, al->channel_locs[i], DIAG_E409, "alert channel '%s' is not declared in lac.yaml",
		     name);
		const char **names = xmalloc((p->nalert_channels + 1) * sizeof(*names));
		for (size_t k = 0; k < p->nalert_channels; k++)
			names[k] = p->alert_channels[k].name;
		diag_hint_closest(c->d, name, names, p->nalert_channels);
		free(names);
		if (!p->nalert_channels)
			diag_hint(c->d, "declare it in lac.yaml under alerts: { channels: { %s: "
				  "{type: slack, url: ...} } }", name);
	}
}

/* event_health watches what the audience sends to its destination: one of
 * its activations must deliver there. */
static void check_destination(struct checker *c, const struct ast_audience *a,
			      const struct ast_alert *al)
{
	struct strbuf used = STRBUF_INIT;
	const char **names = xmalloc((a->nactivations + 1) * sizeof(*names));
	size_t n = 0;
	for (size_t i = 0; i < a->nactivations; i++) {
		const char *d = a->activations[i]->destination;
		if (!d)
			continue;
		if (strcmp(d, al->destination) == 0) {
			free(names);
			sb_release(&used);
			return;
		}
		bool seen = false;
		for (size_t k = 0; k < n; k++)
			seen |= strcmp(names[k], d) == 0;
		if (!seen) {
			names[n++] = d;
			sb_addf(&used, "%s%s", used.len ? ", " : "", d);
		}
	}
	cerr(c, al->destination_loc, DIAG_E410,
	     "destination '%s' is not used by an activation of audience '%s'", al->destination,
	     a->name);
	diag_hint_closest(c->d, al->destination, names, n);
	if (used.len)
		diag_hint(c->d, "its activations deliver to: %s", used.buf);
	else
		diag_hint(c->d, "audience '%s' has no activation: add one that delivers to '%s'",
			  a->name, al->destination);
	free(names);
	sb_release(&used);
}

static void check_alert(struct checker *c, const struct ast_audience *a, const struct ast_alert *al)
{
	if (al->syntax_error)
		return; /* its body did not parse: reported by the parser */
	if (al->threshold >= 0 &&
	    (al->threshold < ALERT_THRESHOLD_MIN || al->threshold > ALERT_THRESHOLD_MAX))
		cerr(c, al->threshold_value_loc, DIAG_E319,
		     "alert threshold must be from %d to %d percent, not %ld", ALERT_THRESHOLD_MIN,
		     ALERT_THRESHOLD_MAX, al->threshold);
	check_channels(c, al);
	if (al->kind == ALERT_EVENT_HEALTH && al->destination)
		check_destination(c, a, al);
}

void check_alerts(struct checker *c, struct ast_audience *a)
{
	for (size_t i = 0; i < a->nalerts; i++) {
		const struct ast_alert *al = a->alerts[i];
		const struct ast_alert *first = NULL;
		for (size_t j = 0; j < i && !first && al->name[0]; j++)
			if (strcmp(a->alerts[j]->name, al->name) == 0)
				first = a->alerts[j];
		if (first) {
			cerr(c, al->name_loc, DIAG_E316, "duplicate alert name '%s'", al->name);
			diag_hint(c->d, "alert '%s' is first defined at %s:%u", al->name,
				  source_path(&c->p->sources, first->name_loc.file),
				  (unsigned)first->name_loc.line);
			continue;
		}
		check_alert(c, a, al);
	}
}
