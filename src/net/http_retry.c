/*
 * http_retry.c — the retry decision, backoff with jitter and Retry-After
 * parsing of the HTTP client (http_retry.h).
 */
#include <stdlib.h>

#include <curl/curl.h>

#include "net/http_retry.h"

#define RETRY_AFTER_MAX_S 86400L /* a server's Retry-After is read up to one day */

enum http_class http_class_of_status(long status)
{
	if (status >= 200 && status < 300)
		return HTTP_OK;
	if (status == 429 || status == 408 || status >= 500)
		return HTTP_RETRY;
	return HTTP_FINAL;
}

enum http_class http_class_of_curl_error(int curl_code)
{
	switch ((CURLcode)curl_code) {
	case CURLE_OK:
		return HTTP_OK;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_LOGIN_DENIED:
		return HTTP_FATAL;
	default:
		/* timeouts, refused or reset connections, DNS: the next try may work */
		return HTTP_RETRY;
	}
}

/* Tests only: LAC_TEST_BACKOFF_MAX_MS=N caps every backoff step at N ms, so
 * a test that waits out a client's retries (a wrong host) need not wait the
 * vendor's seconds; the number of tries stays the same, and a server's
 * Retry-After is not affected.  Anything but a whole number is ignored. */
static long test_backoff_cap(long step)
{
	const char *v = getenv("LAC_TEST_BACKOFF_MAX_MS");
	if (!v || !*v)
		return step;
	char *end;
	long cap = strtol(v, &end, 10);
	return *end == '\0' && cap >= 0 && cap < step ? cap : step;
}

long http_backoff_ms(const struct http_retry_policy *p, int attempt, unsigned *seed)
{
	long step = p->backoff_ms;
	for (int i = 0; i < attempt && step < p->backoff_max_ms; i++)
		step *= 2;
	if (step > p->backoff_max_ms)
		step = p->backoff_max_ms;
	step = test_backoff_cap(step);
	long half = step / 2;
	return half + (half > 0 ? (long)(rand_r(seed) % (unsigned)(half + 1)) : 0);
}

long http_retry_wait_ms(const struct http_retry_policy *p, int attempt, long retry_after_ms,
			unsigned *seed)
{
	if (retry_after_ms >= 0)
		return retry_after_ms < p->retry_after_max_ms ? retry_after_ms : p->retry_after_max_ms;
	return http_backoff_ms(p, attempt, seed);
}

long http_parse_retry_after(const char *value, time_t now)
{
	if (!value || !*value)
		return -1;
	char *end;
	long secs = strtol(value, &end, 10);
	if (*end == '\0' && secs >= 0)
		return secs > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S * 1000L : secs * 1000L;
	time_t when = curl_getdate(value, NULL);
	if (when == (time_t)-1)
		return -1;
	long long d = (long long)when - (long long)now;
	return d <= 0 ? 0 : d > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S * 1000L : (long)d * 1000L;
}
