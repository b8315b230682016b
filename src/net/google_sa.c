/*
 * google_sa.c — service-account keys and the JWT bearer grant (google_sa.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/key_file.h"
#include "net/access_token.h"
#include "net/derived_secrets.h"
#include "net/google_sa.h"
#include "net/jwt.h"
#include "net/rsa_key.h"
#include "net/token_endpoint.h"

struct google_sa {
	struct rsa_key *key;
	char *email, *token_uri;
	struct access_token token;
};

/* The key's fields into sa, from the parsed JSON doc; where names the key
 * in messages ("the credentials file X", "the credentials"). */
static int read_key(struct google_sa *sa, json_t *doc, const char *where, struct strbuf *err)
{
	if (!json_is_object(doc)) {
		sb_addf(err, "%s: not a JSON object", where);
		return -1;
	}
	const char *type = json_string_value(json_object_get(doc, "type"));
	if (!type) {
		sb_addf(err, "%s: no \"type\" (a service-account key has \"type\": \"service_account\")",
			where);
		return -1;
	}
	if (strcmp(type, "service_account") != 0) {
		sb_addf(err, "%s: a key of type \"%s\" is not supported: lac signs in with a "
			     "\"service_account\" key; for other credentials give an access token with "
			     "token: \"${VAR}\"", where, type);
		return -1;
	}
	const char *email = json_string_value(json_object_get(doc, "client_email"));
	const char *pem = json_string_value(json_object_get(doc, "private_key"));
	const char *uri = json_string_value(json_object_get(doc, "token_uri"));
	const char *missing = !email ? "client_email" : !pem ? "private_key" : !uri ? "token_uri" : NULL;
	if (missing) {
		sb_addf(err, "%s: the service-account key has no \"%s\"", where, missing);
		return -1;
	}
	struct strbuf why = STRBUF_INIT;
	if (rsa_key_load_pem(pem, strlen(pem), NULL, &sa->key, &why) < 0) {
		sb_addf(err, "%s: private_key: %s", where, why.buf);
		sb_release(&why);
		return -1;
	}
	sb_release(&why);
	sa->email = xstrdup(email);
	sa->token_uri = xstrdup(uri);
	return 0;
}

int google_sa_open(const char *credentials, struct google_sa **out, struct strbuf *err)
{
	*out = NULL;
	const char *text = credentials + strspn(credentials, " \t\r\n");
	bool inline_json = *text == '{';
	char *file = NULL;
	size_t len;
	char *where;
	if (inline_json) {
		derived_secret_add(credentials); /* the whole key, as a ${VAR} would be */
		where = xstrdup("the credentials");
		len = strlen(text);
	} else {
		file = key_file_read(credentials, &len);
		if (!file) {
			sb_addf(err, "cannot read the credentials file %s: %s", credentials,
				strerror(errno));
			return -1;
		}
		text = file;
		where = xasprintf("the credentials file %s", credentials);
	}
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, 0, &jerr);
	struct google_sa *sa = xcalloc(1, sizeof(*sa));
	int rc;
	if (!doc) {
		/* jansson's text may quote the key: only the position */
		sb_addf(err, "%s: not valid JSON (line %d, column %d)", where, jerr.line, jerr.column);
		rc = -1;
	} else {
		rc = read_key(sa, doc, where, err);
	}
	json_decref(doc);
	if (file) {
		memset(file, 0, len);
		free(file);
	}
	free(where);
	if (rc < 0) {
		google_sa_free(sa);
		return -1;
	}
	*out = sa;
	return 0;
}

void google_sa_free(struct google_sa *sa)
{
	if (!sa)
		return;
	rsa_key_free(sa->key);
	access_token_release(&sa->token);
	free(sa->email);
	free(sa->token_uri);
	free(sa);
}

const char *google_sa_email(const struct google_sa *sa)
{
	return sa->email;
}

const char *google_sa_token_uri(const struct google_sa *sa)
{
	return sa->token_uri;
}

const char *google_sa_token(struct google_sa *sa, const struct http_client_config *transport,
			    time_t now, struct strbuf *err)
{
	if (access_token_fresh(&sa->token, now))
		return sa->token.value;
	json_t *claims = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", sa->email, "scope",
				   GOOGLE_SA_SCOPE, "aud", sa->token_uri, "iat", (json_int_t)now,
				   "exp", (json_int_t)(now + GOOGLE_SA_JWT_LIFETIME));
	struct strbuf jwt = STRBUF_INIT, form = STRBUF_INIT;
	int rc = jwt_sign_rs256(sa->key, claims, &jwt, err);
	json_decref(claims);
	if (rc == 0) {
		form_add(&form, "grant_type", GOOGLE_SA_GRANT_TYPE);
		form_add(&form, "assertion", jwt.buf);
		rc = token_endpoint_fetch(transport, sa->token_uri, form.buf, now, &sa->token, err);
		/* the assertion is spent once exchanged (or refused) */
		derived_secret_forget(jwt.buf);
	}
	memset(jwt.buf, 0, jwt.len);
	memset(form.buf, 0, form.len);
	sb_release(&jwt);
	sb_release(&form);
	return rc == 0 ? sa->token.value : NULL;
}
