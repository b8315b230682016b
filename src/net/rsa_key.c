/*
 * rsa_key.c — loading an RSA private key from PEM and using it (rsa_key.h),
 * over OpenSSL's libcrypto.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/key_file.h"
#include "base/sha256.h"
#include "net/derived_secrets.h"
#include "net/rsa_key.h"

struct rsa_key {
	EVP_PKEY *pkey;
};

/* What the passphrase callback saw: whether OpenSSL asked (the key is
 * encrypted) and the passphrase to give it. */
struct pass_ask {
	const char *pass;
	bool asked;
};

static int on_passphrase(char *buf, int size, int rwflag, void *ud)
{
	struct pass_ask *a = ud;
	a->asked = true;
	if (!a->pass || !*a->pass)
		return -1; /* no passphrase: fail instead of prompting on the terminal */
	size_t n = strlen(a->pass);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, a->pass, n);
	return (int)n;
}

static const char *key_type_name(int id)
{
	switch (id) {
	case EVP_PKEY_EC: return "EC";
	case EVP_PKEY_ED25519: return "Ed25519";
	case EVP_PKEY_ED448: return "Ed448";
	case EVP_PKEY_DSA: return "DSA";
	case EVP_PKEY_RSA_PSS: return "RSA-PSS";
	default: return "non-RSA";
	}
}

int rsa_key_load_pem(const char *pem, size_t len, const char *passphrase, struct rsa_key **out,
		     struct strbuf *err)
{
	*out = NULL;
	/* a key in a ${VAR} may appear in a later message: redact it like the variable */
	char *text = xstrndup(pem, len);
	derived_secret_add(text);
	memset(text, 0, len);
	free(text);
	derived_secret_add(passphrase);

	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio) {
		sb_addstr(err, "cannot read the private key: out of memory");
		return -1;
	}
	struct pass_ask ask = { passphrase, false };
	ERR_clear_error();
	EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, on_passphrase, &ask);
	BIO_free(bio);
	ERR_clear_error(); /* OpenSSL's queue may name the decoder that failed: not ours to show */
	if (!pkey) {
		if (ask.asked && (!passphrase || !*passphrase))
			sb_addstr(err, "the private key is encrypted and no passphrase is set "
				       "(private_key_passphrase)");
		else if (ask.asked)
			sb_addstr(err, "cannot decrypt the private key: wrong passphrase");
		else
			sb_addstr(err, "no PEM private key found (expected \"-----BEGIN PRIVATE KEY-----\", "
				       "\"-----BEGIN ENCRYPTED PRIVATE KEY-----\" or "
				       "\"-----BEGIN RSA PRIVATE KEY-----\")");
		return -1;
	}
	int id = EVP_PKEY_get_base_id(pkey);
	if (id != EVP_PKEY_RSA) {
		sb_addf(err, "the private key is %s, not RSA: RS256 needs an RSA key", key_type_name(id));
		EVP_PKEY_free(pkey);
		return -1;
	}
	int bits = EVP_PKEY_get_bits(pkey);
	if (bits < RSA_KEY_MIN_BITS) {
		sb_addf(err, "the RSA private key has %d bits: at least %d are needed", bits,
			RSA_KEY_MIN_BITS);
		EVP_PKEY_free(pkey);
		return -1;
	}
	struct rsa_key *k = xcalloc(1, sizeof(*k));
	k->pkey = pkey;
	*out = k;
	return 0;
}

int rsa_key_load_file(const char *path, const char *passphrase, struct rsa_key **out,
		      struct strbuf *err)
{
	*out = NULL;
	size_t len;
	char *pem = key_file_read(path, &len);
	if (!pem) {
		sb_addf(err, "cannot read the private key file %s: %s", path, strerror(errno));
		return -1;
	}
	int rc = rsa_key_load_pem(pem, len, passphrase, out, err);
	memset(pem, 0, len);
	free(pem);
	if (rc < 0) {
		/* name the file the reason is about */
		struct strbuf why = STRBUF_INIT;
		sb_addf(&why, "%s: %s", path, err->buf);
		sb_reset(err);
		sb_addstr(err, why.buf);
		sb_release(&why);
	}
	return rc;
}

void rsa_key_free(struct rsa_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

char *rsa_key_fingerprint(const struct rsa_key *k)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k->pkey, &der);
	if (n <= 0)
		LAC_BUG("cannot encode a loaded RSA public key");
	unsigned char md[SHA256_LEN];
	unsigned int mdlen = SHA256_LEN;
	sha256_digest(der, (size_t)n, md);
	OPENSSL_free(der);
	char *b64 = xmalloc(4 * ((mdlen + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)b64, md, (int)mdlen);
	return b64;
}

int rsa_key_sign_sha256(const struct rsa_key *k, const void *msg, size_t len, struct strbuf *sig,
			struct strbuf *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t siglen = 0;
	int ok = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
		 EVP_DigestSign(ctx, NULL, &siglen, msg, len) == 1;
	if (ok) {
		unsigned char *raw = xmalloc(siglen);
		ok = EVP_DigestSign(ctx, raw, &siglen, msg, len) == 1;
		if (ok)
			sb_addmem(sig, raw, siglen);
		free(raw);
	}
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	if (!ok) {
		sb_addstr(err, "cannot sign with the RSA private key");
		return -1;
	}
	return 0;
}
