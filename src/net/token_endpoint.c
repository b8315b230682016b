/*
 * token_endpoint.c — an OAuth 2.0 token request (token_endpoint.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "net/token_endpoint.h"

#define REASON_MAX 512 /* bytes of a refusal quoted in err */

void form_add(struct strbuf *form, const char *key, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	if (form->len)
		sb_addch(form, '&');
	for (int part = 0; part < 2; part++) {
		for (const unsigned char *p = (const unsigned char *)(part ? value : key); *p; p++) {
			if (isalnum(*p) || strchr("-._~", *p)) {
				sb_addch(form, (char)*p);
			} else {
				sb_addch(form, '%');
				sb_addch(form, hex[*p >> 4]);
				sb_addch(form, hex[*p & 15]);
			}
		}
		if (!part)
			sb_addch(form, '=');
	}
}

char *token_answer_refusal(const char *body, size_t len)
{
	json_t *doc = json_loadb(body, len, 0, NULL);
	const char *code = json_string_value(json_object_get(doc, "error"));
	const char *desc = json_string_value(json_object_get(doc, "error_description"));
	char *out = NULL;
	if (code && desc)
		out = xasprintf("%s: %s", code, desc);
	else if (code)
		out = xstrdup(code);
	json_decref(doc);
	return out;
}

int token_answer_read(const char *body, size_t len, time_t now, struct access_token *out,
		      const char *url, struct strbuf *err)
{
	json_t *doc = json_loadb(body, len, 0, NULL);
	const char *tok = json_string_value(json_object_get(doc, "access_token"));
	json_t *exp = json_object_get(doc, "expires_in");
	int rc = 0;
	if (!tok || !*tok) {
		sb_addf(err, "the token endpoint %s answered without an access_token", url);
		rc = -1;
	} else {
		long lifetime = TOKEN_LIFETIME_DEFAULT;
		if (json_is_integer(exp))
			lifetime = (long)json_integer_value(exp);
		else if (json_is_string(exp)) /* some endpoints quote it */
			lifetime = strtol(json_string_value(exp), NULL, 10);
		access_token_set(out, tok, now, lifetime > 0 ? lifetime : TOKEN_LIFETIME_DEFAULT);
	}
	if (tok)
		memset((char *)tok, 0, strlen(tok)); /* jansson's copy of the token */
	json_decref(doc);
	return rc;
}

int token_endpoint_fetch(const struct http_client_config *transport, const char *url,
			 const char *form, time_t now, struct access_token *out, struct strbuf *err)
{
	struct http_client_config cfg = *transport;
	if (cfg.body_max < 65536)
		cfg.body_max = 65536; /* a token answer is small; keep all of it */
	struct http_client *c;
	if (http_client_open(&cfg, &c, err) < 0)
		return -1;
	static const struct http_header form_headers[] = {
		{ "Content-Type", "application/x-www-form-urlencoded" },
		{ "Accept", "application/json" },
	};
	struct http_request req = { "POST", url, form_headers, ARRAY_LEN(form_headers), form,
				    strlen(form) };
	struct http_response resp;
	http_response_init(&resp);
	char why[REASON_MAX];
	enum http_class cls = http_client_send(c, &req, &resp, why, sizeof(why));
	int rc;
	if (cls == HTTP_OK) {
		rc = token_answer_read(resp.body.buf, resp.body.len, now, out, url, err);
	} else {
		char *refusal = resp.status ? token_answer_refusal(resp.body.buf, resp.body.len) : NULL;
		if (refusal) {
			/* the endpoint's words, redacted like any reason of the client */
			struct http_secrets s = { .more = cfg.more_secrets };
			if (cfg.basic_user)
				http_secrets_add_basic(&s, cfg.basic_user, cfg.basic_pass);
			char *text = xasprintf("HTTP %ld: %s", resp.status, refusal);
			http_reason(&s, text, why, sizeof(why));
			free(text);
			free(refusal);
			http_secrets_release(&s);
		}
		sb_addf(err, "token request to %s failed: %s", url, why);
		rc = -1;
	}
	if (resp.body.len)
		memset(resp.body.buf, 0, resp.body.len); /* it held the token */
	http_response_release(&resp);
	http_client_close(c);
	return rc;
}
