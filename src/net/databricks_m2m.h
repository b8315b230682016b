/*
 * databricks_m2m.h — Databricks OAuth machine-to-machine authentication
 * (a service principal's client_id and client_secret): POST
 * <endpoint>/oidc/v1/token with HTTP basic client_id:client_secret and
 * grant_type=client_credentials&scope=all-apis; the access token answered
 * (one hour) is kept and a new one minted before it expires (there is no
 * refresh token).  A personal access token (token:) is used as is and
 * needs none of this.
 */
#ifndef LAC_NET_DATABRICKS_M2M_H
#define LAC_NET_DATABRICKS_M2M_H

#include <time.h>

#include "base/util.h"
#include "net/http.h"

#define DATABRICKS_TOKEN_PATH "/oidc/v1/token"
#define DATABRICKS_SCOPE "all-apis"

struct databricks_m2m;

/* For the workspace at endpoint (its base URL; a trailing '/' is dropped).
 * The strings are copied. */
struct databricks_m2m *databricks_m2m_new(const char *endpoint, const char *client_id,
					  const char *client_secret);
void databricks_m2m_free(struct databricks_m2m *m);
const char *databricks_m2m_token_url(const struct databricks_m2m *m);
/* An access token valid at now: the one held while fresh, else a new one
 * through a client made from transport.  NULL with the reason in err. */
const char *databricks_m2m_token(struct databricks_m2m *m,
				 const struct http_client_config *transport, time_t now,
				 struct strbuf *err);

#endif
