/*
 * sha256.h — SHA-256 digests (OpenSSL's libcrypto), as hex text.
 */
#ifndef LAC_SHA256_H
#define LAC_SHA256_H

#include <stddef.h>

/* The SHA-256 of data[0..len) as 64 lowercase hex digits (malloc'd). */
char *sha256_hex(const void *data, size_t len);

#endif
