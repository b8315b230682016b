/*
 * dest_http.c — the HTTP destinations: `webhook` (one JSON event per POST)
 * and `segment` (the batch endpoint, {"batch":[...]}, basic auth with the
 * write key).  One curl easy handle per destination, so connections are
 * reused; TLS is always verified; transient failures (5xx, 429, 408,
 * timeouts, connection errors) are retried with exponential backoff and
 * jitter, honouring Retry-After; other 4xx are final for the events sent.
 * Nothing secret (write key, header values) ever reaches a reason or log.
 *
 * The request, retry and batch machinery is shared (dest_private.h) with the
 * stdlib presets in dest_preset.c, which only build their own bodies.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "dest_private.h"

#define BODY_KEEP 4096   /* response bytes kept for reasons */
#define EXCERPT 160      /* response bytes quoted in a reason */

struct http_priv {
	CURL *curl;
	struct curl_slist *headers;
	struct strbuf resp;
	struct strbuf req;
	long retry_after_ms;       /* from the last response; -1 when none */
	unsigned seed;
};

enum http_class {
	HTTP_OK,
	HTTP_RETRY,                /* transient; retries exhausted when returned */
	HTTP_FINAL,                /* the destination refused the request (4xx) */
	HTTP_FATAL,                /* cannot work at all (bad URL, TLS verification) */
};

/* ---- curl callbacks ---------------------------------------------------------------- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct http_priv *hp = ud;
	size_t len = size * n;
	if (hp->resp.len < BODY_KEEP)
		sb_addmem(&hp->resp, p, len < BODY_KEEP - hp->resp.len ? len : BODY_KEEP - hp->resp.len);
	return len;
}

/* Retry-After: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct http_priv *hp = ud;
	size_t len = size * n;
	static const char name[] = "retry-after:";
	if (len > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
		char v[128];
		size_t i = sizeof(name) - 1, k = 0;
		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		while (i < len && p[i] != '\r' && p[i] != '\n' && k < sizeof(v) - 1)
			v[k++] = p[i++];
		v[k] = '\0';
		char *end;
		long secs = strtol(v, &end, 10);
		if (k && *end == '\0' && secs >= 0) {
			hp->retry_after_ms = secs > 86400 ? 86400000L : secs * 1000L;
		} else {
			time_t when = curl_getdate(v, NULL);
			if (when != (time_t)-1) {
				long long d = (long long)when - (long long)time(NULL);
				hp->retry_after_ms = d <= 0 ? 0 : d > 86400 ? 86400000L : (long)d * 1000L;
			}
		}
	}
	return len;
}

/* ---- open / close ---------------------------------------------------------------------- */

int dest_http_open(struct dest *d, const struct http_auth *auth, struct strbuf *err)
{
	static bool curl_ready;
	const struct dest_config *c = &d->cfg;
	if (!c->url || !(str_starts(c->url, "https://") || str_starts(c->url, "http://"))) {
		sb_addf(err, "destination '%s': url must start with https:// or http://", c->name);
		return -1;
	}
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			sb_addf(err, "destination '%s': cannot initialise libcurl", c->name);
			return -1;
		}
		curl_ready = true;
	}
	struct http_priv *hp = xcalloc(1, sizeof(*hp));
	hp->seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
	sb_init(&hp->resp);
	sb_init(&hp->req);
	hp->curl = curl_easy_init();
	if (!hp->curl) {
		free(hp);
		sb_addf(err, "destination '%s': cannot create an HTTP handle", c->name);
		return -1;
	}
	CURL *h = hp->curl;
	hp->headers = curl_slist_append(hp->headers, "Content-Type: application/json");
	hp->headers = curl_slist_append(hp->headers, "Expect:"); /* no 100-continue round trip */
	for (size_t i = 0; i < c->nheaders; i++) {
		char *line = xasprintf("%s: %s", c->headers[i].name, c->headers[i].value);
		hp->headers = curl_slist_append(hp->headers, line);
		free(line);
	}
	if (auth && auth->header)
		hp->headers = curl_slist_append(hp->headers, auth->header);
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hp->headers);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(h, CURLOPT_USERAGENT, "lac/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, hp);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, hp);
	if (auth && auth->basic_user) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, auth->basic_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, auth->basic_pass ? auth->basic_pass : "");
	}
	d->priv = hp;
	return 0;
}

void dest_http_close(struct dest *d)
{
	struct http_priv *hp = d->priv;
	if (!hp)
		return;
	curl_easy_cleanup(hp->curl);
	curl_slist_free_all(hp->headers);
	sb_release(&hp->resp);
	sb_release(&hp->req);
	free(hp);
}

/* ---- one request, with retries ------------------------------------------------------------ */

/* Replace every occurrence of a secret in s (NUL-terminated, edited in place). */
static void redact(char *s, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	if (n < 3)
		return;
	static const char mark[] = "[redacted]";
	char *p;
	while ((p = strstr(s, secret)) != NULL) {
		size_t m = n < sizeof(mark) - 1 ? n : sizeof(mark) - 1;
		memcpy(p, mark, m);
		memmove(p + m, p + n, strlen(p + n) + 1);
	}
}

/* A printable one-line excerpt of the response body, with no secret in it. */
static void body_excerpt(struct dest *d, char *out, size_t n)
{
	struct http_priv *hp = d->priv;
	size_t k = 0;
	for (size_t i = 0; i < hp->resp.len && k + 1 < n && k < EXCERPT; i++) {
		unsigned char ch = (unsigned char)hp->resp.buf[i];
		out[k++] = ch == '\n' || ch == '\r' || ch == '\t' ? ' ' : (ch < 32 || ch == 127) ? '?' : (char)ch;
	}
	out[k] = '\0';
	redact(out, d->cfg.write_key);
	redact(out, d->cfg.api_key);
	redact(out, d->cfg.site_id);
	for (size_t i = 0; i < d->cfg.nheaders; i++)
		redact(out, d->cfg.headers[i].value);
}

static void sleep_ms(long ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0)
		;
}

static enum http_class perform(struct dest *d, const char *url, const char *body, size_t len,
			       long *status, char *why, size_t whylen)
{
	struct http_priv *hp = d->priv;
	sb_reset(&hp->resp);
	curl_easy_setopt(hp->curl, CURLOPT_URL, url ? url : d->cfg.url);
	hp->retry_after_ms = -1;
	*status = 0;
	curl_easy_setopt(hp->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(hp->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	d->requests++;
	CURLcode rc = curl_easy_perform(hp->curl);
	if (rc != CURLE_OK) {
		/* curl_easy_strerror names the failure without echoing the URL or credentials. */
		snprintf(why, whylen, "%s", curl_easy_strerror(rc));
		if (rc == CURLE_OPERATION_TIMEDOUT)
			snprintf(why, whylen, "timed out (timeout %ld ms)", d->cfg.timeout_ms);
		switch (rc) {
		case CURLE_URL_MALFORMAT:
		case CURLE_UNSUPPORTED_PROTOCOL:
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CACERT_BADFILE:
		case CURLE_SSL_CERTPROBLEM:
		case CURLE_LOGIN_DENIED:
			return HTTP_FATAL;
		default:
			return HTTP_RETRY;
		}
	}
	curl_easy_getinfo(hp->curl, CURLINFO_RESPONSE_CODE, status);
	if (*status >= 200 && *status < 300)
		return HTTP_OK;
	char ex[EXCERPT + 1];
	body_excerpt(d, ex, sizeof(ex));
	snprintf(why, whylen, "HTTP %ld%s%s", *status, ex[0] ? ": " : "", ex);
	if (*status == 429 || *status == 408 || *status >= 500)
		return HTTP_RETRY;
	return HTTP_FINAL;
}

/* Exponential backoff with equal jitter: half the step fixed, half random. */
static long backoff_ms(struct dest *d, int attempt)
{
	struct http_priv *hp = d->priv;
	long step = d->cfg.backoff_ms;
	for (int i = 0; i < attempt && step < d->cfg.backoff_max_ms; i++)
		step *= 2;
	if (step > d->cfg.backoff_max_ms)
		step = d->cfg.backoff_max_ms;
	long half = step / 2;
	return half + (half > 0 ? (long)(rand_r(&hp->seed) % (unsigned)(half + 1)) : 0);
}

static enum http_class request(struct dest *d, const char *url, const char *body, size_t len,
			       long *status, char *why, size_t whylen)
{
	struct http_priv *hp = d->priv;
	for (int attempt = 0;; attempt++) {
		enum http_class cls = perform(d, url, body, len, status, why, whylen);
		if (cls != HTTP_RETRY || attempt >= d->cfg.max_retries)
			return cls;
		long wait = backoff_ms(d, attempt);
		if (hp->retry_after_ms >= 0)
			wait = hp->retry_after_ms < d->cfg.retry_after_max_ms ? hp->retry_after_ms
									     : d->cfg.retry_after_max_ms;
		sleep_ms(wait);
	}
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
	enum http_class cls = request(d, url, body, len, &status, why, sizeof(why));
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

/* Send evs (pointers into the page) as one batch; split it in halves when it
 * is refused as a whole, to isolate the events at fault.  0, or -1 when the
 * destination is unreachable (those events are left for a retry). */
static int send_batch(struct dest *d, const char *url, dest_http_body_fn body,
		      struct dest_event **evs, size_t n)
{
	struct http_priv *hp = d->priv;
	sb_reset(&hp->req);
	body(evs, n, &hp->req);
	long status;
	char why[200];
	enum http_class cls = request(d, url, hp->req.buf, hp->req.len, &status, why, sizeof(why));
	if (cls == HTTP_OK) {
		for (size_t i = 0; i < n; i++)
			evs[i]->outcome = DEST_DELIVERED;
		return 0;
	}
	if (cls == HTTP_FINAL && n > 1 && (status == 400 || status == 413)) {
		size_t half = n / 2;
		if (send_batch(d, url, body, evs, half) < 0) {
			for (size_t i = half; i < n; i++)
				dest_event_set(evs[i], DEST_RETRY, "not sent: destination unavailable");
			return -1;
		}
		return send_batch(d, url, body, evs + half, n - half);
	}
	for (size_t i = 0; i < n; i++)
		dest_event_set(evs[i], cls == HTTP_FINAL ? DEST_REJECTED : DEST_RETRY, "%s", why);
	return cls == HTTP_FINAL ? 0 : -1;
}

int dest_http_send_batches(struct dest *d, const char *url, dest_http_body_fn body, size_t overhead,
			   struct dest_event *evs, size_t n)
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
			if (send_batch(d, url, body, batch, nb) < 0) {
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

/* {"batch":[event,...]} */
static void segment_body(struct dest_event *const *evs, size_t n, struct strbuf *body)
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
	return dest_http_send_batches(d, NULL, segment_body, sizeof("{\"batch\":[]}") - 1, evs, n);
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
	.type = "webhook", .open = webhook_open, .send = webhook_send, .close = dest_http_close,
	.page_events = 100, .page_bytes = 4 << 20,
};

const struct dest_ops dest_segment_ops = {
	.type = "segment", .open = segment_open, .send = segment_send, .close = dest_http_close,
};
