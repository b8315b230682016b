/* test_http.c — the HTTP client's parts that need no server: the retry
 * decision, backoff bounds, Retry-After in both forms, response headers,
 * and the redaction of URLs, headers, reasons and response excerpts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "net/http.h"

static void test_status_classes(void **state)
{
	assert_int_equal(http_class_of_status(200), HTTP_OK);
	assert_int_equal(http_class_of_status(204), HTTP_OK);
	assert_int_equal(http_class_of_status(429), HTTP_RETRY);
	assert_int_equal(http_class_of_status(408), HTTP_RETRY);
	assert_int_equal(http_class_of_status(500), HTTP_RETRY);
	assert_int_equal(http_class_of_status(503), HTTP_RETRY);
	assert_int_equal(http_class_of_status(400), HTTP_FINAL);
	assert_int_equal(http_class_of_status(401), HTTP_FINAL);
	assert_int_equal(http_class_of_status(413), HTTP_FINAL);
	assert_int_equal(http_class_of_status(301), HTTP_FINAL); /* redirects are not followed */
}

static void test_curl_error_classes(void **state)
{
	assert_int_equal(http_class_of_curl_error(CURLE_OPERATION_TIMEDOUT), HTTP_RETRY);
	assert_int_equal(http_class_of_curl_error(CURLE_COULDNT_CONNECT), HTTP_RETRY);
	assert_int_equal(http_class_of_curl_error(CURLE_COULDNT_RESOLVE_HOST), HTTP_RETRY);
	assert_int_equal(http_class_of_curl_error(CURLE_RECV_ERROR), HTTP_RETRY);
	assert_int_equal(http_class_of_curl_error(CURLE_URL_MALFORMAT), HTTP_FATAL);
	assert_int_equal(http_class_of_curl_error(CURLE_UNSUPPORTED_PROTOCOL), HTTP_FATAL);
	assert_int_equal(http_class_of_curl_error(CURLE_PEER_FAILED_VERIFICATION), HTTP_FATAL);
	assert_int_equal(http_class_of_curl_error(CURLE_LOGIN_DENIED), HTTP_FATAL);
}

/* Equal jitter: the wait is within [step/2, step], step doubling up to the cap. */
static void test_backoff_bounds(void **state)
{
	struct http_retry_policy p = { 5, 100, 1000, 60000 };
	unsigned seed = 42;
	long lo[] = { 50, 100, 200, 400, 500, 500 }, hi[] = { 100, 200, 400, 800, 1000, 1000 };
	for (int attempt = 0; attempt < 6; attempt++) {
		long min = 1L << 30, max = -1;
		for (int i = 0; i < 2000; i++) {
			long w = http_backoff_ms(&p, attempt, &seed);
			assert_true(w >= lo[attempt] && w <= hi[attempt]);
			min = w < min ? w : min;
			max = w > max ? w : max;
		}
		/* the jitter spreads over the range */
		assert_true(max - min > (hi[attempt] - lo[attempt]) / 2);
	}
	/* a huge attempt number neither overflows nor passes the cap */
	for (int i = 0; i < 100; i++) {
		long w = http_backoff_ms(&p, 1000, &seed);
		assert_true(w >= 500 && w <= 1000);
	}
	struct http_retry_policy none = { 5, 0, 1000, 60000 };
	assert_int_equal(http_backoff_ms(&none, 3, &seed), 0);
}

/* LAC_TEST_BACKOFF_MAX_MS caps the step for the tests that wait out retries;
 * unset, or not a whole number, it changes nothing. */
static void test_backoff_test_cap(void **state)
{
	(void)state;
	struct http_retry_policy p = { 4, 1000, 32000, 60000 };
	unsigned seed = 3;
	setenv("LAC_TEST_BACKOFF_MAX_MS", "20", 1);
	for (int attempt = 0; attempt < 5; attempt++) {
		long w = http_backoff_ms(&p, attempt, &seed);
		assert_true(w >= 10 && w <= 20);
	}
	assert_int_equal(http_retry_wait_ms(&p, 0, 3000, &seed), 3000); /* Retry-After as sent */
	setenv("LAC_TEST_BACKOFF_MAX_MS", "20ms", 1);
	assert_true(http_backoff_ms(&p, 3, &seed) >= 4000);
	unsetenv("LAC_TEST_BACKOFF_MAX_MS");
	assert_true(http_backoff_ms(&p, 3, &seed) >= 4000);
}

static void test_retry_after_is_capped_and_wins(void **state)
{
	struct http_retry_policy p = { 5, 100, 1000, 1500 };
	unsigned seed = 7;
	assert_int_equal(http_retry_wait_ms(&p, 0, 500, &seed), 500);
	assert_int_equal(http_retry_wait_ms(&p, 0, 0, &seed), 0);
	assert_int_equal(http_retry_wait_ms(&p, 0, 2000, &seed), 1500);
	long w = http_retry_wait_ms(&p, 2, -1, &seed);
	assert_true(w >= 200 && w <= 400);
}

static void test_retry_after_forms(void **state)
{
	time_t now = 1445412450; /* Wed, 21 Oct 2015 07:27:30 GMT */
	assert_int_equal(http_parse_retry_after("120", now), 120000);
	assert_int_equal(http_parse_retry_after("0", now), 0);
	assert_int_equal(http_parse_retry_after("9999999", now), 86400000L);
	assert_int_equal(http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), 30000);
	assert_int_equal(http_parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), 0);
	assert_int_equal(http_parse_retry_after("Sat, 21 Oct 2017 07:28:00 GMT", now), 86400000L);
	assert_int_equal(http_parse_retry_after("soon", now), -1);
	assert_int_equal(http_parse_retry_after("", now), -1);
	assert_int_equal(http_parse_retry_after(NULL, now), -1);
}

static void test_response_header_lookup(void **state)
{
	struct http_response r;
	http_response_init(&r);
	assert_int_equal(r.retry_after_ms, -1);
	sb_addstr(&r.headers, "HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain\r\n"
		  "Retry-After:  7 \r\nretry-after:\t9\r\nX-Retry-After-Not: 1\r\n\r\n");
	char *v = http_response_header(&r, "Retry-After");
	assert_string_equal(v, "9");
	free(v);
	v = http_response_header(&r, "content-type");
	assert_string_equal(v, "text/plain");
	free(v);
	assert_null(http_response_header(&r, "Location"));
	http_response_release(&r);
}

static void assert_redacted(const struct http_secrets *s, const char *text, const char *gone,
			    const char *kept)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, text);
	http_redact(s, &sb, false);
	if (gone)
		assert_null(strstr(sb.buf, gone));
	if (kept)
		assert_non_null(strstr(sb.buf, kept));
	sb_release(&sb);
}

static void test_url_secrets(void **state)
{
	struct http_secrets s = { 0 };
	http_secrets_add_url(&s, "https://alice:p%40ss@api.example.com/v1?api_key=abc&format=json"
				 "&cursor=0123456789abcdef#frag");
	assert_redacted(&s, "user alice rejected", "alice", "[redacted]");
	assert_redacted(&s, "password p@ss", "p@ss", NULL);
	assert_redacted(&s, "password p%40ss", "p%40ss", NULL);
	/* a named secret parameter, however short; a long value of any parameter */
	assert_redacted(&s, "key abc is revoked", "abc", NULL);
	assert_redacted(&s, "cursor 0123456789abcdef", "0123456789abcdef", NULL);
	/* a short value of another parameter is no secret */
	assert_redacted(&s, "format json", NULL, "json");
	/* what basic auth sends: base64("alice:p@ss") */
	assert_redacted(&s, "Authorization: Basic YWxpY2U6cEBzcw==", "YWxpY2U6cEBzcw==", NULL);
	/* the APIs' per-request ids and page tokens are no secrets, and are not kept */
	size_t before = s.n;
	http_secrets_add_url(&s, "https://x.example.com/api/v2/statements?requestId="
				 "0f9c2d4e-1111-4222-8333-944455556666&async=true&retry=true");
	http_secrets_add_url(&s, "https://x.example.com/bigquery/v2/projects/p/queries/j?"
				 "pageToken=BFKQWZ3GNWDX2AAAAAAAAAAAAAAAAAAAAA&location=US&timeoutMs=10000");
	assert_int_equal(s.n, before);
	assert_redacted(&s, "page BFKQWZ3GNWDX2AAAAAAAAAAAAAAAAAAAAA", NULL, "BFKQWZ3GNWDX2");
	http_secrets_release(&s);
	assert_int_equal(s.n, 0);
}

static void test_header_secrets(void **state)
{
	struct http_secrets s = { 0 };
	http_secrets_add_header_value(&s, "Bearer tok_abcdefgh12345");
	assert_redacted(&s, "invalid token tok_abcdefgh12345", "tok_abcdefgh", NULL);
	assert_redacted(&s, "use a Bearer token", NULL, "Bearer");
	http_secrets_add(&s, "ab", HTTP_SECRET_MIN); /* too short to redact */
	assert_redacted(&s, "ab cd", NULL, "ab cd");
	http_secrets_release(&s);
}

static const char *const *other_secrets(size_t *n)
{
	static const char *const list[] = { "from-the-project" };
	*n = 1;
	return list;
}

/* The excerpt is redacted before it is cut: a secret across the cut shows no part. */
static void test_excerpt_redacts_before_cutting(void **state)
{
	struct http_secrets s = { 0 };
	http_secrets_add(&s, "supersecret123", HTTP_SECRET_MIN);
	s.more = other_secrets;
	struct strbuf body = STRBUF_INIT, out = STRBUF_INIT;
	for (int i = 0; i < 150; i++)
		sb_addch(&body, 'a');
	sb_addstr(&body, "supersecret123 and from-the-project");
	http_excerpt(&s, body.buf, body.len, false, 160, &out);
	assert_true(out.len <= 160);
	assert_null(strstr(out.buf, "supers"));
	assert_non_null(strstr(out.buf, "[redac"));
	sb_reset(&out);
	http_excerpt(&s, body.buf, body.len, false, 1000, &out);
	assert_null(strstr(out.buf, "from-the-project"));
	/* a body kept short that ends in the start of a secret */
	sb_reset(&out);
	http_excerpt(&s, "error: super", 12, true, 160, &out);
	assert_null(strstr(out.buf, "super"));
	sb_release(&body);
	sb_release(&out);
	http_secrets_release(&s);
}

static void test_reason_is_one_redacted_line(void **state)
{
	struct http_secrets s = { 0 };
	http_secrets_add(&s, "k3y-value", HTTP_SECRET_MIN);
	char why[40];
	http_reason(&s, "HTTP 401: bad\nkey\tk3y-value \x01 and a long tail after it", why, sizeof(why));
	assert_null(strstr(why, "k3y"));
	assert_null(strchr(why, '\n'));
	assert_null(strchr(why, '\t'));
	assert_null(strchr(why, '\x01'));
	assert_true(strlen(why) < sizeof(why));
	assert_true(str_starts(why, "HTTP 401: bad key [redacted] ?"));
	/* a cut never splits a UTF-8 character */
	char small[6];
	http_reason(&s, "abcd\xc3\xa9", small, sizeof(small));
	assert_string_equal(small, "abcd");
	http_secrets_release(&s);
}

/* a server's own words (a per-event error in a 2xx body) lose every secret
 * the client sends: its auth header's token and basic auth's password */
static void test_client_reason_redacts_its_secrets(void **state)
{
	struct http_client_config cfg = {
		.connect_timeout_ms = 1000, .timeout_ms = 1000,
		.auth_header = "Authorization: Bearer tok_secret_123456",
		.basic_user = "site_1", .basic_pass = "pass_secret_789",
	};
	struct http_client *c;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(http_client_open(&cfg, &c, &err), 0);
	char why[64];
	http_client_reason(c, "bad entry: tok_secret_123456\nand pass_secret_789", why, sizeof(why));
	assert_null(strstr(why, "tok_secret"));
	assert_null(strstr(why, "pass_secret"));
	assert_null(strchr(why, '\n'));
	assert_true(str_starts(why, "bad entry: [redacted] and [redacted]"));
	http_client_close(c);
	sb_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_classes),
		cmocka_unit_test(test_curl_error_classes),
		cmocka_unit_test(test_backoff_bounds),
		cmocka_unit_test(test_backoff_test_cap),
		cmocka_unit_test(test_retry_after_is_capped_and_wins),
		cmocka_unit_test(test_retry_after_forms),
		cmocka_unit_test(test_response_header_lookup),
		cmocka_unit_test(test_url_secrets),
		cmocka_unit_test(test_header_secrets),
		cmocka_unit_test(test_excerpt_redacts_before_cutting),
		cmocka_unit_test(test_reason_is_one_redacted_line),
		cmocka_unit_test(test_client_reason_redacts_its_secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
