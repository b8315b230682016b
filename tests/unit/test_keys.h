/* test_keys.h — RSA keys made at test time with the openssl command, for
 * the auth tests (test_jwt.c, test_token_endpoint.c). */
#ifndef LAC_TEST_KEYS_H
#define LAC_TEST_KEYS_H

#define TEST_KEY_PASS "correct-horse-battery"

/* A fresh directory holding: plain.pem (PKCS#8), enc.pem (PKCS#8 encrypted
 * with TEST_KEY_PASS), pkcs1.pem (BEGIN RSA PRIVATE KEY), pub.pem (its
 * public key), fp.txt (openssl's base64 SHA-256 of the public DER),
 * other.pem (another RSA key), ec.pem (a P-256 key), small.pem (1024-bit
 * RSA), garbage.pem, cert.pem (a self-signed certificate, no key).  NULL
 * when openssl is missing. */
const char *test_keys_make(void);
/* dir/name, malloc'd. */
char *test_keys_path(const char *name);
/* The text of dir/name without its trailing newline, malloc'd. */
char *test_keys_read(const char *name);
void test_keys_remove(void);

#endif
