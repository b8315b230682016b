/*
 * access_token.h — a bearer credential lac renews itself (a Snowflake JWT,
 * an OAuth access token) and the moment to renew it: RENEW_MARGIN seconds
 * before it expires, or a quarter of its lifetime for a short-lived one, so
 * a request never leaves with a token about to lapse.  The value is a
 * derived secret (derived_secrets.h) while it is held.
 */
#ifndef LAC_NET_ACCESS_TOKEN_H
#define LAC_NET_ACCESS_TOKEN_H

#include <stdbool.h>
#include <time.h>

#define ACCESS_TOKEN_RENEW_MARGIN 300 /* seconds */
#define ACCESS_TOKEN_LIFETIME_MAX (10L * 366 * 86400) /* a longer lifetime is cut to it */

struct access_token {
	char *value;               /* NULL: none yet */
	time_t expires_at;         /* when the issuer stops accepting it */
	time_t renew_at;           /* when lac gets a new one */
};

/* Whether t holds a value that need not be renewed at now. */
bool access_token_fresh(const struct access_token *t, time_t now);
/* Hold value (copied), issued at now for lifetime seconds (0 to
 * ACCESS_TOKEN_LIFETIME_MAX: outside, cut to the nearer end); the value held
 * before is forgotten as a secret and wiped. */
void access_token_set(struct access_token *t, const char *value, time_t now, long lifetime);
void access_token_release(struct access_token *t);

#endif
