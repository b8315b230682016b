/*
 * jwt.h — compact JSON Web Tokens signed with RS256 (RFC 7519, RFC 7515):
 * base64url(header) "." base64url(claims) "." base64url(signature), no
 * padding, header {"alg":"RS256","typ":"JWT"}.  Snowflake's key-pair
 * authentication and Google's JWT bearer grant both use them.
 */
#ifndef LAC_NET_JWT_H
#define LAC_NET_JWT_H

#include <stddef.h>

#include <jansson.h>

#include "base/util.h"
#include "net/rsa_key.h"

/* base64url of p[0..n) without padding (RFC 4648 §5), appended to out. */
void jwt_base64url(const void *p, size_t n, struct strbuf *out);

/* The JWT of claims (a JSON object, written compact in its key order)
 * signed by key, appended to out; registered as a derived secret.  0, or -1
 * with the reason in err. */
int jwt_sign_rs256(const struct rsa_key *key, const json_t *claims, struct strbuf *out,
		   struct strbuf *err);

#endif
