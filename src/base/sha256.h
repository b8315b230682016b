/*
 * sha256.h — the one SHA-256 (OpenSSL's libcrypto): raw digest and hex text.
 */
#ifndef LAC_SHA256_H
#define LAC_SHA256_H

#include <stddef.h>

#define SHA256_LEN 32     /* bytes of a digest */
#define SHA256_HEX_LEN 64 /* lowercase hex digits of a digest */

/* The SHA-256 of data[0..len).  Fast enough for millions of calls (the
 * messageIds): each thread keeps its algorithm and context across calls. */
void sha256_digest(const void *data, size_t len, unsigned char md[SHA256_LEN]);
/* The same as SHA256_HEX_LEN lowercase hex digits and a NUL, in out. */
void sha256_hex_to(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]);
/* The same, malloc'd. */
char *sha256_hex(const void *data, size_t len);

#endif
