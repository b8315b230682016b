/*
 * snowflake_jwt.h — Snowflake key-pair authentication (SPEC §1.1 "Auth"):
 * a JWT signed with the user's RSA key, iss = ACCOUNT.USER.SHA256:<fp>,
 * sub = ACCOUNT.USER, lifetime SNOWFLAKE_JWT_LIFETIME (under Snowflake's
 * one-hour limit), renewed before it expires (access_token.h).
 *
 * Each request sends "Authorization: Bearer <token>" and
 * SNOWFLAKE_TOKEN_TYPE_HEADER: KEYPAIR_JWT (an OAuth token from token:
 * sends OAUTH instead).
 */
#ifndef LAC_NET_SNOWFLAKE_JWT_H
#define LAC_NET_SNOWFLAKE_JWT_H

#include <time.h>

#include "base/util.h"
#include "net/rsa_key.h"

#define SNOWFLAKE_JWT_LIFETIME 3540 /* 59 minutes, as Snowflake's own sample */
#define SNOWFLAKE_TOKEN_TYPE_HEADER "X-Snowflake-Authorization-Token-Type"
#define SNOWFLAKE_TOKEN_TYPE_KEYPAIR "KEYPAIR_JWT"
#define SNOWFLAKE_TOKEN_TYPE_OAUTH "OAUTH"

/* The ACCOUNT of the claims: account up to its first '.', upper-cased
 * ("xy12345.eu-central-1" -> "XY12345"; "myorg-acct" whole).  malloc'd. */
char *snowflake_account_id(const char *account);
/* "ACCOUNT.USER" (the sub claim) for account and user.  malloc'd. */
char *snowflake_qualified_user(const char *account, const char *user);

struct snowflake_jwt;

/* A signer for user at account with key (owned by it from now on). */
struct snowflake_jwt *snowflake_jwt_new(const char *account, const char *user,
					struct rsa_key *key);
void snowflake_jwt_free(struct snowflake_jwt *s);
/* The issuer "ACCOUNT.USER.SHA256:<fp>" it signs as. */
const char *snowflake_jwt_issuer(const struct snowflake_jwt *s);
/* A JWT valid at now: the one made before while it is fresh, else a new
 * one issued at now.  NULL with the reason in err when signing fails. */
const char *snowflake_jwt_token(struct snowflake_jwt *s, time_t now, struct strbuf *err);

#endif
