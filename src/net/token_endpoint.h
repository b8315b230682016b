/*
 * token_endpoint.h — one OAuth 2.0 token request (RFC 6749 §4.4, RFC 7523
 * §2.1): a form POSTed to a token endpoint, the JSON answer's access_token
 * and expires_in.  Google's JWT bearer grant and Databricks' OAuth M2M use
 * it.  Transport failures, 429 and 5xx are retried by the HTTP client's
 * policy; a refusal (400, 401) is reported with the endpoint's own "error"
 * and "error_description", redacted.
 */
#ifndef LAC_NET_TOKEN_ENDPOINT_H
#define LAC_NET_TOKEN_ENDPOINT_H

#include <time.h>

#include "base/util.h"
#include "net/access_token.h"
#include "net/http.h"

#define TOKEN_LIFETIME_DEFAULT 3600 /* seconds, when the answer has no expires_in */

/* k=v pairs for a form body, each %-encoded (RFC 3986 unreserved kept):
 * appended to form with '&' between pairs. */
void form_add(struct strbuf *form, const char *key, const char *value);

/* POST form to url through a client made from transport (its timeouts, TLS
 * and retry policy; basic_user/basic_pass for HTTP basic client
 * authentication), and hold the answer's token in out, issued at now.  0, or
 * -1 with a one-line reason naming url in err. */
int token_endpoint_fetch(const struct http_client_config *transport, const char *url,
			 const char *form, time_t now, struct access_token *out, struct strbuf *err);

/* The two readers of a token endpoint's answer body (fuzz_token fuzzes
 * them).  token_answer_read: the access_token and expires_in (a number or a
 * quoted one; TOKEN_LIFETIME_DEFAULT when absent or not positive) into out,
 * issued at now; -1 with a reason naming url in err when there is no token.
 * token_answer_refusal: an error answer's "error: error_description" (or
 * "error" alone), malloc'd, or NULL when the body is not one. */
int token_answer_read(const char *body, size_t len, time_t now, struct access_token *out,
		      const char *url, struct strbuf *err);
char *token_answer_refusal(const char *body, size_t len);

#endif
