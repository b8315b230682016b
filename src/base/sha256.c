/*
 * sha256.c — the one SHA-256 (OpenSSL's libcrypto): raw digest and hex text.
 */
#include <openssl/evp.h>

#include "base/sha256.h"
#include "base/util.h"

void sha256_digest(const void *data, size_t len, unsigned char md[SHA256_LEN])
{
	/* EVP_Digest would fetch the algorithm and allocate a context on every
	 * call; a per-thread pair kept for the process's life avoids both */
	static _Thread_local EVP_MD *alg;
	static _Thread_local EVP_MD_CTX *ctx;
	if (!ctx) {
		alg = EVP_MD_fetch(NULL, "SHA256", NULL);
		ctx = EVP_MD_CTX_new();
		if (!alg || !ctx)
			LAC_BUG("SHA-256 unavailable");
	}
	unsigned int mdlen = 0;
	if (!EVP_DigestInit_ex2(ctx, alg, NULL) || !EVP_DigestUpdate(ctx, data, len) ||
	    !EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != SHA256_LEN)
		LAC_BUG("SHA-256 failed");
}

void sha256_hex_to(const void *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_LEN];
	sha256_digest(data, len, md);
	for (unsigned i = 0; i < SHA256_LEN; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[SHA256_HEX_LEN] = '\0';
}

char *sha256_hex(const void *data, size_t len)
{
	char *out = xmalloc(SHA256_HEX_LEN + 1);
	sha256_hex_to(data, len, out);
	return out;
}
