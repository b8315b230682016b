/*
 * dest.c — the destination interface: configuration from lac.yaml, the
 * dispatch to a driver, and deliver_outbox, the loop that pages through the
 * outbox, sends and records outcomes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crash_point.h"
#include "base/progress.h"
#include "base/verbose.h"
#include "deliver/dest_private.h"
#include "deliver/dest_shared.h"
#include "state/outbox.h"
#include "project/project.h"

void dest_config_defaults(struct dest_config *cfg)
{
	cfg->connect_timeout_ms = 5000;
	cfg->timeout_ms = 30000;
	cfg->max_retries = 5;
	cfg->backoff_ms = 500;
	cfg->backoff_max_ms = 30000;
	cfg->retry_after_max_ms = 60000;
	cfg->batch_events = 2500;
	cfg->batch_bytes = 500 * 1000; /* 500 KB read as 500,000 bytes: under the limit either way */
	cfg->event_bytes = 32 * 1024;
	cfg->shared = -1;
}

/* A numeric setting: 0 (absent or read), -1 (reported). */
static int num_setting(struct project *p, const struct destination *d, const char *key,
		       long lo, long hi, long *out)
{
	const struct setting *s = destination_setting(d, key);
	if (!s)
		return 0;
	const char *v = setting_expand(p, s->value, s->loc);
	if (!v)
		return -1;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < lo || n > hi)
		return diag_error(&p->diags, s->loc, DIAG_E006,
				  "destination '%s': %s must be a whole number from %ld to %ld",
				  d->name, key, lo, hi);
	*out = n;
	return 0;
}

/* A number over 0 and at most hi, fractions allowed (`timeout`, `max_rate`),
 * as the loader checks it: 0 (absent or read), -1 (reported). */
static int positive_setting(struct project *p, const struct destination *d, const char *key,
			    const char *unit, double hi, double *out)
{
	const struct setting *s = destination_setting(d, key);
	if (!s || !s->value)
		return 0;
	const char *v = setting_expand(p, s->value, s->loc);
	if (!v)
		return -1;
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (errno || end == v || *end || !(x > 0) || x > hi)
		return diag_error(&p->diags, s->loc, DIAG_E006,
				  "destination '%s': %s must be a number of %s over 0, at most %.10g",
				  d->name, key, unit, hi);
	*out = x;
	return 0;
}

/* `timeout` in seconds. */
static int timeout_setting(struct project *p, const struct destination *d, long *out_ms)
{
	double secs = 0;
	if (positive_setting(p, d, "timeout", "seconds", 3600, &secs) < 0)
		return -1;
	long ms = (long)(secs * 1000 + 0.5);
	if (secs > 0)
		*out_ms = ms < 1 ? 1 : ms;
	return 0;
}

_Static_assert(PROJECT_MAX_IN_FLIGHT <= DEST_IN_FLIGHT_MAX, "a request slot for each of max_in_flight");

/* max_rate (events a second, fractions allowed) and max_in_flight, as the
 * loader checks them; a batch then holds at most one second's events, so
 * that a large batch does not wait for many seconds' share at once. */
static int limit_settings(struct project *p, const struct destination *d, struct dest_config *cfg)
{
	long flight = 0;
	int rc = num_setting(p, d, "max_in_flight", 1, PROJECT_MAX_IN_FLIGHT, &flight);
	cfg->max_in_flight = (int)flight;
	if (positive_setting(p, d, "max_rate", "events a second", PROJECT_MAX_RATE, &cfg->max_rate) < 0)
		return -1;
	if (cfg->max_rate > 0 && cfg->batch_events > (size_t)cfg->max_rate)
		cfg->batch_events = cfg->max_rate < 1 ? 1 : (size_t)cfg->max_rate;
	return rc;
}

int dest_config_from_project(struct project *p, const struct destination *d, struct dest_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	dest_config_defaults(cfg);
	cfg->name = d->name;
	cfg->type = d->type;
	cfg->ca_file = project_ca_file(p, d);
	/* its record among those the runs share is its place in the project */
	if (d >= p->destinations && d < p->destinations + p->ndestinations)
		cfg->shared = d - p->destinations;
	const struct dest_type *t = dest_type_find(d->type);
	if (!t)
		return diag_error(&p->diags, d->loc, DIAG_E006,
				  "destination '%s': lac cannot deliver to type '%s'", d->name, d->type);
	int rc = t->configure ? t->configure(p, d, cfg) : 0;
	if (timeout_setting(p, d, &cfg->timeout_ms) < 0)
		rc = -1;
	long retries = cfg->max_retries;
	if (num_setting(p, d, "max_retries", 0, 100, &retries) < 0)
		rc = -1;
	cfg->max_retries = (int)retries;
	if (limit_settings(p, d, cfg) < 0)
		rc = -1;
	return rc;
}

void dest_event_set(struct dest_event *e, enum dest_outcome o, const char *fmt, ...)
{
	e->outcome = o;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
}

int dest_open(const struct dest_config *cfg, struct dest **out, struct strbuf *err)
{
	*out = NULL;
	const struct dest_type *t = dest_type_find(cfg->type);
	if (!t) {
		sb_addf(err, "destination '%s': lac cannot deliver to type '%s'",
			cfg->name ? cfg->name : "?", cfg->type ? cfg->type : "?");
		return -1;
	}
	struct dest *d = xcalloc(1, sizeof(*d));
	d->ops = t->ops;
	d->cfg = *cfg;
	d->flight_slot = -1;
	if (t->ops->open(d, err) < 0) {
		free(d);
		return -1;
	}
	*out = d;
	return 0;
}

int dest_send(struct dest *d, struct dest_event *evs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		evs[i].outcome = DEST_RETRY;
		evs[i].reason[0] = '\0';
	}
	return n ? d->ops->send(d, evs, n) : 0;
}

void dest_close(struct dest *d)
{
	if (!d)
		return;
	d->ops->close(d);
	free(d);
}

void dest_page_limits(const struct dest *d, size_t *events, size_t *bytes)
{
	*events = d->ops->page_events ? d->ops->page_events : d->cfg.batch_events;
	*bytes = d->ops->page_bytes ? d->ops->page_bytes : d->cfg.batch_bytes;
	if (*events == 0)
		*events = 1;
}

long dest_requests(const struct dest *d)
{
	return d->requests;
}

/* ---- the delivery loop --------------------------------------------------------------- */

static int deliver_from(struct state *st, struct dest *d, struct outbox_reader *rd, int64_t now,
			struct deliver_stats *stats, struct strbuf *err);

int deliver_outbox(struct state *st, struct dest *d, int64_t now, struct deliver_stats *stats,
		   struct strbuf *err)
{
	return deliver_from(st, d, outbox_reader_open(st, d->cfg.name), now, stats, err);
}

int deliver_outbox_of(struct state *st, struct dest *d, const char *audience, const char *activation,
		      int64_t now, struct deliver_stats *stats, struct strbuf *err)
{
	struct outbox_reader *rd = outbox_reader_open(st, d->cfg.name);
	outbox_reader_only(rd, audience, activation);
	return deliver_from(st, d, rd, now, stats, err);
}

int deliver_outbox_for(struct state *st, struct dest *d, int64_t now, const char *audience,
		       const char *run_id, struct deliver_stats *stats, struct strbuf *err)
{
	size_t turn = dest_shared_index(d);
	dest_turn_take(turn);
	struct outbox_reader *rd = outbox_reader_open_for(st, d->cfg.name, audience);
	outbox_reader_run(rd, run_id, false);
	int rc = deliver_from(st, d, rd, now, stats, err);
	if (d->ops->concurrent)
		dest_turn_give(turn);
	if (rc == 0 && !stats->stopped) {
		struct deliver_stats own;
		rd = outbox_reader_open_for(st, d->cfg.name, audience);
		outbox_reader_run(rd, run_id, true);
		rc = deliver_from(st, d, rd, now, &own, err);
		stats->delivered += own.delivered;
		stats->failed += own.failed;
		stats->retry += own.retry;
		stats->pages += own.pages;
		stats->stopped = own.stopped;
		memcpy(stats->stop_reason, own.stop_reason, sizeof(stats->stop_reason));
	}
	if (!d->ops->concurrent)
		dest_turn_give(turn);
	return rc;
}

/* The delivery loop over the events rd reads (closed here). */
static int deliver_from(struct state *st, struct dest *d, struct outbox_reader *rd, int64_t now,
			struct deliver_stats *stats, struct strbuf *err)
{
	memset(stats, 0, sizeof(*stats));
	size_t max_events, max_bytes;
	dest_page_limits(d, &max_events, &max_bytes);
	struct dest_event *evs = xcalloc(max_events, sizeof(*evs));
	enum outbox_status *status = xcalloc(max_events, sizeof(*status));
	const char **reasons = xcalloc(max_events, sizeof(*reasons));
	/* one page of the outbox in memory at a time: the page that is sent */
	struct progress pg;
	char *step = xasprintf("delivering to '%s'", d->cfg.name);
	progress_begin(&pg, step, "events");
	free(step);
	const struct outbox_item *items;
	size_t n;
	int rc;
	while ((rc = outbox_reader_next(rd, max_events, max_bytes, &items, &n)) > 0) {
		for (size_t i = 0; i < n; i++) {
			evs[i].message_id = items[i].message_id;
			evs[i].json = items[i].json;
			evs[i].len = items[i].len;
		}
		dest_send(d, evs, n);
		stats->pages++;
		/* tests: killed after the destination took a page, before its
		 * outcome is recorded (the page is sent again next time) */
		crash_point("send");
		int64_t delivered = 0, failed = 0, retry = 0;
		for (size_t i = 0; i < n; i++) {
			const struct dest_event *e = &evs[i];
			status[i] = e->outcome == DEST_DELIVERED ? OUTBOX_DELIVERED
				  : e->outcome == DEST_REJECTED ? OUTBOX_FAILED : OUTBOX_PENDING;
			reasons[i] = e->reason[0] ? e->reason : NULL;
			delivered += status[i] == OUTBOX_DELIVERED;
			failed += status[i] == OUTBOX_FAILED;
			retry += status[i] == OUTBOX_PENDING;
		}
		/* the outcomes are durable before the next page is read */
		if (outbox_reader_done(rd, status, reasons, now) < 0) {
			rc = -1;
			break;
		}
		stats->delivered += delivered;
		stats->failed += failed;
		stats->retry += retry;
		verbose_log("delivery: '%s': page %lld: %zu event%s: %lld delivered, %lld refused, %lld not taken",
			    d->cfg.name, (long long)stats->pages, n, n == 1 ? "" : "s", (long long)delivered,
			    (long long)failed, (long long)retry);
		progress_add(&pg, (int64_t)n);
		/* every event failed transiently: the destination is down; the rest
		 * stays pending for next time instead of being tried event by event */
		if (retry == (int64_t)n) {
			stats->stopped = true;
			snprintf(stats->stop_reason, sizeof(stats->stop_reason), "%s", evs[0].reason);
			break;
		}
	}
	progress_end(&pg);
	if (rc < 0)
		sb_addf(err, "%s: %s", state_path(st), state_errmsg(st));
	outbox_reader_close(rd);
	free(evs);
	free(status);
	free(reasons);
	return rc < 0 ? -1 : 0;
}
