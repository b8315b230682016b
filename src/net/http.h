/*
 * http.h — lac's HTTP client, over one libcurl easy handle (so connections
 * are reused): destinations use it now, warehouse REST connectors and
 * alerts later.  A client holds what every request shares (timeouts, TLS
 * settings, headers, auth, the retry policy, the secrets to redact); a
 * request names a method, URL, extra headers and a body; the response has
 * the status, the headers and the body up to a cap.  Transient failures are
 * retried (http_retry.h); every message the client writes is redacted
 * (http_redact.h).  No redirect is followed; only http and https are spoken.
 */
#ifndef LAC_NET_HTTP_H
#define LAC_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"
#include "net/http_redact.h"
#include "net/http_retry.h"

struct http_header {
	const char *name, *value;  /* value may be secret: redacted from messages */
};

struct http_client_config {
	long connect_timeout_ms;
	long timeout_ms;           /* the whole request */
	/* TLS: the peer and host name are verified unless tls_no_verify (for a
	 * test server only); ca_file / ca_path replace the system's CA store. */
	bool tls_no_verify;
	const char *ca_file, *ca_path;
	const struct http_header *headers; /* sent with every request */
	size_t nheaders;
	const char *auth_header;   /* "Name: value" sent with every request (secret), or NULL */
	const char *basic_user, *basic_pass; /* HTTP basic auth (secret), or NULL */
	const char *const *secrets; /* more values to redact (a key sent inside a header), */
	size_t nsecrets;           /* besides the headers, auth and URL credentials */
	size_t body_max;           /* response body bytes kept (0: 4096) */
	bool decompress;           /* ask for gzip/deflate and decode it (Snowflake's partitions) */
	struct http_retry_policy retry;
	/* secrets known elsewhere, for http_secrets.more (NULL: none) */
	const char *const *(*more_secrets)(size_t *n);
};

struct http_request {
	const char *method;        /* "GET", "POST", "PUT", "PATCH", "DELETE"; NULL: POST */
	const char *url;
	const struct http_header *headers; /* this request's own (after the client's) */
	size_t nheaders;
	const char *body;          /* NULL: none */
	size_t len;
};

struct http_response {
	long status;               /* 0: no response */
	struct strbuf headers;     /* the last response's header lines, as received (capped) */
	struct strbuf body;        /* at most body_max bytes of it */
	bool body_cut;             /* the body was longer */
	long retry_after_ms;       /* the server's Retry-After (http_parse_retry_after), or -1 */
	int attempts;              /* requests made for it (1 + retries) */
};

struct http_client;

/* A client for cfg (copied; the strings must outlive the client).
 * 0, or -1 with a message in err. */
int http_client_open(const struct http_client_config *cfg, struct http_client **out,
		     struct strbuf *err);
void http_client_close(struct http_client *c);

void http_response_init(struct http_response *r);
void http_response_release(struct http_response *r);
/* The value of the response header name (case-insensitive; the last one
 * wins), malloc'd without surrounding blanks, or NULL. */
char *http_response_header(const struct http_response *r, const char *name);

/* Send req, retrying transient failures by the client's policy (sleeping
 * between tries), and fill resp from the last try.  Unless HTTP_OK, why
 * (whylen bytes) gets a redacted one-line reason: "HTTP 503: <body
 * excerpt>", "timed out (timeout N ms)" or libcurl's message. */
enum http_class http_client_send(struct http_client *c, const struct http_request *req,
				 struct http_response *resp, char *why, size_t whylen);
/* text (a server's words, e.g. a per-event error from a 2xx body) as a reason
 * of at most whylen bytes: redacted of every secret the client sends, made
 * one printable line, cut (http_reason). */
void http_client_reason(const struct http_client *c, const char *text, char *why, size_t whylen);

#endif
