/*
 * http_retry.h — when an HTTP request is tried again, and after how long:
 * what counts as transient (statuses and libcurl errors), exponential
 * backoff with jitter, and Retry-After (RFC 9110 §10.2.3) honoured up to a
 * cap.  Pure functions (but for a test-only cap read from the environment),
 * so they are tested without a server.
 */
#ifndef LAC_NET_HTTP_RETRY_H
#define LAC_NET_HTTP_RETRY_H

#include <stdbool.h>
#include <time.h>

/* What a request came to. */
enum http_class {
	HTTP_OK,                   /* 2xx */
	HTTP_RETRY,                /* transient (5xx, 429, 408, timeouts, connection errors) */
	HTTP_FINAL,                /* the server refused the request (other 4xx, 1xx, 3xx) */
	HTTP_FATAL,                /* cannot work at all (bad URL, TLS verification, login) */
};

struct http_retry_policy {
	int max_retries;           /* retries after the first try */
	long backoff_ms;           /* the first step; doubles every retry */
	long backoff_max_ms;       /* the largest step */
	long retry_after_max_ms;   /* cap on a server's Retry-After */
};

/* The class of a response status. */
enum http_class http_class_of_status(long status);
/* The class of a failed transfer, by its CURLcode (an int here, so that
 * callers need not include curl.h). */
enum http_class http_class_of_curl_error(int curl_code);

/* The wait before retry number attempt+1 (attempt counts from 0), equal
 * jitter: step = backoff_ms * 2^attempt capped at backoff_max_ms; the wait is
 * step/2 plus a random part of at most step/2 (from *seed, rand_r).  In
 * tests, LAC_TEST_BACKOFF_MAX_MS caps the step (http_retry.c). */
long http_backoff_ms(const struct http_retry_policy *p, int attempt, unsigned *seed);

/* The wait before the next try: the server's Retry-After (retry_after_ms,
 * -1 when it sent none) capped at retry_after_max_ms, else the backoff. */
long http_retry_wait_ms(const struct http_retry_policy *p, int attempt, long retry_after_ms,
			unsigned *seed);

/* A Retry-After value, delay-seconds ("120") or an HTTP date ("Wed, 21 Oct
 * 2015 07:28:00 GMT", read against now), as milliseconds from now: 0 for a
 * date in the past, at most one day.  -1 when it is neither form. */
long http_parse_retry_after(const char *value, time_t now);

#endif
