/*
 * dest_http.c — the HTTP destinations: `webhook` (one JSON event per POST)
 * and `segment` (the batch endpoint, {"batch":[...]}, basic auth with the
 * write key), over the HTTP client of net/http.h: connection reuse, TLS
 * always verified, retries of transient failures (5xx, 429, 408, timeouts,
 * connection errors) with backoff and Retry-After; other 4xx are final for
 * the events sent.  Nothing secret (keys, header values, URL credentials and
 * tokens, ${VAR} values) ever reaches a reason: the client redacts every
 * reason whole, then cuts it.
 *
 * What stays here is delivery: events to requests, batches and their
 * bisection, outcomes.  It is shared (dest_private.h) with the stdlib
 * presets in dest_preset.c, which only build their own bodies.
 */
#include <stdlib.h>
#include <string.h>

#include "deliver/dest_private.h"
#include "net/http.h"
#include "project/project.h"

struct http_priv {
	struct http_client *client;
	struct http_header *headers; /* Content-Type, then the configured ones */
	const char *secrets[3];      /* the keys a preset sends inside a header */
	struct http_response resp;
	struct strbuf req;
};

/* ---- open / close ---------------------------------------------------------------------- */

int dest_http_open(struct dest *d, const struct http_auth *auth, struct strbuf *err)
{
	const struct dest_config *c = &d->cfg;
	if (!c->url || !(str_starts(c->url, "https://") || str_starts(c->url, "http://"))) {
		sb_addf(err, "destination '%s': url must start with https:// or http://", c->name);
		return -1;
	}
	struct http_priv *hp = xcalloc(1, sizeof(*hp));
	hp->headers = xcalloc(c->nheaders + 1, sizeof(*hp->headers));
	hp->headers[0] = (struct http_header){ "Content-Type", "application/json" };
	for (size_t i = 0; i < c->nheaders; i++)
		hp->headers[i + 1] = (struct http_header){ c->headers[i].name, c->headers[i].value };
	size_t nsecrets = 0;
	const char *keys[] = { c->write_key, c->api_key, c->site_id };
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		if (keys[i])
			hp->secrets[nsecrets++] = keys[i];
	struct http_client_config hc = {
		.connect_timeout_ms = c->connect_timeout_ms,
		.ca_file = c->ca_file,
		.timeout_ms = c->timeout_ms,
		.headers = hp->headers,
		.nheaders = c->nheaders + 1,
		.auth_header = auth ? auth->header : NULL,
		.basic_user = auth ? auth->basic_user : NULL,
		.basic_pass = auth ? auth->basic_pass : NULL,
		.secrets = hp->secrets,
		.nsecrets = nsecrets,
		.retry = { c->max_retries, c->backoff_ms, c->backoff_max_ms, c->retry_after_max_ms },
		.more_secrets = project_all_secrets,
		/* an API's per-event failures (dest_preset.c) are read from the body */
		.body_max = 1 << 20,
	};
	struct strbuf why = STRBUF_INIT;
	if (http_client_open(&hc, &hp->client, &why) < 0) {
		sb_addf(err, "destination '%s': %s", c->name, why.buf);
		sb_release(&why);
		free(hp->headers);
		free(hp);
		return -1;
	}
	http_response_init(&hp->resp);
	sb_init(&hp->req);
	d->priv = hp;
	return 0;
}

void dest_http_close(struct dest *d)
{
	struct http_priv *hp = d->priv;
	if (!hp)
		return;
	http_client_close(hp->client);
	http_response_release(&hp->resp);
	sb_release(&hp->req);
	free(hp->headers);
	free(hp);
}

/* POST body (`events` events) to url (NULL: cfg.url), with the client's
 * retries, within the destination's max_in_flight and max_rate. */
static enum http_class request(struct dest *d, const char *url, const char *body, size_t len,
			       size_t events, long *status, char *why, size_t whylen)
{
	struct http_priv *hp = d->priv;
	struct http_request req = { "POST", url ? url : d->cfg.url, NULL, 0, body, len };
	dest_limit_enter(d, events);
	enum http_class cls = http_client_send(hp->client, &req, &hp->resp, why, whylen);
	dest_limit_leave(d);
	d->requests += hp->resp.attempts;
	*status = hp->resp.status;
	return cls;
}

/* ---- webhook: one event per POST -------------------------------------------------------------- */

void dest_http_unsent(struct dest_event *evs, size_t from, size_t n, const char *why)
{
	for (size_t i = from; i < n; i++)
		dest_event_set(&evs[i], DEST_RETRY, "not sent: %s", why);
}

int dest_http_post(struct dest *d, const char *url, const char *body, size_t len,
		   struct dest_event *e)
{
	long status;
	char why[200];
	enum http_class cls = request(d, url, body, len, 1, &status, why, sizeof(why));
	if (cls == HTTP_OK) {
		e->outcome = DEST_DELIVERED;
		return 0;
	}
	if (cls == HTTP_FINAL) {
		dest_event_set(e, DEST_REJECTED, "%s", why);
		return 0;
	}
	dest_event_set(e, DEST_RETRY, "%s", why);
	return -1;
}

static int webhook_send(struct dest *d, struct dest_event *evs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (dest_http_post(d, NULL, evs[i].json, evs[i].len, &evs[i]) < 0) {
			/* Retries are exhausted: the destination is down; stop this page. */
			dest_http_unsent(evs, i + 1, n, evs[i].reason);
			return -1;
		}
	}
	return 0;
}

/* ---- segment: batches ---------------------------------------------------------------------------- */

void dest_http_reject(struct dest *d, struct dest_event *e, const char *text)
{
	struct http_priv *hp = d->priv;
	e->outcome = DEST_REJECTED;
	/* a careless API may quote the request back: redacted like the client's own */
	http_client_reason(hp->client, text, e->reason, sizeof(e->reason));
}

/* Send evs (pointers into the page) as one batch; split it in halves when it
 * is refused as a whole, to isolate the events at fault.  0, or -1 when the
 * destination is unreachable (those events are left for a retry). */
static int send_batch(struct dest *d, const char *url, dest_http_body_fn body,
		      dest_http_accepted_fn accepted, struct dest_event **evs, size_t n)
{
	struct http_priv *hp = d->priv;
	sb_reset(&hp->req);
	body(evs, n, &hp->req);
	long status;
	char why[200];
	enum http_class cls = request(d, url, hp->req.buf, hp->req.len, n, &status, why, sizeof(why));
	if (cls == HTTP_OK) {
		for (size_t i = 0; i < n; i++)
			evs[i]->outcome = DEST_DELIVERED;
		if (accepted)
			accepted(d, hp->resp.body.buf ? hp->resp.body.buf : "", hp->resp.body.len, evs, n);
		return 0;
	}
	if (cls == HTTP_FINAL && n > 1 && (status == 400 || status == 413)) {
		size_t half = n / 2;
		if (send_batch(d, url, body, accepted, evs, half) < 0) {
			for (size_t i = half; i < n; i++)
				dest_event_set(evs[i], DEST_RETRY, "not sent: destination unavailable");
			return -1;
		}
		return send_batch(d, url, body, accepted, evs + half, n - half);
	}
	for (size_t i = 0; i < n; i++)
		dest_event_set(evs[i], cls == HTTP_FINAL ? DEST_REJECTED : DEST_RETRY, "%s", why);
	return cls == HTTP_FINAL ? 0 : -1;
}

int dest_http_send_batches(struct dest *d, const char *url, dest_http_body_fn body, size_t overhead,
			   dest_http_accepted_fn accepted, struct dest_event *evs, size_t n)
{
	const struct dest_config *c = &d->cfg;
	struct dest_event **batch = xcalloc(n, sizeof(*batch));
	size_t nb = 0, bytes = 0;
	int rc = 0;
	for (size_t i = 0; i <= n; i++) {
		struct dest_event *e = i < n ? &evs[i] : NULL;
		if (e && e->len > c->event_bytes) {
			dest_event_set(e, DEST_REJECTED, "event is %zu bytes, over the %zu-byte limit",
				       e->len, c->event_bytes);
			continue;
		}
		bool full = e && nb && (nb == c->batch_events ||
					overhead + bytes + e->len + 1 > c->batch_bytes);
		if ((!e || full) && nb) {
			if (send_batch(d, url, body, accepted, batch, nb) < 0) {
				/* Unreachable: leave the rest of the page for later. */
				for (size_t j = i; j < n; j++)
					if (evs[j].outcome != DEST_REJECTED)
						dest_event_set(&evs[j], DEST_RETRY, "not sent: destination unavailable");
				rc = -1;
				break;
			}
			nb = bytes = 0;
		}
		if (e) {
			batch[nb++] = e;
			bytes += e->len + 1;
		}
	}
	free(batch);
	return rc;
}

void dest_batch_body(struct dest_event *const *evs, size_t n, struct strbuf *body)
{
	sb_addstr(body, "{\"batch\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addch(body, ',');
		sb_addmem(body, evs[i]->json, evs[i]->len);
	}
	sb_addstr(body, "]}");
}

static int segment_send(struct dest *d, struct dest_event *evs, size_t n)
{
	return dest_http_send_batches(d, NULL, dest_batch_body, DEST_BATCH_BODY_EMPTY, NULL, evs, n);
}

static int webhook_open(struct dest *d, struct strbuf *err)
{
	return dest_http_open(d, NULL, err);
}

static int segment_open(struct dest *d, struct strbuf *err)
{
	struct http_auth auth = { d->cfg.write_key ? d->cfg.write_key : "", "", NULL };
	return dest_http_open(d, &auth, err);
}

const struct dest_ops dest_webhook_ops = {
	.open = webhook_open, .send = webhook_send, .close = dest_http_close,
	.page_events = 100, .page_bytes = 4 << 20, .concurrent = true,
};

/* A page is an outbox chunk, sent as several batches: the outcomes of the
 * whole page are recorded in one state transaction (one fsync) instead of
 * one per batch, which halved delivery time.  A kill mid-page resends that
 * page's events (same messageIds). */
const struct dest_ops dest_segment_ops = {
	.open = segment_open, .send = segment_send, .close = dest_http_close,
	.page_events = 20000, .page_bytes = 16 << 20, .concurrent = true,
};
