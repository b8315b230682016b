/*
 * dest_http.c — the HTTP destinations: `webhook` (one JSON event per POST)
 * and `segment` (the batch endpoint, {"batch":[...]}, basic auth with the
 * write key).  One curl easy handle per destination, so connections are
 * reused; TLS is always verified; transient failures (5xx, 429, 408,
 * timeouts, connection errors) are retried with exponential backoff and
 * jitter, honouring Retry-After; other 4xx are final for the events sent.
 * Nothing secret (keys, header values, URL credentials and tokens, ${VAR}
 * values) ever reaches a reason or log: every reason is redacted whole,
 * then cut to length.
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
#include <openssl/evp.h>

#include "deliver/dest_private.h"
#include "project/project.h"

#define BODY_KEEP 4096   /* response bytes kept for reasons */
#define EXCERPT 160      /* response bytes quoted in a reason */
#define SECRET_MIN 3     /* shorter configured values are not redacted (they would garble) */
#define WORD_MIN 8       /* a word of a header value, a query value: redacted from this length */

struct http_priv {
	CURL *curl;
	struct curl_slist *headers;
	struct strbuf resp;
	bool resp_cut;             /* the body was longer than BODY_KEEP */
	struct strbuf req;
	char **secrets;            /* every secret of this destination (copies) */
	size_t nsecrets, csecrets;
	char errbuf[CURL_ERROR_SIZE];
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
	size_t room = BODY_KEEP - hp->resp.len;
	if (len > room)
		hp->resp_cut = true;
	sb_addmem(&hp->resp, p, len < room ? len : room);
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

/* ---- secrets ---------------------------------------------------------------------------- */

static void add_secret_mem(struct http_priv *hp, const char *v, size_t n, size_t min)
{
	if (!v || n < min)
		return;
	for (size_t i = 0; i < hp->nsecrets; i++)
		if (strlen(hp->secrets[i]) == n && memcmp(hp->secrets[i], v, n) == 0)
			return;
	VEC_PUSH(hp->secrets, hp->nsecrets, hp->csecrets, xstrndup(v, n));
}

static void add_secret(struct http_priv *hp, const char *v, size_t min)
{
	if (v)
		add_secret_mem(hp, v, strlen(v), min);
}

/* v[0..n) %-decoded (and '+' as a space): malloc'd. */
static char *pct_decode(const char *v, size_t n)
{
	struct strbuf dec = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '%' && i + 2 < n && isxdigit((unsigned char)v[i + 1]) &&
		    isxdigit((unsigned char)v[i + 2])) {
			char hex[3] = { v[i + 1], v[i + 2], '\0' };
			sb_addch(&dec, (char)strtol(hex, NULL, 16));
			i += 2;
		} else {
			sb_addch(&dec, v[i] == '+' ? ' ' : v[i]);
		}
	}
	return sb_detach(&dec);
}

/* A value as written, and %-decoded (a server may echo either). */
static void add_url_part(struct http_priv *hp, const char *v, size_t n, size_t min)
{
	add_secret_mem(hp, v, n, min);
	char *dec = pct_decode(v, n);
	add_secret(hp, dec, min);
	free(dec);
}

static void add_basic_secret(struct http_priv *hp, const char *user, const char *pass);

/* The secrets a URL carries: the user and password of its userinfo, and the
 * query values long enough to be keys or tokens (short ones like "json" or
 * "1" are not, and redacting them would garble every reason). */
static void add_url_secrets(struct http_priv *hp, const char *url)
{
	const char *p = strstr(url, "://");
	if (!p)
		return;
	p += 3;
	size_t auth = strcspn(p, "/?#");
	const char *at = memrchr(p, '@', auth);
	if (at) {
		/* user[:password]@: curl sends them as basic auth */
		const char *colon = memchr(p, ':', (size_t)(at - p));
		const char *uend = colon ? colon : at;
		add_url_part(hp, p, (size_t)(uend - p), SECRET_MIN);
		if (colon)
			add_url_part(hp, colon + 1, (size_t)(at - colon - 1), SECRET_MIN);
		add_secret_mem(hp, p, (size_t)(at - p), SECRET_MIN);
		char *user = pct_decode(p, (size_t)(uend - p));
		char *pass = colon ? pct_decode(colon + 1, (size_t)(at - colon - 1)) : NULL;
		add_basic_secret(hp, user, pass);
		free(user);
		if (pass) {
			memset(pass, 0, strlen(pass));
			free(pass);
		}
	}
	const char *q = strchr(p, '?');
	while (q && *q && *q != '#') {
		q++;
		size_t n = strcspn(q, "&#");
		const char *eq = memchr(q, '=', n);
		if (eq)
			add_url_part(hp, eq + 1, n - (size_t)(eq + 1 - q), WORD_MIN);
		q += n;
		if (*q != '&')
			break;
	}
}

/* A header value whole, and each of its words that may be a token on its
 * own ("Bearer <token>": a server may quote just the token). */
static void add_header_secrets(struct http_priv *hp, const char *v)
{
	add_secret(hp, v, SECRET_MIN);
	for (const char *w = v; w && *w;) {
		w += strspn(w, " \t");
		size_t n = strcspn(w, " \t");
		add_secret_mem(hp, w, n, WORD_MIN);
		w += n;
	}
}

/* What basic auth sends: base64 of "user:password" (servers echo headers). */
static void add_basic_secret(struct http_priv *hp, const char *user, const char *pass)
{
	char *plain = xasprintf("%s:%s", user, pass ? pass : "");
	size_t n = strlen(plain);
	unsigned char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock(b64, (const unsigned char *)plain, (int)n);
	add_secret(hp, (const char *)b64, WORD_MIN);
	memset(plain, 0, n);
	free(plain);
	free(b64);
}

static void collect_secrets(struct http_priv *hp, const struct dest_config *c,
			    const struct http_auth *auth)
{
	add_secret(hp, c->write_key, SECRET_MIN);
	add_secret(hp, c->api_key, SECRET_MIN);
	add_secret(hp, c->site_id, SECRET_MIN);
	for (size_t i = 0; i < c->nheaders; i++)
		add_header_secrets(hp, c->headers[i].value);
	add_url_secrets(hp, c->url);
	if (auth && auth->basic_user) {
		add_secret(hp, auth->basic_user, SECRET_MIN);
		add_secret(hp, auth->basic_pass, SECRET_MIN);
		add_basic_secret(hp, auth->basic_user, auth->basic_pass);
	}
	if (auth && auth->header) {
		const char *v = strchr(auth->header, ':');
		add_header_secrets(hp, v ? v + 1 : auth->header);
	}
}

/* Cut sb to at most n bytes, on a UTF-8 character boundary. */
static void cut_utf8(struct strbuf *sb, size_t n)
{
	if (sb->len <= n)
		return;
	while (n > 0 && ((unsigned char)sb->buf[n] & 0xC0) == 0x80)
		n--;
	sb_setlen(sb, n);
}

/* Redact every secret of d from sb, the secrets of the project(s) loaded
 * included (the ${VAR} values: one in the URL's path is known only there).
 * cut: sb ends where a longer text was cut short. */
static void redact(const struct dest *d, struct strbuf *sb, bool cut)
{
	const struct http_priv *hp = d->priv;
	size_t nall;
	const char *const *all = project_all_secrets(&nall);
	size_t n = hp->nsecrets + nall;
	const char **list = xcalloc(n + 1, sizeof(*list));
	for (size_t i = 0; i < hp->nsecrets; i++)
		list[i] = hp->secrets[i];
	for (size_t i = 0; i < nall; i++)
		list[hp->nsecrets + i] = all[i];
	sb_redact(sb, list, n, SECRET_MIN, cut);
	free(list);
}

/* A reason, into why (whylen bytes): redacted whole first, then made one
 * printable line of valid UTF-8, then cut, so no part of a secret that
 * straddles the cut can show. */
static void set_reason(const struct dest *d, char *why, size_t whylen, const char *fmt, ...)
	LAC_PRINTF(4, 5);
static void set_reason(const struct dest *d, char *why, size_t whylen, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	redact(d, &sb, false);
	sb_add_utf8(&out, sb.buf, sb.len);
	for (size_t i = 0; i < out.len; i++) {
		unsigned char ch = (unsigned char)out.buf[i];
		if (ch == '\n' || ch == '\r' || ch == '\t')
			out.buf[i] = ' ';
		else if (ch < 32 || ch == 127)
			out.buf[i] = '?';
	}
	cut_utf8(&out, whylen ? whylen - 1 : 0);
	snprintf(why, whylen, "%s", out.buf);
	memset(sb.buf, 0, sb.len);
	sb_release(&sb);
	sb_release(&out);
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
	/* curl's detailed message may quote the URL or host: redacted like any reason */
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, hp->errbuf);
	if (auth && auth->basic_user) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, auth->basic_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, auth->basic_pass ? auth->basic_pass : "");
	}
	collect_secrets(hp, c, auth);
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
	for (size_t i = 0; i < hp->nsecrets; i++) {
		memset(hp->secrets[i], 0, strlen(hp->secrets[i]));
		free(hp->secrets[i]);
	}
	free(hp->secrets);
	free(hp);
}

/* ---- one request, with retries ------------------------------------------------------------ */

/* The first EXCERPT bytes of the response body, redacted first (the whole
 * body kept; a secret cut by BODY_KEEP included), then cut: a malloc'd string. */
static char *body_excerpt(const struct dest *d)
{
	const struct http_priv *hp = d->priv;
	struct strbuf sb = STRBUF_INIT;
	sb_addmem(&sb, hp->resp.buf, hp->resp.len);
	redact(d, &sb, hp->resp_cut);
	cut_utf8(&sb, EXCERPT);
	return sb_detach(&sb);
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
	hp->resp_cut = false;
	hp->errbuf[0] = '\0';
	curl_easy_setopt(hp->curl, CURLOPT_URL, url ? url : d->cfg.url);
	hp->retry_after_ms = -1;
	*status = 0;
	curl_easy_setopt(hp->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(hp->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	d->requests++;
	CURLcode rc = curl_easy_perform(hp->curl);
	if (rc != CURLE_OK) {
		/* curl's detail may quote the URL or host: set_reason redacts it */
		if (rc == CURLE_OPERATION_TIMEDOUT)
			set_reason(d, why, whylen, "timed out (timeout %ld ms)", d->cfg.timeout_ms);
		else
			set_reason(d, why, whylen, "%s", hp->errbuf[0] ? hp->errbuf : curl_easy_strerror(rc));
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
	char *ex = body_excerpt(d);
	set_reason(d, why, whylen, "HTTP %ld%s%s", *status, ex[0] ? ": " : "", ex);
	free(ex);
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

/* A page is an outbox chunk, sent as several batches: the outcomes of the
 * whole page are recorded in one state transaction (one fsync) instead of
 * one per batch, which halved delivery time.  A kill mid-page resends that
 * page's events (same messageIds). */
const struct dest_ops dest_segment_ops = {
	.type = "segment", .open = segment_open, .send = segment_send, .close = dest_http_close,
	.page_events = 20000, .page_bytes = 16 << 20,
};
