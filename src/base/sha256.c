/*
 * sha256.c — SHA-256 digests (OpenSSL's libcrypto), as hex text.
 */
#include <openssl/evp.h>

#include "base/sha256.h"
#include "base/util.h"

char *sha256_hex(const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		LAC_BUG("SHA-256 failed");
	static const char hex[] = "0123456789abcdef";
	char *out = xmalloc(2 * mdlen + 1);
	for (unsigned i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * mdlen] = '\0';
	return out;
}
