/*
 * http.c — the HTTP client over libcurl (http.h): one easy handle per
 * client, TLS verified, no redirects, http and https only; transient
 * failures retried with backoff and Retry-After; every reason redacted.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/progress.h"
#include "base/time.h"
#include "base/verbose.h"
#include "net/http.h"

#define BODY_MAX_DEFAULT 4096  /* response bytes kept for reasons */
#define HEADERS_MAX 16384      /* response header bytes kept */
#define EXCERPT 160            /* response bytes quoted in a reason */

struct http_client {
	CURL *curl;
	struct curl_slist *headers;
	struct http_client_config cfg;
	struct http_secrets secrets;
	char *last_url;            /* the URL whose secrets were added last */
	struct http_response *resp; /* the response being received */
	char errbuf[CURL_ERROR_SIZE];
	unsigned seed;
};

/* ---- curl callbacks ---------------------------------------------------------------- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct http_client *c = ud;
	struct http_response *r = c->resp;
	size_t len = size * n;
	size_t room = c->cfg.body_max - r->body.len;
	if (len > room)
		r->body_cut = true;
	sb_addmem(&r->body, p, len < room ? len : room);
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct http_client *c = ud;
	struct http_response *r = c->resp;
	size_t len = size * n;
	/* a status line starts a new response (after a 100 Continue, a proxy's) */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		sb_reset(&r->headers);
	if (r->headers.len + len <= HEADERS_MAX)
		sb_addmem(&r->headers, p, len);
	return len;
}

/* ---- responses ------------------------------------------------------------------------- */

void http_response_init(struct http_response *r)
{
	memset(r, 0, sizeof(*r));
	sb_init(&r->headers);
	sb_init(&r->body);
	r->retry_after_ms = -1;
}

void http_response_release(struct http_response *r)
{
	sb_release(&r->headers);
	sb_release(&r->body);
}

char *http_response_header(const struct http_response *r, const char *name)
{
	size_t nlen = strlen(name);
	char *found = NULL;
	for (const char *line = r->headers.buf; *line;) {
		size_t len = strcspn(line, "\r\n");
		if (len > nlen && line[nlen] == ':' && strncasecmp(line, name, nlen) == 0) {
			const char *v = line + nlen + 1, *end = line + len;
			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			free(found);
			found = xstrndup(v, (size_t)(end - v));
		}
		line += len;
		line += strspn(line, "\r\n");
	}
	return found;
}

/* ---- open / close ------------------------------------------------------------------------ */

static struct curl_slist *add_header(struct curl_slist *list, const struct http_header *h)
{
	char *line = xasprintf("%s: %s", h->name, h->value);
	list = curl_slist_append(list, line);
	memset(line, 0, strlen(line));
	free(line);
	return list;
}

int http_client_open(const struct http_client_config *cfg, struct http_client **out,
		     struct strbuf *err)
{
	static bool curl_ready;
	*out = NULL;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			sb_addstr(err, "cannot initialise libcurl");
			return -1;
		}
		curl_ready = true;
	}
	CURL *h = curl_easy_init();
	if (!h) {
		sb_addstr(err, "cannot create an HTTP handle");
		return -1;
	}
	struct http_client *c = xcalloc(1, sizeof(*c));
	c->curl = h;
	c->cfg = *cfg;
	if (!c->cfg.body_max)
		c->cfg.body_max = BODY_MAX_DEFAULT;
	c->secrets.more = cfg->more_secrets;
	c->seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
	for (size_t i = 0; i < cfg->nsecrets; i++)
		http_secrets_add(&c->secrets, cfg->secrets[i], HTTP_SECRET_MIN);

	c->headers = curl_slist_append(c->headers, "Expect:"); /* no 100-continue round trip */
	for (size_t i = 0; i < cfg->nheaders; i++) {
		c->headers = add_header(c->headers, &cfg->headers[i]);
		http_secrets_add_header_value(&c->secrets, cfg->headers[i].value);
	}
	if (cfg->auth_header) {
		c->headers = curl_slist_append(c->headers, cfg->auth_header);
		const char *v = strchr(cfg->auth_header, ':');
		http_secrets_add_header_value(&c->secrets, v ? v + 1 : cfg->auth_header);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, cfg->tls_no_verify ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, cfg->tls_no_verify ? 0L : 2L);
	if (cfg->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca_file);
	if (cfg->ca_path)
		curl_easy_setopt(h, CURLOPT_CAPATH, cfg->ca_path);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(h, CURLOPT_USERAGENT, "lac/" PACKAGE_VERSION);
	if (cfg->decompress)
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding curl decodes */
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
	/* curl's detailed message may quote the URL or host: redacted like any reason */
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	if (cfg->basic_user) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, cfg->basic_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->basic_pass ? cfg->basic_pass : "");
		http_secrets_add_basic(&c->secrets, cfg->basic_user, cfg->basic_pass);
	}
	*out = c;
	return 0;
}

void http_client_close(struct http_client *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	http_secrets_release(&c->secrets);
	free(c->last_url);
	free(c);
}

void http_client_reason(const struct http_client *c, const char *text, char *why, size_t whylen)
{
	http_reason(&c->secrets, text, why, whylen);
}

/* The credentials of a URL about to be sent (once for a URL sent again). */
static void add_url_secrets(struct http_client *c, const char *url)
{
	if (c->last_url && strcmp(c->last_url, url) == 0)
		return;
	http_secrets_add_url(&c->secrets, url);
	free(c->last_url);
	c->last_url = xstrdup(url);
}

/* ---- one request, with retries ------------------------------------------------------------ */

static void set_method(CURL *h, const struct http_request *req)
{
	const char *m = req->method ? req->method : "POST";
	if (strcmp(m, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, (char *)NULL);
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		return;
	}
	/* POST with the body; another method is POST renamed, so it sends it too */
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? req->len : 0));
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(m, "POST") == 0 ? NULL : m);
}

static void reason(const struct http_client *c, char *why, size_t whylen, const char *fmt, ...)
	LAC_PRINTF(4, 5);
static void reason(const struct http_client *c, char *why, size_t whylen, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	http_reason(&c->secrets, sb.buf, why, whylen);
	memset(sb.buf, 0, sb.len);
	sb_release(&sb);
}

static enum http_class perform(struct http_client *c, struct http_response *resp, char *why,
			       size_t whylen)
{
	sb_reset(&resp->body);
	sb_reset(&resp->headers);
	resp->body_cut = false;
	resp->status = 0;
	resp->retry_after_ms = -1;
	resp->attempts++;
	c->errbuf[0] = '\0';
	c->resp = resp;
	CURLcode rc = curl_easy_perform(c->curl);
	c->resp = NULL;
	if (rc != CURLE_OK) {
		/* curl's detail may quote the URL or host: reason() redacts it */
		if (rc == CURLE_OPERATION_TIMEDOUT)
			reason(c, why, whylen, "timed out (timeout %ld ms)", c->cfg.timeout_ms);
		else
			reason(c, why, whylen, "%s", c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
		return http_class_of_curl_error((int)rc);
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	char *ra = http_response_header(resp, "Retry-After");
	resp->retry_after_ms = http_parse_retry_after(ra, time(NULL));
	free(ra);
	enum http_class cls = http_class_of_status(resp->status);
	if (cls == HTTP_OK)
		return cls;
	struct strbuf ex = STRBUF_INIT;
	http_excerpt(&c->secrets, resp->body.buf, resp->body.len, resp->body_cut, EXCERPT, &ex);
	reason(c, why, whylen, "HTTP %ld%s%s", resp->status, ex.len ? ": " : "", ex.buf);
	sb_release(&ex);
	return cls;
}

enum http_class http_client_send(struct http_client *c, const struct http_request *req,
				 struct http_response *resp, char *why, size_t whylen)
{
	if (whylen)
		why[0] = '\0';
	resp->attempts = 0;
	add_url_secrets(c, req->url);
	curl_easy_setopt(c->curl, CURLOPT_URL, req->url);
	set_method(c->curl, req);
	struct curl_slist *own = NULL;
	if (req->nheaders) {
		/* this request's headers after the client's, for this request only */
		for (const struct curl_slist *l = c->headers; l; l = l->next)
			own = curl_slist_append(own, l->data);
		for (size_t i = 0; i < req->nheaders; i++) {
			own = add_header(own, &req->headers[i]);
			http_secrets_add_header_value(&c->secrets, req->headers[i].value);
		}
		curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, own);
	}
	enum http_class cls;
	const char *method = req->method ? req->method : "POST";
	for (int attempt = 0;; attempt++) {
		int64_t t0 = time_mono_ms();
		cls = perform(c, resp, why, whylen);
		/* no URL: its path or query may be a secret (a webhook's token);
		 * why is redacted */
		verbose_log("http: %s attempt %d: %s (%lld ms)", method, attempt + 1,
			    cls == HTTP_OK ? "OK" : whylen && why[0] ? why : "failed",
			    (long long)(time_mono_ms() - t0));
		if (cls != HTTP_RETRY || attempt >= c->cfg.retry.max_retries)
			break;
		long wait = http_retry_wait_ms(&c->cfg.retry, attempt, resp->retry_after_ms, &c->seed);
		verbose_log("http: %s retry %d of %d in %ld ms", method, attempt + 1,
			    c->cfg.retry.max_retries, wait);
		struct progress pg;
		char *step = xasprintf("retry %d of %d after: %s", attempt + 1, c->cfg.retry.max_retries,
				       whylen && why[0] ? why : "a transient error");
		progress_begin(&pg, step, NULL);
		free(step);
		progress_show(&pg);
		time_sleep_ms(wait);
		progress_end(&pg);
	}
	if (own) {
		curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
		curl_slist_free_all(own);
	}
	return cls;
}
