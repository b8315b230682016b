/*
 * http_redact.h — the secrets an HTTP client sends (header values, basic
 * auth, URL credentials and tokens) and their removal from every text that
 * may echo them: error messages, response excerpts.  A text is redacted
 * whole BEFORE it is cut to length, so no part of a secret that straddles
 * the cut can show.
 */
#ifndef LAC_NET_HTTP_REDACT_H
#define LAC_NET_HTTP_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

#define HTTP_SECRET_MIN 3 /* shorter values are not redacted (they would garble every text) */
#define HTTP_WORD_MIN 8   /* a word of a header value, a query value: redacted from this length */

struct http_secrets {
	char **list;               /* copies, wiped when released */
	size_t n, cap;
	/* More secrets known elsewhere (the ${VAR} values of the loaded
	 * projects: one in a URL's path is known only there), or NULL. */
	const char *const *(*more)(size_t *n);
};

void http_secrets_release(struct http_secrets *s);
/* A secret of at least min bytes (shorter ones are skipped). */
void http_secrets_add(struct http_secrets *s, const char *v, size_t min);
/* A header value whole, and each of its words that may be a token on its
 * own ("Bearer <token>": a server may quote just the token). */
void http_secrets_add_header_value(struct http_secrets *s, const char *v);
/* What HTTP basic auth sends: the user, the password, and the base64 of
 * "user:password" (servers echo headers). */
void http_secrets_add_basic(struct http_secrets *s, const char *user, const char *pass);
/* The secrets a URL carries, as written and %-decoded: the user and password
 * of its userinfo (and their basic-auth form), the value of a query
 * parameter whose name says it is secret (token, api_key, ...), and any
 * other query value long enough to be a key (short ones like "json" or "1"
 * are not, and redacting them would garble every text). */
void http_secrets_add_url(struct http_secrets *s, const char *url);

/* Replace every secret in sb by "[redacted]" (sb_redact): s's own, its
 * more callback's and the derived credentials (derived_secrets.h).  cut: sb holds
 * the start of a longer text that was cut short. */
void http_redact(const struct http_secrets *s, struct strbuf *sb, bool cut);
/* The first max bytes of a response body, redacted first (body_cut: the
 * body kept was itself cut short), then cut on a UTF-8 boundary: appended
 * to out. */
void http_excerpt(const struct http_secrets *s, const char *body, size_t len, bool body_cut,
		  size_t max, struct strbuf *out);
/* text as a reason of at most whylen bytes (NUL included) into why:
 * redacted whole, made one printable line of valid UTF-8, then cut. */
void http_reason(const struct http_secrets *s, const char *text, char *why, size_t whylen);

#endif
