/*
 * derived_secrets.h — the credentials lac derives at run time (a signed JWT,
 * an access token from a token endpoint, a private key's PEM text, its
 * passphrase), kept for this process so that every HTTP client redacts
 * them like the ${VAR} values of lac.yaml (http_redact consults this list).
 * Single-threaded, like the rest of lac.
 */
#ifndef LAC_NET_DERIVED_SECRETS_H
#define LAC_NET_DERIVED_SECRETS_H

#include <stddef.h>

#include "base/util.h"

/* Remember v (a copy; values shorter than HTTP_SECRET_MIN bytes and
 * repeats are skipped). */
void derived_secret_add(const char *v);
/* Forget v and wipe its copy: a token replaced by its renewal, so that a
 * daemon renewing every hour does not grow the list forever. */
void derived_secret_forget(const char *v);
/* The values remembered, in the order added. */
const char *const *derived_secrets(size_t *n);
/* Replace every remembered value in sb by "[redacted]" (for a message that
 * does not go through an HTTP client's reason). */
void derived_secrets_redact(struct strbuf *sb);

#endif
