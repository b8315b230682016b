/*
 * jwt.c — RS256 JWTs (jwt.h).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "net/derived_secrets.h"
#include "net/jwt.h"

void jwt_base64url(const void *p, size_t n, struct strbuf *out)
{
	unsigned char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);
	int len = EVP_EncodeBlock(b64, p, (int)n);
	for (int i = 0; i < len && b64[i] != '='; i++)
		sb_addch(out, b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : (char)b64[i]);
	free(b64);
}

int jwt_sign_rs256(const struct rsa_key *key, const json_t *claims, struct strbuf *out,
		   struct strbuf *err)
{
	static const char header[] = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
	char *body = json_dumps(claims, JSON_COMPACT);
	if (!body || !json_is_object(claims)) {
		free(body);
		sb_addstr(err, "cannot write the JWT claims");
		return -1;
	}
	struct strbuf jwt = STRBUF_INIT, sig = STRBUF_INIT;
	jwt_base64url(header, strlen(header), &jwt);
	sb_addch(&jwt, '.');
	jwt_base64url(body, strlen(body), &jwt);
	free(body);
	int rc = rsa_key_sign_sha256(key, jwt.buf, jwt.len, &sig, err);
	if (rc == 0) {
		sb_addch(&jwt, '.');
		jwt_base64url(sig.buf, sig.len, &jwt);
		derived_secret_add(jwt.buf);
		sb_addmem(out, jwt.buf, jwt.len);
	}
	memset(jwt.buf, 0, jwt.len);
	sb_release(&jwt);
	sb_release(&sig);
	return rc;
}
