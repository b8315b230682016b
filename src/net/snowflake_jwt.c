/*
 * snowflake_jwt.c — Snowflake key-pair JWTs (snowflake_jwt.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "net/access_token.h"
#include "net/jwt.h"
#include "net/snowflake_jwt.h"

struct snowflake_jwt {
	struct rsa_key *key;
	char *qualified;           /* ACCOUNT.USER */
	char *issuer;              /* ACCOUNT.USER.SHA256:<fp> */
	struct access_token token;
};

static void upper(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

char *snowflake_account_id(const char *account)
{
	char *id = xstrndup(account, strcspn(account, "."));
	upper(id);
	return id;
}

char *snowflake_qualified_user(const char *account, const char *user)
{
	char *id = snowflake_account_id(account);
	char *q = xasprintf("%s.%s", id, user);
	upper(q);
	free(id);
	return q;
}

struct snowflake_jwt *snowflake_jwt_new(const char *account, const char *user,
					struct rsa_key *key)
{
	struct snowflake_jwt *s = xcalloc(1, sizeof(*s));
	s->key = key;
	s->qualified = snowflake_qualified_user(account, user);
	char *fp = rsa_key_fingerprint(key);
	s->issuer = xasprintf("%s.SHA256:%s", s->qualified, fp);
	free(fp);
	return s;
}

void snowflake_jwt_free(struct snowflake_jwt *s)
{
	if (!s)
		return;
	rsa_key_free(s->key);
	access_token_release(&s->token);
	free(s->qualified);
	free(s->issuer);
	free(s);
}

const char *snowflake_jwt_issuer(const struct snowflake_jwt *s)
{
	return s->issuer;
}

const char *snowflake_jwt_token(struct snowflake_jwt *s, time_t now, struct strbuf *err)
{
	if (access_token_fresh(&s->token, now))
		return s->token.value;
	json_t *claims = json_pack("{s:s, s:s, s:I, s:I}", "iss", s->issuer, "sub", s->qualified,
				   "iat", (json_int_t)now,
				   "exp", (json_int_t)(now + SNOWFLAKE_JWT_LIFETIME));
	struct strbuf jwt = STRBUF_INIT;
	int rc = jwt_sign_rs256(s->key, claims, &jwt, err);
	json_decref(claims);
	if (rc == 0)
		access_token_set(&s->token, jwt.buf, now, SNOWFLAKE_JWT_LIFETIME);
	memset(jwt.buf, 0, jwt.len);
	sb_release(&jwt);
	return rc == 0 ? s->token.value : NULL;
}
