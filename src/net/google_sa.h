/*
 * google_sa.h — BigQuery's service-account authentication (SPEC §1.1
 * "Auth"): the key file Google issues (or its JSON text), a JWT bearer grant
 * (RFC 7523) POSTed to its token_uri — iss = client_email, scope
 * GOOGLE_SA_SCOPE, aud = token_uri, lifetime one hour — and the access token
 * it answers, kept and renewed before it expires.  A key of another "type"
 * (external_account, authorized_user, ...) is refused naming the type and
 * pointing to token:.
 */
#ifndef LAC_NET_GOOGLE_SA_H
#define LAC_NET_GOOGLE_SA_H

#include <time.h>

#include "base/util.h"
#include "net/http.h"

#define GOOGLE_SA_SCOPE "https://www.googleapis.com/auth/bigquery"
#define GOOGLE_SA_GRANT_TYPE "urn:ietf:params:oauth:grant-type:jwt-bearer"
#define GOOGLE_SA_JWT_LIFETIME 3600 /* Google's maximum */

struct google_sa;

/* The service account of credentials: JSON text when it starts with '{'
 * (after blanks), else the path of a key file.  0, or -1 with the reason in
 * err (never a part of the key). */
int google_sa_open(const char *credentials, struct google_sa **out, struct strbuf *err);
void google_sa_free(struct google_sa *sa);
const char *google_sa_email(const struct google_sa *sa);
const char *google_sa_token_uri(const struct google_sa *sa);
/* An access token valid at now: the one held while fresh, else a new one
 * from the token_uri through a client made from transport.  NULL with the
 * reason in err. */
const char *google_sa_token(struct google_sa *sa, const struct http_client_config *transport,
			    time_t now, struct strbuf *err);

#endif
