/*
 * databricks_m2m.c — Databricks OAuth M2M tokens (databricks_m2m.h).
 */
#include <stdlib.h>
#include <string.h>

#include "net/access_token.h"
#include "net/databricks_m2m.h"
#include "net/derived_secrets.h"
#include "net/token_endpoint.h"

struct databricks_m2m {
	char *url, *client_id, *client_secret;
	struct access_token token;
};

struct databricks_m2m *databricks_m2m_new(const char *endpoint, const char *client_id,
					  const char *client_secret)
{
	struct databricks_m2m *m = xcalloc(1, sizeof(*m));
	size_t n = strlen(endpoint);
	while (n > 0 && endpoint[n - 1] == '/')
		n--;
	m->url = xasprintf("%.*s%s", (int)n, endpoint, DATABRICKS_TOKEN_PATH);
	m->client_id = xstrdup(client_id);
	m->client_secret = xstrdup(client_secret);
	derived_secret_add(client_secret);
	return m;
}

void databricks_m2m_free(struct databricks_m2m *m)
{
	if (!m)
		return;
	access_token_release(&m->token);
	memset(m->client_secret, 0, strlen(m->client_secret));
	free(m->client_secret);
	free(m->client_id);
	free(m->url);
	free(m);
}

const char *databricks_m2m_token_url(const struct databricks_m2m *m)
{
	return m->url;
}

const char *databricks_m2m_token(struct databricks_m2m *m,
				 const struct http_client_config *transport, time_t now,
				 struct strbuf *err)
{
	if (access_token_fresh(&m->token, now))
		return m->token.value;
	struct http_client_config cfg = *transport;
	cfg.basic_user = m->client_id;
	cfg.basic_pass = m->client_secret;
	struct strbuf form = STRBUF_INIT;
	form_add(&form, "grant_type", "client_credentials");
	form_add(&form, "scope", DATABRICKS_SCOPE);
	int rc = token_endpoint_fetch(&cfg, m->url, form.buf, now, &m->token, err);
	sb_release(&form);
	return rc == 0 ? m->token.value : NULL;
}
