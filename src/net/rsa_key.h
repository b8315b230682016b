/*
 * rsa_key.h — an RSA private key for signing JWTs (jwt.h): loaded from a
 * PEM file or PEM text, PKCS#8 (plain or encrypted with a passphrase) or
 * PKCS#1 ("BEGIN RSA PRIVATE KEY"), and the SHA-256 fingerprint of its
 * public key that Snowflake matches against RSA_PUBLIC_KEY_FP.
 *
 * Every failure is one clear sentence that never quotes the key or the
 * passphrase: unreadable file, no PEM private key (garbage, a public key, a
 * certificate), encrypted without a passphrase, wrong passphrase, not RSA,
 * shorter than RSA_KEY_MIN_BITS.  The PEM text and the passphrase are
 * registered as derived secrets (derived_secrets.h).
 */
#ifndef LAC_NET_RSA_KEY_H
#define LAC_NET_RSA_KEY_H

#include <stddef.h>

#include "base/util.h"

#define RSA_KEY_MIN_BITS 2048 /* Snowflake and Google both refuse shorter keys */

struct rsa_key;

/* The key in the PEM file at path (passphrase: NULL or "" when the key is
 * not encrypted).  0, or -1 with the reason in err. */
int rsa_key_load_file(const char *path, const char *passphrase, struct rsa_key **out,
		      struct strbuf *err);
/* The key in PEM text pem[0..len). */
int rsa_key_load_pem(const char *pem, size_t len, const char *passphrase, struct rsa_key **out,
		     struct strbuf *err);
void rsa_key_free(struct rsa_key *k);

/* base64 (with padding) of the SHA-256 of the public key's DER
 * SubjectPublicKeyInfo: malloc'd.  Snowflake writes it "SHA256:<this>". */
char *rsa_key_fingerprint(const struct rsa_key *k);

/* The RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) of msg[0..len),
 * appended to sig as raw bytes.  0, or -1 with the reason in err. */
int rsa_key_sign_sha256(const struct rsa_key *k, const void *msg, size_t len, struct strbuf *sig,
			struct strbuf *err);

#endif
