/*
 * access_token.c — a renewable bearer credential (access_token.h).
 */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "net/access_token.h"
#include "net/derived_secrets.h"

bool access_token_fresh(const struct access_token *t, time_t now)
{
	return t->value && now < t->renew_at;
}

void access_token_release(struct access_token *t)
{
	if (t->value) {
		derived_secret_forget(t->value);
		memset(t->value, 0, strlen(t->value));
		free(t->value);
	}
	t->value = NULL;
	t->expires_at = t->renew_at = 0;
}

void access_token_set(struct access_token *t, const char *value, time_t now, long lifetime)
{
	access_token_release(t);
	if (lifetime < 0)
		lifetime = 0;
	/* an issuer's expires_in is untrusted: past ten years it is a year 2038+
	 * overflow of now + lifetime, not a longer token */
	if (lifetime > ACCESS_TOKEN_LIFETIME_MAX)
		lifetime = ACCESS_TOKEN_LIFETIME_MAX;
	long margin = lifetime / 4 < ACCESS_TOKEN_RENEW_MARGIN ? lifetime / 4 : ACCESS_TOKEN_RENEW_MARGIN;
	t->value = xstrdup(value);
	t->expires_at = now + lifetime;
	t->renew_at = now + lifetime - margin;
	derived_secret_add(value);
}
